"""Reads of the money of đề án: the money page of one đề án, the execution of a plan (or
of a province's plans of a year) by activity and funding source, and the tracking card of
the home page. Each read takes a fixed number of queries, whatever the number of đề án or
tranches (sums by conditional aggregation in the database)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.policies import visible
from disbursement.models import SOURCES, Acceptance, Contract, DisbursementFlag, Settlement, Tranche
from programs.models import FUNDING_SOURCE_SHORT, Activity, AnnualPlan, PlanAllocation
from projects.models import Proposal

S = Proposal.Status
T = Tranche.Status
# Đề án whose approved amounts count as approved money of a plan.
APPROVED_STATES = (S.APPROVED, S.IN_IMPLEMENTATION, S.ACCEPTED, S.SETTLED, S.CLOSED)
# Paid money: paid tranches, and reversed ones with their (negative) reversal records.
PAID = (T.PAID, T.REVERSED)
AWAITING = (T.REQUESTED, T.APPROVED)


def rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal (None when there is no base)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _by_source(field: str, sources=SOURCES) -> dict:
    return {
        s: Coalesce(Sum(field, filter=Q(source=s)), Value(0), output_field=IntegerField())
        for s in sources
    }


def _sums(fields_by_source: dict[str, str]) -> dict:
    return {
        s: Coalesce(Sum(field), Value(0), output_field=IntegerField())
        for s, field in fields_by_source.items()
    }


# --- One đề án ------------------------------------------------------------------------------


def proposal_sources(proposal: Proposal) -> list[str]:
    """The programme's own source (KCQG or KCĐP), the counterpart and other sources."""
    own = "kcqg" if proposal.level == "national" else "kcdp"
    return [own, "counterpart", "other"]


def money_summary(proposal: Proposal, contract: Contract | None) -> dict:
    """Per source: approved, contracted, paid, awaiting payment, remaining (approved −
    paid) and the disbursement rate (paid ÷ approved). One query."""
    sums = Tranche.objects.filter(proposal=proposal).aggregate(
        **{
            f"paid_{s}": Coalesce(
                Sum("amount", filter=Q(source=s, status__in=PAID)),
                Value(0),
                output_field=IntegerField(),
            )
            for s in SOURCES
        },
        **{
            f"awaiting_{s}": Coalesce(
                Sum("amount", filter=Q(source=s, status__in=AWAITING)),
                Value(0),
                output_field=IntegerField(),
            )
            for s in SOURCES
        },
    )
    approved = proposal.approved_by_source()
    contracted = contract.amounts() if contract else dict.fromkeys(SOURCES, 0)
    rows = []
    for s in proposal_sources(proposal):
        row = {
            "source": s,
            "label": FUNDING_SOURCE_SHORT[s],
            "approved": approved[s],
            "contracted": contracted[s],
            "paid": sums[f"paid_{s}"],
            "awaiting": sums[f"awaiting_{s}"],
        }
        row["remaining"] = row["approved"] - row["paid"]
        row["rate"] = rate(row["paid"], row["approved"])
        rows.append(row)
    total = {
        key: sum(r[key] for r in rows)
        for key in ("approved", "contracted", "paid", "awaiting", "remaining")
    }
    total["rate"] = rate(total["paid"], total["approved"])
    return {"rows": rows, "total": total}


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
        "summary": money_summary(proposal, contract),
        "acceptance": Acceptance.objects.filter(proposal=proposal)
        .select_related("recorded_by")
        .first(),
        "settlement": Settlement.objects.filter(proposal=proposal)
        .select_related("recorded_by")
        .first(),
        "outputs": list(proposal.outputs.select_related("indicator")),
        "flags": list(proposal.flags.filter(resolved_on__isnull=True)),
    }


# --- Execution of plans ---------------------------------------------------------------------


