"""One province's money, built through the services, and an independent computation of
every figure its pages, exports and PDFs must show (tests/test_figures_consistency.py).

The scenario is declared as data (``PLANS``, ``PROPOSALS``): ``build()`` creates it through
the services (plans approved, đề án approved by the Sở or the ministry, contracts, payments,
a reversal, a tranche awaiting payment, an amendment, a concluded inspection), and
``expected()`` computes the figures of a scope by plain integer arithmetic over the same
declarations — never through the portal's selectors, SQL or rounding helpers.

Sơn La (14) has two plan years (2028, 2029), KCĐP đề án under its own local plans and KCQG
đề án under the national plans, counterpart money on every đề án, local plans whose
allocations differ from the approved totals (and carry a counterpart allocation, which is
not khuyến công money), payments and a reversal, an approved-but-unpaid đề án, an amending
đề án with payments, and an inspection concluded compliant. Đắk Lắk (66) has money of its
own in both years, so the nation's figures differ from the province's. The amounts make the
rates land on non-trivial decimals, two of them exactly on a half-up boundary
(91,365 % -> 91,37 %; 64,285 % -> 64,29 %).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from accounts.models import User
from disbursement import services as money
from inspections.models import Result
from programs.models import Activity, AnnualPlan, Program
from programs.services import plan_create, plan_set_budget, plan_transition
from projects.models import Proposal
from reference.models import Province
from tests.inspections.factories import concluded
from tests.programs.factories import local_program
from tests.projects.factories import advance, make_proposal, ministry, staff_of, transition

SONLA, DAKLAK = 14, 66
YEARS = (2028, 2029)
PAID_ON = datetime.date(2026, 11, 21)  # after the approval decisions, before "today"
SIGNED_ON = datetime.date(2026, 11, 21)
M = 1_000_000


@dataclass(frozen=True)
class PlanSpec:
    """An approved local plan: KCĐP allocations by activity, and a counterpart allocation
    (which is not khuyến công money and never enters "allocated")."""

    province: int
    year: int
    kcdp: dict[str, int]
    counterpart: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"local-{self.province}-{self.year}"

    @property
    def allocated(self) -> int:
        return sum(self.kcdp.values())


@dataclass(frozen=True)
class NationalPlanSpec:
    """The national plan of a year: KCQG allocated to the activity group 03, nation-wide."""

    year: int
    kcqg: int

    @property
    def key(self) -> str:
        return f"national-{self.year}"

    @property
    def allocated(self) -> int:
        return self.kcqg


@dataclass(frozen=True)
class ProposalSpec:
    """A đề án: khuyến công support (KCĐP for local, KCQG for national), counterpart, and
    what happens to its money. ``payments`` are paid in order; ``reversed`` maps the index
    of a payment to the number of payments made before it is reversed (thu hồi);
    ``pending`` is a tranche requested and approved but not paid."""

    key: str
    province: int
    year: int
    national: bool
    kc: int
    counterpart: int
    contract: bool = True
    payments: tuple[int, ...] = ()
    reversed: dict[int, int] = field(default_factory=dict)
    pending: int = 0
    amend: bool = False
    inspect: bool = False

    @property
    def plan_key(self) -> str:
        return f"national-{self.year}" if self.national else f"local-{self.province}-{self.year}"

    @property
    def source(self) -> str:
        return "kcqg" if self.national else "kcdp"

    @property
    def paid(self) -> int:
        return sum(self.payments) - sum(self.payments[i] for i in self.reversed)


LOCAL_PLANS = (
    # Allocated 550 million, approved 300 million under it.
    PlanSpec(SONLA, 2028, {"03.1": 400 * M, "01": 150 * M}, {"03.1": 900 * M}),
    # Allocated 800 million, approved 400 million under it.
    PlanSpec(SONLA, 2029, {"03.1": 800 * M}, {"03.1": 600 * M}),
    PlanSpec(DAKLAK, 2028, {"03.1": 600 * M}),
)
NATIONAL_PLANS = (NationalPlanSpec(2028, 5_000 * M), NationalPlanSpec(2029, 4_000 * M))
PLANS = {p.key: p for p in (*LOCAL_PLANS, *NATIONAL_PLANS)}

PROPOSALS = (
    # Sơn La 2028. 91 365 000 / 100 000 000 = 91,365 % -> 91,37 % (half-up).
    ProposalSpec(
        "sl28-kcdp-paid",
        SONLA,
        2028,
        False,
        kc=100 * M,
        counterpart=250 * M,
        payments=(50 * M, 45 * M, 41_365_000),
        reversed={1: 2},  # the second payment reversed before the third is paid
        inspect=True,
    ),
    # Approved, no contract, nothing paid.
    ProposalSpec(
        "sl28-kcdp-unpaid", SONLA, 2028, False, kc=200 * M, counterpart=500 * M, contract=False
    ),
    # National đề án in the province, paid, then being amended (its approval stays in force).
    ProposalSpec(
        "sl28-kcqg-amending",
        SONLA,
        2028,
        True,
        kc=300 * M,
        counterpart=700 * M,
        payments=(123_456_789,),
        amend=True,
    ),
    # Sơn La 2029. 257 140 000 / 400 000 000 = 64,285 % -> 64,29 % (half-up), and a tranche
    # awaiting payment that is not disbursed money.
    ProposalSpec(
        "sl29-kcdp-paid",
        SONLA,
        2029,
        False,
        kc=400 * M,
        counterpart=950 * M,
        payments=(200 * M, 57_140_000),
        pending=30 * M,
    ),
    # National, contract signed, nothing paid yet.
    ProposalSpec("sl29-kcqg-contracted", SONLA, 2029, True, kc=150 * M, counterpart=350 * M),
    # Đắk Lắk 2028: the nation's figures differ from Sơn La's.
    ProposalSpec(
        "dl28-kcdp",
        DAKLAK,
        2028,
        False,
        kc=500 * M,
        counterpart=1_200 * M,
        payments=(333_333_333,),
    ),
    ProposalSpec(
        "dl28-kcqg",
        DAKLAK,
        2028,
        True,
        kc=250 * M,
        counterpart=600 * M,
        payments=(100 * M,),
    ),
    ProposalSpec(
        "dl29-kcqg",
        DAKLAK,
        2029,
        True,
        kc=200 * M,
        counterpart=500 * M,
        payments=(77_777_777,),
    ),
)


# --- The independent computation --------------------------------------------------------------


def rate_hundredths(part: int, whole: int) -> int | None:
    """part ÷ whole in hundredths of a percent, rounded half-up, in integers only."""
    if not whole:
        return None
    assert part >= 0 and whole > 0
    return (part * 10_000 * 2 + whole) // (2 * whole)


def rate_text(hundredths: int | None) -> str:
    """9137 -> "91,37 %" (non-breaking space before %), None -> "—"."""
    if hundredths is None:
        return "—"
    return f"{hundredths // 100},{hundredths % 100:02d}\u00a0%"


@dataclass(frozen=True)
class Figures:
    approved: int  # khuyến công funds (KCQG + KCĐP) approved
    paid: int  # khuyến công funds paid, reversals deducted
    counterpart: int
    pending: int
    allocated: int | None  # KC allocated by the plan(s) of the scope, None without a plan
    paid_in_plans: int | None  # paid on the đề án of those plans
    count: int
    by_source: dict[str, tuple[int, int]]  # source -> (approved, paid)

    @property
    def rate(self) -> int | None:
        return rate_hundredths(self.paid, self.approved)

    @property
    def rate_text(self) -> str:
        return rate_text(self.rate)

    @property
    def ratio(self) -> float:
        return self.paid / self.approved

    @property
    def rate_plan(self) -> int | None:
        if self.allocated is None:
            return None
        return rate_hundredths(self.paid_in_plans, self.allocated)

    @property
    def rate_plan_text(self) -> str:
        return rate_text(self.rate_plan)

    @property
    def remaining(self) -> int:
        return self.approved - self.paid


def _figures(proposals, plans) -> Figures:
    plan_keys = {p.key for p in plans}
    by_source: dict[str, tuple[int, int]] = {}
    for p in proposals:
        a, q = by_source.get(p.source, (0, 0))
        by_source[p.source] = (a + p.kc, q + p.paid)
    return Figures(
        approved=sum(p.kc for p in proposals),
        paid=sum(p.paid for p in proposals),
        counterpart=sum(p.counterpart for p in proposals),
        pending=sum(p.pending for p in proposals),
        allocated=sum(p.allocated for p in plans) if plans else None,
        paid_in_plans=sum(p.paid for p in proposals if p.plan_key in plan_keys) if plans else None,
        count=len(proposals),
        by_source=by_source,
    )


def expected_province(province: int, year: int | None = None) -> Figures:
    """Every đề án of the province (KCĐP and KCQG) of the plan year (or all years); the
    province's own (local) approved plans give the allocation."""
    proposals = [
        p for p in PROPOSALS if p.province == province and (year is None or p.year == year)
    ]
    plans = [p for p in LOCAL_PLANS if p.province == province and (year is None or p.year == year)]
    return _figures(proposals, plans)


