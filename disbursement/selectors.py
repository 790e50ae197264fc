"""Reads of the money of đề án: the money page of one đề án, the execution of a plan (or
of a province's plans of a year) by activity and funding source, and the tracking card of
the home page. Each read takes a fixed number of queries, whatever the number of đề án or
tranches (sums by conditional aggregation in the database)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policies import visible
from core.formatting import format_decimal
from core.funding import (
    KC_SOURCES,
    SOURCE_SHORT,
    SOURCES,
    level_sources,
)
from core.measures import percent
from disbursement.figures import MoneyFigures, annotate_money, money_figures
from disbursement.models import (
    Acceptance,
    Contract,
    Liquidation,
    ProgressReport,
    Settlement,
    Tranche,
)
from programs import rules
from programs.models import Activity, AnnualPlan, PlanAllocation
from projects.models import Proposal

S = Proposal.Status


# --- One đề án ------------------------------------------------------------------------------


def proposal_sources(proposal: Proposal) -> list[str]:
    """The programme's own source (KCQG or KCĐP), the counterpart and other sources."""
    return level_sources(proposal.level)


def _single_source(figures: MoneyFigures, source: str) -> MoneyFigures:
    """The figures of one khuyến công source alone (its rates are that source's)."""
    if source not in KC_SOURCES:
        raise ValueError(f"rates are on khuyến công funds only, not {source!r}")

    def only(amounts):
        return {s: (v if s == source else 0) for s, v in amounts.items()}

    allocated = figures.allocated_by_source
    return MoneyFigures(
        {m: only(by_source) for m, by_source in figures.amounts.items()},
        None if allocated is None else only(allocated),
    )


def money_summary(proposal: Proposal) -> dict:
    """Per source of the đề án: approved, contracted, paid, awaiting payment, remaining
    (approved − paid); the total is khuyến công funds only (disbursement.figures), with
    the disbursement rate paid ÷ approved khuyến công funds; the counterpart and other
    sources are rows of their own, never in the total. Four queries."""
    figures = money_figures(Proposal.objects.filter(pk=proposal.pk))
    rows = []
    for s in proposal_sources(proposal):
        row = {
            "source": s,
            "label": SOURCE_SHORT[s],
            "kc": s in KC_SOURCES,
            "approved": figures.source("approved", s),
            "contracted": figures.source("contracted", s),
            "paid": figures.source("paid", s),
            "awaiting": figures.source("pending", s),
            "returned": figures.source("returned", s),
        }
        row["remaining"] = row["approved"] - row["paid"]
        row["rate"] = _single_source(figures, s).rate if row["kc"] else None
        rows.append(row)
    total = {
        "approved": figures.approved,
        "contracted": figures.contracted,
        "paid": figures.paid,
        "awaiting": figures.pending,
        "returned": figures.returned,
        "remaining": figures.remaining,
        "rate": figures.rate,
    }
    return {"rows": rows, "total": total, "figures": figures}


def money_page(proposal: Proposal) -> dict:
    """Everything the money page of a đề án shows, in a fixed number of queries."""
    contracts = list(proposal.contracts.select_related("recorded_by").order_by("-version"))
    contract = next((c for c in contracts if c.active), None)
    tranches = list(
        proposal.tranches.select_related("recorded_by", "approved_by", "reverses").order_by(
            "recorded_at", "id"
        )
    )
    return {
        "contracts": contracts,
        "contract": contract,
        "tranches": tranches,
        "summary": money_summary(proposal),
        "acceptance": Acceptance.objects.filter(proposal=proposal)
        .select_related("recorded_by")
        .first(),
        "settlement": Settlement.objects.filter(proposal=proposal)
        .select_related("recorded_by")
        .first(),
        "outputs": list(proposal.outputs.select_related("indicator")),
        "flags": list(proposal.flags.filter(resolved_on__isnull=True)),
        "liquidation": Liquidation.objects.filter(proposal=proposal)
        .select_related("recorded_by", "contract")
        .first(),
        "progress_reports": list(
            proposal.progress_reports.select_related("recorded_by").order_by("-reported_on", "-id")
        ),
        "advances": advance_rows(proposal, contract),
    }


# --- Advances ---------------------------------------------------------------------------


def advanced_by_source(proposal: Proposal, source: str, *, excluding=None) -> int:
    """The đề án's advances from ``source`` not rejected nor reversed (net of reversals:
    a reversed advance no longer counts; its reversal is not an advance)."""
    return (
        Tranche.objects.filter(proposal=proposal, source=source, kind=Tranche.Kind.ADVANCE)
        .exclude(status__in=[Tranche.Status.REJECTED, Tranche.Status.REVERSED])
        .exclude(pk=excluding.pk if excluding is not None else None)
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )


def latest_progress(proposal: Proposal) -> ProgressReport | None:
    """The progress report that counts: the latest."""
    return proposal.progress_reports.order_by("-reported_on", "-id").first()


def more_than_half_done(proposal: Proposal) -> bool:
    """Thông tư 36/2013/TT-BCT: "trên 50 % khối lượng" — 50 % is not enough."""
    report = latest_progress(proposal)
    return report is not None and report.percent_done > 50


def advance_share() -> Decimal:
    """The most an advance may be, as a share of the contract, where no advance rule is
    recorded (configurable)."""
    return Decimal(str(getattr(settings, "DISBURSEMENT_ADVANCE_MAX_SHARE", "0.5")))


def advance_limit_for(proposal: Proposal, contract: Contract | None, source: str, on_date):
    """The advance limit in force for ``source``: (rule or None, the most that may be
    advanced in whole đồng, why it is that much). Without a rule (programs.AdvanceLimit)
    the portal's configurable share (DISBURSEMENT_ADVANCE_MAX_SHARE) applies."""
    contracted = getattr(contract, source) if contract is not None else 0
    rule = rules.advance_limit(proposal, source, on_date)
    if rule is not None:
        return (
            rule,
            rules.advance_amount_limit(rule, contracted),
            rules.describe_advance_limit(rule),
        )
    limit = int(Decimal(contracted) * advance_share())
    reason = _("at most %(share)s%% of the contract (the portal's setting)") % {
        "share": format_decimal(advance_share() * 100)
    }
    return None, limit, reason


def advance_rows(proposal: Proposal, contract) -> list[dict]:
    """For the tranche forms: per khuyến công source of the contract, the advance limit in
    force today (the same answer the services check), what is already advanced and what
    remains, and whether the advance waits for more than half of the work."""
    if contract is None:
        return []
    today = timezone.localdate()
    rows = []
    for source in SOURCES:
        if not getattr(contract, source) or source not in KC_SOURCES:
            continue
        rule, limit, reason = advance_limit_for(proposal, contract, source, today)
        advanced = advanced_by_source(proposal, source)
        rows.append(
            {
                "source": source,
                "label": SOURCE_SHORT[source],
                "limit": limit,
                "reason": reason,
                "advanced": advanced,
                "remaining": max(limit - advanced, 0),
                "waits_for_half": bool(
                    rule and rule.requires_more_than_half_done and not more_than_half_done(proposal)
                ),
            }
        )
    return rows


# --- Execution of plans ---------------------------------------------------------------------

EXECUTION_MEASURES = ("allocated", "approved", "contracted", "paid")


def _row(activity, source: str, figures: MoneyFigures) -> dict:
    one = _single_source(figures, source)
    return {
        "activity": activity,
        "source": source,
        "source_label": SOURCE_SHORT[source],
        **{m: figures.source(m, source) for m in EXECUTION_MEASURES},
        "rate": one.rate,
        "rate_ratio": one.rate_ratio,
        "rate_allocated": one.rate_allocated,
        "rate_allocated_ratio": one.rate_allocated_ratio,
    }