def execution_table(plans: QuerySet[AnnualPlan], sources=SOURCES) -> dict:
    """Allocated, approved, contracted and paid money by activity and funding source for
    ``plans``, with rate = paid ÷ allocated; the totals are the sums of the rows. Five
    queries whatever the number of plans, đề án or tranches.

    A đề án counts under its own activity when the plan allocates to it, under the parent
    group when the plan allocates to the group (national plans allocate to groups)."""
    plan_ids = list(plans.values_list("pk", flat=True))
    allocated = {
        r["activity"]: r
        for r in PlanAllocation.objects.filter(plan__in=plan_ids)
        .values("activity")
        .annotate(**_by_source("amount", sources))
    }
    approved = list(
        Proposal.objects.filter(plan__in=plan_ids, status__in=APPROVED_STATES)
        .values(key=F("activity"), parent=F("activity__parent"))
        .annotate(**_sums({s: f"approved_{s}" for s in sources}))
    )
    contracted = list(
        Contract.objects.filter(proposal__plan__in=plan_ids, active=True)
        .values(key=F("proposal__activity"), parent=F("proposal__activity__parent"))
        .annotate(**_sums({s: s for s in sources}))
    )
    paid = list(
        Tranche.objects.filter(proposal__plan__in=plan_ids, status__in=PAID)
        .values(key=F("proposal__activity"), parent=F("proposal__activity__parent"))
        .annotate(**_by_source("amount", sources))
    )

    def row_key(r):
        if r["key"] in allocated or r["parent"] not in allocated:
            return r["key"]
        return r["parent"]

    figures: dict[int, dict[str, dict[str, int]]] = {}
    for activity_id, r in allocated.items():
        cell = figures.setdefault(activity_id, {})
        for s in sources:
            cell.setdefault(s, dict.fromkeys(("allocated", "approved", "contracted", "paid"), 0))
            cell[s]["allocated"] += r[s]
    for measure, rows in (("approved", approved), ("contracted", contracted), ("paid", paid)):
        for r in rows:
            cell = figures.setdefault(row_key(r), {})
            for s in sources:
                cell.setdefault(
                    s, dict.fromkeys(("allocated", "approved", "contracted", "paid"), 0)
                )
                cell[s][measure] += r[s]
    activities = Activity.objects.in_bulk(list(figures))
    rows = []
    for activity_id in sorted(figures, key=lambda a: (activities[a].order, activities[a].code)):
        for s in sources:
            cell = figures[activity_id][s]
            if not any(cell.values()):
                continue
            rows.append(
                {
                    "activity": activities[activity_id],
                    "source": s,
                    "source_label": FUNDING_SOURCE_SHORT[s],
                    **cell,
                    "rate": rate(cell["paid"], cell["allocated"]),
                }
            )
    measures = ("allocated", "approved", "contracted", "paid")
    total = {m: sum(r[m] for r in rows) for m in measures}
    total["rate"] = rate(total["paid"], total["allocated"])
    by_source = []
    for s in sources:
        sums = {m: sum(r[m] for r in rows if r["source"] == s) for m in measures}
        if any(sums.values()):
            by_source.append(
                {
                    "source": s,
                    "source_label": FUNDING_SOURCE_SHORT[s],
                    **sums,
                    "rate": rate(sums["paid"], sums["allocated"]),
                }
            )
    return {"rows": rows, "total": total, "by_source": by_source}


def plan_execution(plan: AnnualPlan) -> dict:
    from programs.selectors import plan_sources

    return execution_table(
        AnnualPlan.objects.filter(pk=plan.pk), [str(s) for s in plan_sources(plan)]
    )


def province_plans(*, user, province, year: int) -> QuerySet[AnnualPlan]:
    return visible(user, AnnualPlan.objects.filter(province=province, year=year)).select_related(
        "program"
    )


# --- Home page --------------------------------------------------------------------------------


def tracking(*, user, limit: int = 20) -> dict:
    """The đề án of the user's province being implemented or waiting for their contract,
    with approved / contracted / paid / remaining, the rate, the next expected tranche and
    the open warnings. Subqueries, so one query for the list whatever its length."""
    proposals = visible(user, Proposal.objects.all()).filter(
        status__in=(S.APPROVED, S.IN_IMPLEMENTATION)
    )

    def contract_sum():
        total = sum((F(s) for s in SOURCES[1:]), F(SOURCES[0]))
        return Subquery(
            Contract.objects.filter(proposal=OuterRef("pk"), active=True)
            .annotate(t=total)
            .values("t")[:1],
            output_field=IntegerField(),
        )

    def tranche_agg(expr, statuses):
        return Subquery(
            Tranche.objects.filter(proposal=OuterRef("pk"), status__in=statuses)
            .order_by()
            .values("proposal")
            .annotate(v=expr)
            .values("v"),
        )

    rows = list(
        proposals.select_related("province")
        .annotate(
            contracted=Coalesce(contract_sum(), Value(0)),
            paid=Coalesce(tranche_agg(Sum("amount"), PAID), Value(0)),
            next_due=tranche_agg(Min("due_on"), AWAITING),
            open_flags=Coalesce(
                Subquery(
                    DisbursementFlag.objects.filter(
                        proposal=OuterRef("pk"), resolved_on__isnull=True
                    )
                    .order_by()
                    .values("proposal")
                    .annotate(n=Count("id"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
        .order_by("code")[:limit]
    )
    for p in rows:
        p.remaining = p.approved_total - p.paid
        p.rate = rate(p.paid, p.approved_total)
    approved = sum(p.approved_total for p in rows)
    paid = sum(p.paid for p in rows)
    return {
        "tracking": rows,
        "tracking_total": {
            "approved": approved,
            "contracted": sum(p.contracted for p in rows),
            "paid": paid,
            "remaining": approved - paid,
            "rate": rate(paid, approved),
            "open_flags": sum(p.open_flags for p in rows),
        },
    }