def expected_nation(year: int | None = None) -> Figures:
    proposals = [p for p in PROPOSALS if year is None or p.year == year]
    return _figures(proposals, [])


def expected_plan(key: str) -> Figures:
    return _figures([p for p in PROPOSALS if p.plan_key == key], [PLANS[key]])


def expected_program_local(province: int, year: int | None = None) -> Figures:
    """The đề án of the province's local programme (KCĐP only), by plan year."""
    proposals = [
        p
        for p in PROPOSALS
        if p.province == province and not p.national and (year is None or p.year == year)
    ]
    return _figures(proposals, [])


# --- Building it through the services -----------------------------------------------------------


@dataclass
class Built:
    plans: dict[str, AnnualPlan]
    proposals: dict[str, Proposal]
    sonla: Province
    daklak: Province
    users: dict[str, User]
    local_programs: dict[int, Program]
    national_program: Program


def _local_plan(spec: PlanSpec) -> AnnualPlan:
    province = Province.objects.get(code=spec.province)
    actor = staff_of(spec.province)
    program = local_program(province)
    plan = plan_create(actor=actor, program=program, year=spec.year, title=f"Kế hoạch {spec.year}")
    allocations = [(Activity.objects.get(code=c), "kcdp", a) for c, a in spec.kcdp.items()]
    allocations += [
        (Activity.objects.get(code=c), "counterpart", a) for c, a in spec.counterpart.items()
    ]
    plan = plan_set_budget(
        plan=plan,
        actor=actor,
        budgets={
            "kcdp": spec.allocated + 100 * M,  # the budget exceeds what is allocated
            "counterpart": sum(spec.counterpart.values()) + 100 * M,
        },
        allocations=allocations,
        expected_version=plan.version,
    )
    plan = plan_transition(plan=plan, actor=actor, action="submit")
    return plan_transition(
        plan=plan,
        actor=actor,
        action="approve",
        decision_number=f"{spec.year}/QĐ-UBND",
        decision_date=datetime.date(2026, 11, 2),
    )


