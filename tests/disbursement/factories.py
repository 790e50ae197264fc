"""Đề án ready for the money steps: approved, contracted, paid (through the services)."""

from __future__ import annotations

import datetime
import uuid

from disbursement import services
from disbursement.models import Contract, Tranche
from projects.models import Proposal
from tests.projects.factories import advance, make_proposal, staff

D = datetime.date(2026, 11, 21)  # after the approval decision (DECIDED), before "today"
M = 1_000_000


def centre(province_code: int = 14):
    return staff(province_code, role="centre_staff")


def approved(province_code: int = 14, **kwargs) -> Proposal:
    """An approved local đề án: KCĐP 300 million, counterpart 700 million by default."""
    return advance(make_proposal(province_code, **kwargs), "approved")


def contracted(
    proposal: Proposal | None = None, *, amounts: dict | None = None, signed_on=D
) -> Contract:
    proposal = proposal or approved()
    return services.contract_sign(
        proposal=proposal,
        actor=centre(proposal.province.code),
        number="01/2026/HĐ-KC",
        signed_on=signed_on,
        parties="TTKC và cơ sở",
        amounts=amounts if amounts is not None else proposal.approved_by_source(),
    )


def pay(
    proposal: Proposal,
    amount: int,
    *,
    kind="payment",
    source="kcdp",
    paid_on=D,
    key=None,
    actor=None,
) -> Tranche:
    return services.payment_record(
        proposal=proposal,
        actor=actor or centre(proposal.province.code),
        kind=kind,
        source=source,
        amount=amount,
        paid_on=paid_on,
        voucher_number="PC-0001/2026",
        idempotency_key=key or uuid.uuid4().hex,
    )


def liquidated(proposal: Proposal, amounts: dict | None = None, *, actor=None):
    """The contract's liquidation (thanh lý): the work done is what was paid, by default."""
    return services.liquidation_record(
        proposal=proposal,
        actor=actor or centre(proposal.province.code),
        number="TL-01/2026",
        liquidated_on=D,
        amounts=amounts if amounts is not None else services.paid_by_source(proposal),
    )
