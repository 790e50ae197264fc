"""Two years of one province's money and outputs, built through the services, and the
figures its periodic reports must show, computed by plain arithmetic over the same
declarations (never through periodic.figures, disbursement.figures or the SQL).

Sơn La (14):
- 2025: a national đề án A (KCQG 300 million, counterpart 700 million) under the national
  plan 2025, paid 100 million on 10/03/2025 and 50 million on 10/09/2025;
- 2026: a local ordinary đề án B (KCĐP 300 million) paid 120 million on 10/04/2026 and 60
  million on 05/10/2026; a local group đề án C (KCĐP 200 million, counterpart 700 million)
  paid 80 million on 20/05/2026 and accepted on 20/06/2026 with 8 of its 10 committed
  outputs; a national đề án D (KCQG 300 million, counterpart 900 million) approved on
  20/11/2026, paid 200 million on 25/11/2026.
Đắk Lắk (66): a local đề án E of 2026 (KCĐP 300 million) paid 90 million on 01/03/2026.
"""

from __future__ import annotations

import datetime
import uuid

from disbursement import services as money
from programs.models import Indicator
from projects.models import ProposalOutput
from tests.disbursement.factories import centre
from tests.projects.factories import advance, make_proposal, ministry, plan_for

M = 1_000_000
D = datetime.date
SONLA, DAKLAK = 14, 66


def _recorder(proposal):
    """A national đề án's money is recorded by the ministry; a local one's by the centre."""
    return ministry() if proposal.level == "national" else centre(proposal.province.code)


def _contract(proposal, signed_on):
    return money.contract_sign(
        proposal=proposal,
        actor=_recorder(proposal),
        number=f"{proposal.pk}/HĐ-KC",
        signed_on=signed_on,
        parties="TTKC và cơ sở",
        amounts=proposal.approved_by_source(),
    )


def _pay(proposal, amount, paid_on, source):
    return money.payment_record(
        proposal=proposal,
        actor=_recorder(proposal),
        kind="payment",
        source=source,
        amount=amount,
        paid_on=paid_on,
        voucher_number=f"PC-{uuid.uuid4().hex[:6]}",
        idempotency_key=uuid.uuid4().hex,
    )


def build() -> dict:
    national_2025 = plan_for(SONLA, year=2025, national=True)
    a = advance(
        make_proposal(SONLA, plan=national_2025, support=300 * M, title="Đề án A"),
        "approved",
        decision_date=D(2025, 1, 20),
    )
    _contract(a, D(2025, 2, 1))
    _pay(a, 100 * M, D(2025, 3, 10), "kcqg")
    _pay(a, 50 * M, D(2025, 9, 10), "kcqg")

    b = advance(
        make_proposal(SONLA, year=2026, support=300 * M, title="Đề án B"),
        "approved",
        decision_date=D(2026, 1, 15),
    )
    _contract(b, D(2026, 1, 20))
    _pay(b, 120 * M, D(2026, 4, 10), "kcdp")
    _pay(b, 60 * M, D(2026, 10, 5), "kcdp")

    c = make_proposal(
        SONLA, year=2026, kind="group", beneficiaries=2, support=200 * M, title="Đề án C"
    )
    indicator = Indicator.objects.order_by("order", "code").first()
    ProposalOutput.objects.create(proposal=c, indicator=indicator, target_value=10)
    c = advance(c, "approved", decision_date=D(2026, 1, 15))
    contract = _contract(c, D(2026, 1, 20))
    _pay(c, 80 * M, D(2026, 5, 20), "kcdp")
    money.acceptance_record(
        proposal=c,
        actor=centre(SONLA),
        accepted_on=D(2026, 6, 20),
        council="Hội đồng nghiệm thu",
        result="passed",
        amounts=contract.amounts(),
        achieved={indicator.pk: 8},
    )

    national_2026 = plan_for(SONLA, year=2026, national=True)
    d = advance(
        make_proposal(
            SONLA, plan=national_2026, support=300 * M, counterpart=900 * M, title="Đề án D"
        ),
        "approved",
        decision_date=D(2026, 11, 20),
    )
    _contract(d, D(2026, 11, 21))
    _pay(d, 200 * M, D(2026, 11, 25), "kcqg")

    e = advance(
        make_proposal(DAKLAK, year=2026, support=300 * M, title="Đề án E"),
        "approved",
        decision_date=D(2026, 1, 15),
    )
    _contract(e, D(2026, 1, 20))
    _pay(e, 90 * M, D(2026, 3, 1), "kcdp")
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "indicator": indicator}


# The expected figures, by plain arithmetic over the declarations above (counterpart: 700
# million on every đề án of make_proposal unless told).
SONLA_SIX_MONTH_2026 = {
    "funded": 3,  # B, C, D
    "approved_kcqg": 300 * M,
    "approved_kcdp": 500 * M,
    "counterpart": 700 * M + 700 * M + 900 * M,
    "paid_period": 200 * M,  # B 120 + C 80 (D's payment is in November)
    "paid": 200 * M,  # cumulative to 30/06/2026
    "prev_funded": 1,  # A
    "prev_paid_period": 100 * M,  # A's March 2025 payment
}
SONLA_ANNUAL_2026 = {
    **SONLA_SIX_MONTH_2026,
    "paid_period": 460 * M,  # 120 + 60 + 80 + 200
    "paid": 460 * M,
    "prev_paid_period": 150 * M,
}
DAKLAK_SIX_MONTH_2026 = {"funded": 1, "approved_kcdp": 300 * M, "paid_period": 90 * M}