def _national_plan(spec: NationalPlanSpec) -> AnnualPlan:
    program = Program.objects.get(code="kcqg-2026-2030")
    assert not AnnualPlan.objects.filter(program=program, year=spec.year).exists()
    plan = plan_create(
        actor=ministry(), program=program, year=spec.year, title=f"Kế hoạch KCQG {spec.year}"
    )
    plan = plan_set_budget(
        plan=plan,
        actor=ministry(),
        budgets={"kcqg": spec.kcqg},
        allocations=[(Activity.objects.get(code="03"), "kcqg", spec.kcqg)],
        expected_version=plan.version,
    )
    plan = plan_transition(plan=plan, actor=ministry(), action="submit")
    return plan_transition(
        plan=plan,
        actor=ministry(),
        action="approve",
        decision_number=f"{spec.year % 100}/QĐ-BCT",
        decision_date=datetime.date(2026, 11, 1),
    )


def _centre(province_code: int) -> User:
    return User.objects.get(
        agency__province__code=province_code, role="centre_staff", agency__kind="promotion_centre"
    )


def _reverse(tranche, actor) -> None:
    money.tranche_reverse(
        tranche=tranche,
        actor=actor,
        reason="Thu hồi do chứng từ không hợp lệ",
        idempotency_key=uuid.uuid4().hex,
    )


