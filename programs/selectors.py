"""Reads shared by the programme and plan pages, already scoped to the user."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Prefetch, Q, Sum

from accounts.policies import visible
from core.funding import (
    KC_SOURCES,
    FundingSource,
    kc_sum,
    level_sources,
)
from programs.models import (
    Activity,
    AnnualPlan,
    LegalDocument,
    PlanAllocation,
    PlanBudget,
    Program,
    SupportCap,
)


def program_list(*, user):
    return (
        visible(user, Program.objects.all())
        .select_related("province", "decision")
        .annotate(plan_count=Count("plans", distinct=True))
        .order_by("-start_year", "level", "province__code")
    )


def program_detail_queryset(*, user):
    return visible(user, Program.objects.all()).select_related("province", "decision")


def plan_list(*, user):
    """The annual plans ``user`` may see, newest first (programs.filters narrows them)."""
    return (
        visible(user, AnnualPlan.objects.all())
        .select_related("program", "province")
        .annotate(
            # Khuyến công funds only (core.measures): counterpart money is not in the total.
            budget_total=Sum(
                "budgets__amount", filter=Q(budgets__source__in=KC_SOURCES), distinct=False
            ),
        )
        .order_by("-year", "province__code", "program__start_year")
    )


def plan_detail_queryset(*, user):
    return visible(user, AnnualPlan.objects.all()).select_related(
        "program", "province", "created_by"
    )


def plan_sources(plan: AnnualPlan) -> list[FundingSource]:
    """Funding sources that apply to a plan: KCQG for national, KCĐP for local plans."""
    return [FundingSource(s) for s in level_sources(plan.program.level)]


def plan_budget_table(plan: AnnualPlan) -> dict:
    """Budget, allocated and remaining per source, and the allocation matrix by activity.
    Two queries whatever the number of rows."""
    sources = plan_sources(plan)
    budgets = {b.source: b.amount for b in PlanBudget.objects.filter(plan=plan)}
    allocations = PlanAllocation.objects.filter(plan=plan).select_related("activity")
    matrix: dict[int, dict] = {}
    allocated = defaultdict(int)
    for a in allocations:
        row = matrix.setdefault(
            a.activity_id, {"activity": a.activity, "amounts": defaultdict(int)}
        )
        row["amounts"][a.source] += a.amount
        allocated[a.source] += a.amount
    rows = sorted(matrix.values(), key=lambda r: (r["activity"].order, r["activity"].code))
    for row in rows:
        row["cells"] = [row["amounts"].get(s, 0) for s in sources]
    summary = [
        {
            "source": s,
            "budget": budgets.get(s, 0),
            "allocated": allocated.get(s, 0),
            "remaining": budgets.get(s, 0) - allocated.get(s, 0),
            "kc": s in KC_SOURCES,
        }
        for s in sources
    ]
    return {
        "sources": sources,
        "summary": summary,
        "rows": rows,
        "column_totals": [allocated.get(s, 0) for s in sources],
        # Totals of khuyến công funds; counterpart and other sources are rows of their own.
        "budget_total": kc_sum(budgets),
        "allocated_total": kc_sum(allocated),
        "remaining_total": kc_sum(budgets) - kc_sum(allocated),
    }


def activities_in_force(*, year: int | None = None):
    qs = Activity.objects.select_related("parent", "legal_basis")
    if year:
        qs = qs.filter(valid_from__year__lte=year).filter(
            Q(valid_to__isnull=True) | Q(valid_to__year__gte=year)
        )
    return qs.order_by("order", "code")


def legal_document_list(*, user):
    return (
        visible(user, LegalDocument.objects.all())
        .select_related("province")
        .prefetch_related(Prefetch("amends", queryset=LegalDocument.objects.only("number")))
    )


def cap_list(*, user):
    return visible(user, SupportCap.objects.all()).select_related(
        "activity", "province", "legal_document"
    )