def execution_table(proposals: QuerySet[Proposal], plans: QuerySet[AnnualPlan]) -> dict:
    """Allocated, approved, contracted and paid khuyến công funds by activity and source for
    the đề án ``proposals``, with the allocations of ``plans``; seven queries whatever the
    number of plans, đề án or tranches (disbursement.figures).

    ``rows`` are khuyến công funds (KCQG, KCĐP) only and ``total`` is their sum (with
    ``by_source`` the sum per source); ``beside`` gives the counterpart and other sources
    as lines of their own, never added in. ``total.rate`` = paid ÷ approved khuyến công
    funds (the default rate, the dashboards' for the same đề án); ``total.rate_allocated``
    = paid ÷ allocated, over the đề án of ``plans`` only (``plan_paid``), since only they
    have an allocation.

    A đề án counts under its own activity when the plans allocate to it, under the parent
    group when they allocate to the group (national plans allocate to groups)."""
    plan_ids = set(plans.values_list("pk", flat=True))
    allocations = (
        PlanAllocation.objects.filter(plan__in=plan_ids)
        .values("activity", "source")
        .annotate(amount=Sum("amount"))
    )
    allocated: dict[int, dict[str, int]] = {}
    for r in allocations:
        allocated.setdefault(r["activity"], dict.fromkeys(SOURCES, 0))[r["source"]] += r["amount"]
    groups = money_figures(
        proposals, by={"activity": "activity", "parent": "activity__parent", "plan": "plan"}
    )

    def row_key(activity, parent):
        if activity in allocated or parent not in allocated:
            return activity
        return parent

    by_activity: dict[int, MoneyFigures] = {
        a: MoneyFigures().with_allocated(amounts) for a, amounts in allocated.items()
    }
    in_plans = MoneyFigures()
    everything = MoneyFigures()
    for (activity, parent, plan), figures in groups.items():
        key = row_key(activity, parent)
        by_activity[key] = by_activity.get(key, MoneyFigures().with_allocated({})) + figures
        everything = everything + figures
        if plan in plan_ids:
            in_plans = in_plans + figures
    total_allocated = {s: sum(a[s] for a in allocated.values()) for s in SOURCES}
    everything = everything.with_allocated(total_allocated)
    in_plans = in_plans.with_allocated(total_allocated)

    activities = Activity.objects.in_bulk(list(by_activity))
    rows = []
    for activity_id in sorted(by_activity, key=lambda a: (activities[a].order, activities[a].code)):
        figures = by_activity[activity_id]
        for s in KC_SOURCES:
            if any(figures.source(m, s) for m in EXECUTION_MEASURES):
                rows.append(_row(activities[activity_id], s, figures))
    by_source = [
        _row(None, s, everything)
        for s in KC_SOURCES
        if any(everything.source(m, s) for m in EXECUTION_MEASURES)
    ]
    total = {
        "allocated": everything.allocated,
        "approved": everything.approved,
        "contracted": everything.contracted,
        "paid": everything.paid,
        "remaining": everything.remaining,
        "rate": everything.rate,
        "rate_ratio": everything.rate_ratio,
        "plan_paid": in_plans.paid,
        "rate_allocated": in_plans.rate_allocated,
        "rate_allocated_ratio": in_plans.rate_allocated_ratio,
    }
    beside = [
        {**line, "source_label": SOURCE_SHORT[line["source"]]} for line in everything.beside()
    ]
    return {
        "rows": rows,
        "by_source": by_source,
        "total": total,
        "beside": beside,
        "figures": everything,
        "plan_figures": in_plans,
        # Some đề án are outside the plans (a province's KCQG đề án): the rate against the
        # plan covers the plans' own đề án only, and the page says so.
        "outside_plans": in_plans.paid != everything.paid
        or in_plans.approved != everything.approved,
    }


def plan_execution(plan: AnnualPlan) -> dict:
    """The execution of one plan: every đề án of the plan (a national plan's figures by
    activity are aggregates of every province, shown to whoever may see the plan)."""
    return execution_table(
        Proposal.objects.filter(plan=plan), AnnualPlan.objects.filter(pk=plan.pk)
    )


def province_plans(*, user, province, year: int) -> QuerySet[AnnualPlan]:
    """The province's own (local) plans of the year."""
    return visible(user, AnnualPlan.objects.filter(province=province, year=year)).select_related(
        "program"
    )


def province_proposals(*, user, province, year: int) -> QuerySet[Proposal]:
    """Every đề án implemented in the province whose plan is of ``year``: those of its local
    plans and the national (KCQG) đề án in the province, as the dashboards count them
    (dashboards.models.ProposalFigures: the đề án's province, its plan's year)."""
    return visible(user, Proposal.objects.filter(province=province, plan__year=year))


def province_execution(*, user, province, year: int) -> dict:
    plans = province_plans(user=user, province=province, year=year)
    table = execution_table(province_proposals(user=user, province=province, year=year), plans)
    return {"plans": list(plans), "table": table}


# --- Home page --------------------------------------------------------------------------------

# The đề án on the centre's card: approved and waiting for their contract, or being
# implemented, whatever the year of their plan (the plan's year is a column).
TRACKED_STATES = (S.APPROVED, S.IN_IMPLEMENTATION)


def tracking(*, user, limit: int = 20) -> dict:
    """The đề án of the user's province approved or being implemented, of every plan year,
    with khuyến công funds approved / contracted / paid / remaining, the rate (paid ÷
    approved khuyến công funds), the next expected tranche and the open warnings. The
    first ``limit`` rows are listed; the totals are over every đề án counted, summed in
    the database (disbursement.figures). Seven queries whatever the number of đề án."""
    proposals = visible(user, Proposal.objects.all()).filter(status__in=TRACKED_STATES)
    rows = list(
        annotate_money(proposals.select_related("province", "plan")).order_by("code")[:limit]
    )
    for p in rows:
        p.kc_approved = p.approved_kc
        p.remaining = p.kc_approved - p.kc_paid
        p.rate = percent(p.kc_paid, p.kc_approved)  # the default rate (core.measures)
    figures = money_figures(proposals)
    counts = proposals.aggregate(
        n=Count("pk", distinct=True),
        open_flags=Count("flags", filter=Q(flags__resolved_on__isnull=True), distinct=True),
    )
    return {
        "tracking": rows,
        "tracking_total": {
            "count": counts["n"],
            "approved": figures.approved,
            "contracted": figures.contracted,
            "paid": figures.paid,
            "remaining": figures.remaining,
            "rate": figures.rate,
            "counterpart": figures.counterpart,
            "open_flags": counts["open_flags"],
        },
    }