def _proposal(spec: ProposalSpec, plan: AnnualPlan) -> Proposal:
    proposal = make_proposal(
        spec.province,
        national=spec.national,
        plan=plan,
        support=spec.kc,
        counterpart=spec.counterpart,
        title=f"Đề án {spec.key}",
    )
    proposal = advance(proposal, "approved")
    assert proposal.status == Proposal.Status.APPROVED, (spec.key, proposal.status)
    centre = _centre(spec.province)
    if spec.contract:
        # A national đề án's contract is recorded by the ministry department, which entrusts
        # the province's centre (disbursement.policies.may_record): the centre pays both.
        money.contract_sign(
            proposal=proposal,
            actor=ministry() if spec.national else centre,
            number=f"{spec.key}/HĐ-KC",
            signed_on=SIGNED_ON,
            parties="Trung tâm khuyến công và cơ sở",
            amounts=proposal.approved_by_source(),
            signing_agency=centre.agency if spec.national else None,
        )
    tranches = []
    for index, amount in enumerate(spec.payments):
        for reversed_index, after in spec.reversed.items():
            if after == index:
                _reverse(tranches[reversed_index], centre)
        tranches.append(
            money.payment_record(
                proposal=proposal,
                actor=centre,
                kind="payment",
                source=spec.source,
                amount=amount,
                paid_on=PAID_ON,
                voucher_number=f"PC-{index + 1:02d}/{spec.key}",
                idempotency_key=uuid.uuid4().hex,
            )
        )
    for reversed_index, after in spec.reversed.items():
        if after >= len(spec.payments):
            _reverse(tranches[reversed_index], centre)
    if spec.pending:
        tranche = money.tranche_request(
            proposal=proposal,
            actor=centre,
            kind="payment",
            source=spec.source,
            amount=spec.pending,
            idempotency_key=uuid.uuid4().hex,
        )
        money.tranche_approve(tranche=tranche, actor=staff_of(spec.province))
    if spec.inspect:
        concluded(Proposal.objects.get(pk=proposal.pk), Result.COMPLIANT)
    if spec.amend:
        transition(Proposal.objects.get(pk=proposal.pk), staff_of(spec.province), "amend")
    return Proposal.objects.get(pk=proposal.pk)


def build() -> Built:
    """Create the scenario (the world fixture's data must be there)."""
    plans = {spec.key: _local_plan(spec) for spec in LOCAL_PLANS}
    plans.update({spec.key: _national_plan(spec) for spec in NATIONAL_PLANS})
    proposals = {spec.key: _proposal(spec, plans[spec.plan_key]) for spec in PROPOSALS}
    users = {u.username: u for u in User.objects.select_related("agency__province")}
    sonla = Province.objects.get(code=SONLA)
    daklak = Province.objects.get(code=DAKLAK)
    return Built(
        plans=plans,
        proposals=proposals,
        sonla=sonla,
        daklak=daklak,
        users=users,
        local_programs={SONLA: local_program(sonla), DAKLAK: local_program(daklak)},
        national_program=Program.objects.get(code="kcqg-2026-2030"),
    )
