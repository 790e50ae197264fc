"""Demo money for the approved demo đề án: contracts and tranche histories (advances,
payments, a reversal), one accepted and one liquidated, settled and closed đề án per demo
province.

Everything goes through ``disbursement.services``, so the demo obeys the money rules: a
local đề án's money is recorded by the promotion centre and approved by the Sở; a national
one's contract is signed by the ministry department (Thông tư 36/2013/TT-BCT), whose user
records its money (a second ministry account, the administrator, approves requests).
Matched on the contract number and on idempotency keys derived from the đề án code:
running it again records nothing new."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from disbursement import services
from disbursement.models import Acceptance, Contract, Liquidation, Settlement, Tranche
from projects.models import Proposal

M = 1_000_000
LAST_DAY = datetime.date(2026, 11, 24)  # the demo's history ends before "today"
READY = ["approved", "in_implementation", "accepted", "closed"]
CLOSED, ACCEPTED, PAYING, ADVANCED = "closed", "accepted", "paying", "advanced"
PLAN = [CLOSED, ACCEPTED, PAYING, ADVANCED]  # by đề án, in code order; the rest wait


def _million(amount: int) -> int:
    return amount // M * M


class _Demo:
    def __init__(self, proposal: Proposal, slug: str, number: int):
        self.p = proposal
        if proposal.level == "national":
            self.centre = User.objects.get(username="ministry")
            self.sct = User.objects.get(username="admin")
        else:
            self.centre = User.objects.get(username=f"ttkc-{slug}")
            self.sct = User.objects.get(username=f"sct-{slug}")
        self.number = number
        self.source = "kcqg" if proposal.level == "national" else "kcdp"
        start = proposal.decision_date + datetime.timedelta(days=7)
        last = min(LAST_DAY, timezone.localdate() - datetime.timedelta(days=1))
        span = max((last - start).days, 0)
        # Seven steps spread between the contract and the end of the history.
        self.days = [start + datetime.timedelta(days=span * i // 6) for i in range(7)]

    def key(self, step: str) -> str:
        return f"demo-{self.p.code}-{step}"

    def voucher(self, n: int) -> str:
        return f"PC-{self.number % 100:02d}{n:02d}/2026"

    def pay(self, step, n, kind, amount, day, source=None):
        return services.payment_record(
            proposal=self.p,
            actor=self.centre,
            kind=kind,
            source=source or self.source,
            amount=amount,
            paid_on=day,
            voucher_number=self.voucher(n),
            treasury_reference=f"KBNN-{self.p.code}-{n}",
            idempotency_key=self.key(step),
        )

    def run(self, role: str) -> int:
        """Take the đề án through its part of the story; returns the tranches created."""
        before = Tranche.objects.filter(proposal=self.p).count()
        number = f"{self.number:02d}/2026/HĐ-KC"
        contract = Contract.objects.filter(proposal=self.p, number=number).first()
        if contract is None:
            contract = services.contract_sign(
                proposal=self.p,
                actor=self.centre,
                number=number,
                signed_on=self.days[0],
                parties=f"{self.p.implementing_agency} và các cơ sở thụ hưởng",
                amounts=self.p.approved_by_source(),
            )
        main = getattr(contract, self.source)
        advance = _million(main * 3 // 10)
        self.pay("advance", 1, "advance", advance, self.days[1])
        if role == ADVANCED:
            return Tranche.objects.filter(proposal=self.p).count() - before
        payment = _million(main * 4 // 10)
        if role == PAYING:
            # Requested by the centre, approved by the Sở, paid; then one paid twice by
            # mistake and reversed.
            tranche = services.tranche_request(
                proposal=self.p,
                actor=self.centre,
                kind="payment",
                source=self.source,
                amount=payment,
                idempotency_key=self.key("payment"),
                due_on=self.days[2],
            )
            if tranche.status == Tranche.Status.REQUESTED:
                tranche = services.tranche_approve(tranche=tranche, actor=self.sct)
            if tranche.status == Tranche.Status.APPROVED:
                services.tranche_pay(
                    tranche=tranche,
                    actor=self.centre,
                    paid_on=self.days[2],
                    voucher_number=self.voucher(2),
                )
            twice = self.pay("duplicate", 3, "payment", _million(main // 10), self.days[3])
            services.tranche_reverse(
                tranche=twice,
                actor=self.sct,
                idempotency_key=self.key("reversal"),
                reason="Chi trùng chứng từ PC đợt 2: hoàn trả ngân sách.",
            )
            return Tranche.objects.filter(proposal=self.p).count() - before
        self.pay("payment", 2, "payment", payment, self.days[2])
        counterpart = contract.counterpart
        if counterpart:
            self.pay("counterpart", 3, "payment", counterpart, self.days[3], source="counterpart")
        if not Acceptance.objects.filter(proposal=self.p).exists():
            services.acceptance_record(
                proposal=self.p,
                actor=self.centre,
                accepted_on=self.days[4],
                council="Đại diện Sở Công Thương (chủ tịch), Trung tâm Khuyến công, "
                "UBND xã, đại diện cơ sở thụ hưởng",
                result="passed",
                amounts=contract.amounts(),
                conclusion="Đề án hoàn thành đúng nội dung, khối lượng và tiến độ.",
            )
        if role == ACCEPTED:
            return Tranche.objects.filter(proposal=self.p).count() - before
        self.pay("settlement", 4, "settlement", main - advance - payment, self.days[5])
        if not Liquidation.objects.filter(proposal=self.p).exists():
            # Nghiệm thu → thanh lý hợp đồng → quyết toán: the work done is what was paid.
            services.liquidation_record(
                proposal=self.p,
                actor=self.centre,
                number=f"{self.number:02d}/2026/TLHĐ",
                liquidated_on=self.days[6],
                amounts=services.paid_by_source(self.p),
            )
        if not Settlement.objects.filter(proposal=self.p).exists():
            services.settlement_record(
                proposal=self.p,
                actor=self.centre,
                settled_on=self.days[6],
                decision_number=f"{self.number + 200}/QĐ-SCT",
                amounts=services.paid_by_source(self.p),
            )
        return Tranche.objects.filter(proposal=self.p).count() - before


def seed_disbursement(*, seed: int) -> str:
    """``seed`` is accepted like the other steps; the story is fixed (no randomness)."""
    from demo.seeding import DEMO_PROVINCES

    created = 0
    for code, slug in DEMO_PROVINCES.items():
        proposals = Proposal.objects.filter(
            province__code=code, status__in=READY, decision_date__isnull=False
        ).order_by("code")
        for index, (proposal, role) in enumerate(zip(proposals, PLAN, strict=False)):
            created += _Demo(proposal, slug, code * 100 + index + 1).run(role)
    total = Tranche.objects.filter(proposal__province__code__in=DEMO_PROVINCES).count()
    return f"Tranches: {created} created, {total} in the demo provinces."
