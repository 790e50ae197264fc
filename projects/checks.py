"""Automatic checks of a đề án against the law and the plan.

Shown on the page while it is being prepared, and enforced by the services when it is
submitted and approved. Each check says what it checked, whether it passed, and — when it
did not — why, citing the rule or the other đề án concerned.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.eligibility import beneficiary_eligibility
from core.formatting import format_vnd
from core.funding import KC_SOURCES, SOURCES, FundingSource, program_source
from programs.models import PlanAllocation, SupportCap
from programs.rules import cap_check
from projects.models import FUNDED_STATES, Attachment, BudgetLine, Proposal, RequiredDocument
from villages.selectors import recognised_village_by_beneficiary

# A funded đề án (projects.models.FUNDED_STATES) holds money of its plan. Statuses that
# count as support already given or requested, for double funding:
ACTIVE = (
    Proposal.Status.SUBMITTED,
    Proposal.Status.RETURNED,
    Proposal.Status.APPRAISED,
    Proposal.Status.FORWARDED,
    *FUNDED_STATES,
)


@dataclass(frozen=True)
class Check:
    code: str
    ok: bool
    message: str
    blocking: bool = True  # a failed blocking check stops submission and approval
    related: tuple = field(default_factory=tuple)  # other đề án concerned


def budget_totals(proposal: Proposal) -> dict[str, int]:
    """Totals of the budget lines per funding source, and "amount" (one query)."""
    sums = BudgetLine.objects.filter(proposal=proposal).aggregate(
        amount=Sum("amount"), **{s: Sum(s) for s in SOURCES}
    )
    return {k: v or 0 for k, v in sums.items()}


def check_budget(proposal: Proposal, totals: dict[str, int]) -> list[Check]:
    source = program_source(proposal.level)
    (wrong_source,) = (s for s in KC_SOURCES if s != source)
    checks = []
    if totals["amount"] <= 0:
        checks.append(Check("budget", False, _("Enter the budget lines of the proposal.")))
    elif totals[wrong_source]:
        checks.append(
            Check(
                "budget",
                False,
                _(
                    "A %(level)s proposal is not funded from %(source)s; move those amounts to "
                    "%(own)s."
                )
                % {
                    "level": _("national") if proposal.level == "national" else _("local"),
                    "source": FundingSource(wrong_source).label,
                    "own": FundingSource(source).label,
                },
            )
        )
    else:
        checks.append(
            Check(
                "budget",
                True,
                _("Budget: %(total)s, of which %(support)s from %(source)s.")
                % {
                    "total": format_vnd(totals["amount"]),
                    "support": format_vnd(totals[source]),
                    "source": FundingSource(source).label,
                },
            )
        )
    return checks


def check_beneficiaries(proposal: Proposal, links, totals) -> list[Check]:
    checks = []
    count = len(links)
    if count == 0:
        return [Check("beneficiaries", False, _("Add the establishment(s) the proposal supports."))]
    if proposal.kind == Proposal.Kind.GROUP and count < 2:
        checks.append(
            Check(
                "beneficiaries",
                False,
                _(
                    "A group proposal (đề án nhóm) covers several establishments; only one is "
                    "listed."
                ),
            )
        )
    shares = sum(link.support_amount for link in links)
    support = totals[program_source(proposal.level)]
    if shares and shares != support:
        checks.append(
            Check(
                "beneficiaries",
                False,
                _(
                    "The shares of the establishments add up to %(shares)s, but the programme "
                    "support "
                    "is %(support)s."
                )
                % {"shares": format_vnd(shares), "support": format_vnd(support)},
            )
        )
    return checks


def check_caps(proposal: Proposal, totals, links, on_date: datetime.date) -> list[Check]:
    source = program_source(proposal.level)
    rule_check = cap_check(
        activity=proposal.activity,
        level=proposal.level,
        province=proposal.province_id,
        on_date=on_date,
        eligible_cost=totals["amount"],
        requested=totals[source],
        units=1,
    )
    per_beneficiary = SupportCap.Unit.BENEFICIARY
    if rule_check.rule is not None and rule_check.rule.unit == per_beneficiary and len(links) > 1:
        # A cap per establishment: the limit multiplies with the establishments supported.
        rule_check = cap_check(
            activity=proposal.activity,
            level=proposal.level,
            province=proposal.province_id,
            on_date=on_date,
            eligible_cost=totals["amount"],
            requested=totals[source],
            units=len(links),
        )
    if rule_check.rule is None:
        # Nothing to check against: say so as a warning, without blocking the đề án.
        return [Check("cap", False, rule_check.message, blocking=False)]
    return [Check("cap", rule_check.ok, rule_check.message)]


def eligibility_of_links(links, on_date: datetime.date, *, proposal=None) -> dict:
    """Each establishment's eligibility on ``on_date`` (beneficiaries.eligibility), with the
    craft village it belongs to that is recognised on that date, read for all of them in
    one query (villages.selectors). Keyed by beneficiary id. Kept on ``proposal`` for the
    same establishments and date: the detail page's table and its checks panel read it once."""
    key = (tuple(sorted(link.beneficiary_id for link in links)), on_date)
    cached = getattr(proposal, "_eligibility", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    villages = recognised_village_by_beneficiary([link.beneficiary_id for link in links], on_date)
    if proposal is not None:
        # The same register's answer serves the page's priorities (priorities.selectors).
        proposal._villages = (key, villages)
    results = {
        link.beneficiary_id: beneficiary_eligibility(
            link.beneficiary, on_date, village=villages.get(link.beneficiary_id)
        )
        for link in links
    }
    if proposal is not None:
        proposal._eligibility = (key, results)
    return results


def check_eligibility(links, on_date: datetime.date) -> list[Check]:
    checks = []
    # run_checks reads the links through proposal.beneficiary_links: each knows its đề án.
    proposal = links[0].proposal if links else None
    results = eligibility_of_links(links, on_date, proposal=proposal)
    for link in links:
        result = results[link.beneficiary_id]
        if not result.eligible:
            checks.append(Check("eligibility", False, f"{link.beneficiary.name}: {result.reason}"))
        elif result.condition:
            # Eligible if a condition the registry cannot tell held: a warning to verify.
            checks.append(
                Check(
                    "eligibility",
                    False,
                    f"{link.beneficiary.name}: {result.reason}",
                    blocking=False,
                )
            )
    if links and not any(c.blocking for c in checks):
        villages = [
            _(
                "%(name)s belongs to the craft village %(village)s, recognised by decision "
                "%(decision)s of %(date)s."
            )
            % {
                "name": link.beneficiary.name,
                "village": village.name,
                "decision": village.decision_number,
                "date": village.decision_date.strftime("%d/%m/%Y"),
            }
            for link in links
            if (village := results[link.beneficiary_id].village) is not None
        ]
        message = _("Every establishment is eligible under the rule in force on %(date)s.") % {
            "date": on_date.strftime("%d/%m/%Y")
        }
        checks.insert(0, Check("eligibility", True, " ".join([message, *villages])))
    return checks


def double_funding(proposal: Proposal, links) -> list[Proposal]:
    """Other đề án supporting the same establishment for the same activity group in the
    same year or an overlapping period, in any province or programme."""
    group_id = proposal.activity.parent_id or proposal.activity_id
    beneficiary_ids = [link.beneficiary_id for link in links]
    if not beneficiary_ids:
        return []
    return list(
        Proposal.objects.filter(
            beneficiary_links__beneficiary_id__in=beneficiary_ids,
            status__in=ACTIVE,
        )
        .filter(Q(activity_id=group_id) | Q(activity__parent_id=group_id))
        .filter(
            Q(plan__year=proposal.plan.year)
            | Q(start_date__lte=proposal.end_date, end_date__gte=proposal.start_date)
        )
        .exclude(pk=proposal.pk)
        .select_related("province")
        .distinct()
    )


def check_double_funding(proposal: Proposal, links) -> list[Check]:
    others = double_funding(proposal, links)
    if not others:
        return [
            Check(
                "double_funding",
                True,
                _(
                    "No other support for these establishments in the same activity group and "
                    "period."
                ),
            )
        ]
    listed = ", ".join(
        f"{p.code} ({p.province.short_name if p.province else _('national')})" for p in others
    )
    justified = bool(proposal.double_funding_justification.strip())
    message = _(
        "The same establishment is already supported for this activity group in the same "
        "year or period by: %(others)s."
    ) % {"others": listed}
    if justified:
        message += " " + _("Justification given.")
    else:
        message += " " + _("Write a justification to submit the proposal.")
    return [
        Check("double_funding", justified, message, blocking=not justified, related=tuple(others))
    ]


def required_documents(proposal: Proposal):
    activity_ids = [proposal.activity_id] + (
        [proposal.activity.parent_id] if proposal.activity.parent_id else []
    )
    return RequiredDocument.objects.filter(
        Q(activity__isnull=True) | Q(activity_id__in=activity_ids)
    )


def required_document_list(proposal: Proposal) -> list[RequiredDocument]:
    """``required_documents`` read once per đề án instance: the page's checklist and the
    documents check share it (the detail page read it twice)."""
    cached = getattr(proposal, "_required_documents", None)
    if cached is None or cached[0] != proposal.activity_id:  # read again if it changed
        cached = (proposal.activity_id, list(required_documents(proposal)))
        proposal._required_documents = cached
    return cached[1]


def check_documents(proposal: Proposal) -> list[Check]:
    present = set(
        Attachment.objects.filter(proposal=proposal, document_type__isnull=False).values_list(
            "document_type_id", flat=True
        )
    )
    missing = [d.name for d in required_document_list(proposal) if d.pk not in present]
    if missing:
        return [
            Check(
                "documents",
                False,
                _("Documents still missing: %(names)s.") % {"names": "; ".join(missing)},
            )
        ]
    return [Check("documents", True, _("All required documents are attached."))]


def allocation_remaining(proposal: Proposal) -> tuple[int, int]:
    """(allocated, already committed) for the đề án's activity and programme source in
    its plan, excluding this đề án. Call under a lock on the plan for a decision."""
    source = program_source(proposal.level)
    activity_ids = [proposal.activity_id] + (
        [proposal.activity.parent_id] if proposal.activity.parent_id else []
    )
    allocated = (
        PlanAllocation.objects.filter(
            plan_id=proposal.plan_id, source=source, activity_id__in=activity_ids
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    group_id = proposal.activity.parent_id or proposal.activity_id
    # Money allocated to the group is shared by all its sub-activities, so every đề án of
    # the group draws on it; money allocated to a sub-activity only by that sub-activity's.
    group_allocated = PlanAllocation.objects.filter(
        plan_id=proposal.plan_id, source=source, activity_id=group_id
    ).exists()
    drawing = (
        Q(activity_id=group_id) | Q(activity__parent_id=group_id)
        if group_allocated
        else Q(activity_id__in=activity_ids)
    )
    committed = (
        Proposal.objects.filter(plan_id=proposal.plan_id, status__in=FUNDED_STATES)
        .filter(drawing)
        .exclude(pk=proposal.pk)
        .aggregate(total=Sum(f"approved_{source}"))["total"]
        or 0
    )
    return allocated, committed


def check_allocation(proposal: Proposal, totals) -> list[Check]:
    source = program_source(proposal.level)
    allocated, committed = allocation_remaining(proposal)
    remaining = allocated - committed
    requested = totals[source]
    if requested <= remaining:
        return [
            Check(
                "allocation",
                True,
                _(
                    "The plan has %(remaining)s left for this activity from %(source)s; this "
                    "proposal asks %(requested)s."
                )
                % {
                    "remaining": format_vnd(remaining),
                    "source": FundingSource(source).label,
                    "requested": format_vnd(requested),
                },
            )
        ]
    return [
        Check(
            "allocation",
            False,
            _(
                "The plan has only %(remaining)s left for this activity from %(source)s "
                "(allocated %(allocated)s, "
                "already approved %(committed)s); this proposal asks %(requested)s."
            )
            % {
                "remaining": format_vnd(remaining),
                "source": FundingSource(source).label,
                "allocated": format_vnd(allocated),
                "committed": format_vnd(committed),
                "requested": format_vnd(requested),
            },
        )
    ]


@dataclass(frozen=True)
class JudgingDate:
    """The date a đề án is judged by, and why — the checks panel says both:

    - ``decision``: decided; the rules in force on its decision date;
    - ``planned``: the decision date typed in the decision panel, before recording it;
    - ``chosen``: a date the user chose on the panel while preparing ("judge on");
    - ``today``: preparing, no date given: today's rules, and the panel says so (the
      decision will be judged again by its own date, services.proposal_transition)."""

    date: datetime.date
    reason: str

    @property
    def text(self) -> str:
        day = self.date.strftime("%d/%m/%Y")
        if self.reason == "decision":
            return _("Judged by the rules in force on the decision date, %(date)s.") % {"date": day}
        if self.reason == "planned":
            return _(
                "Judged by the rules in force on the planned decision date, %(date)s (the date "
                "typed in the decision form)."
            ) % {"date": day}
        if self.reason == "chosen":
            return _("Judged by the rules in force on %(date)s, the date you chose.") % {
                "date": day
            }
        return _(
            "No decision date yet: judged by the rules in force today, %(date)s. The decision "
            "will be judged by the rules in force on its own date."
        ) % {"date": day}


def judging_date(
    proposal: Proposal, *, on_date: datetime.date | None = None, reason: str = "chosen"
) -> JudgingDate:
    """The date ``run_checks`` judges by: a date given (``reason`` says whose), else the
    decision date once decided, else today."""
    if on_date is not None:
        return JudgingDate(on_date, reason)
    if proposal.decision_date:
        return JudgingDate(proposal.decision_date, "decision")
    return JudgingDate(timezone.localdate(), "today")


def run_checks(proposal: Proposal, *, on_date: datetime.date | None = None) -> list[Check]:
    """All checks; the rules are those in force on ``on_date`` (the approval date when
    deciding), else on the decision date once decided, else today (``judging_date``)."""
    on_date = judging_date(proposal, on_date=on_date).date
    links = list(
        proposal.beneficiary_links.select_related("beneficiary__commune", "beneficiary__province")
    )
    totals = budget_totals(proposal)
    checks = []
    checks += check_budget(proposal, totals)
    checks += check_beneficiaries(proposal, links, totals)
    checks += check_caps(proposal, totals, links, on_date)
    checks += check_eligibility(links, on_date)
    checks += check_double_funding(proposal, links)
    checks += check_documents(proposal)
    checks += check_allocation(proposal, totals)
    return checks


# Decided by the approval itself, not before: the plan's remaining allocation (checked
# again under the plan's lock when the decision is recorded).
DECIDED_AT_APPROVAL = frozenset({"allocation"})


def blocking_failures(checks: list[Check], *, deciding: bool = True) -> list[Check]:
    """The failed checks that stop the step: at the approval decision (``deciding``) every
    blocking one; before it (submission, and the panel until then) all but those decided at
    approval. services.proposal_transition refuses on these, and the checks panel shows
    exactly these in red."""
    return [
        c
        for c in checks
        if not c.ok and c.blocking and (deciding or c.code not in DECIDED_AT_APPROVAL)
    ]
