"""Reads of đề án shared by the pages, the export and the home page: already scoped to
what the user may see, and already joined so a page costs the same number of queries
whatever the number of rows."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Agency
from accounts.policies import is_national, visible
from beneficiaries.models import Beneficiary
from beneficiaries.selectors import beneficiary_list
from core.text import fold
from programs.models import Activity, AnnualPlan
from projects import workflow
from projects.models import (
    FUNDED_STATES,
    Appraisal,
    AppraisalScore,
    Attachment,
    BudgetLine,
    Proposal,
    ProposalBeneficiary,
    ProposalEvent,
    ProposalOutput,
)
from reference.models import Commune

LIST_FILTERS = ("plan", "year", "province", "kind", "activity", "status", "level", "q")
# Filters the dashboards' drill-down adds (dashboards/forms.py passes them on): the đề án
# behind a figure, with the same meaning as there.
DRILL_FILTERS = (
    "year_from",
    "year_to",
    "program",
    "region",
    "source",
    "stage",
    "agency",
    "commune",
    "compliance",
    "findings",
    "flags",
)
# FUNDED_STATES (projects.models): the statuses in which the approval is in force (the
# dashboards' "approved đề án", the drill-down's stage=funded).


def _requested_total():
    """The budget of a đề án (sum of its lines), as a subquery: no join, no duplicates."""
    return Coalesce(
        Subquery(
            BudgetLine.objects.filter(proposal=OuterRef("pk"))
            .order_by()
            .values("proposal")
            .annotate(total=Sum("amount"))
            .values("total")[:1]
        ),
        0,
    )


def proposal_list(*, user, filters: dict | None = None) -> QuerySet[Proposal]:
    """The đề án ``user`` may see, filtered. ``filters`` (all optional): ``plan``, ``year``,
    ``province``, ``kind``, ``activity`` (a group includes its sub-activities),
    ``status``, ``level`` and ``q`` — the start of a code (KCĐP-SLA-2026…) or part of the
    title, ignoring case and accents ("mo hinh" finds "Mô hình")."""
    filters = filters or {}
    qs = visible(user, Proposal.objects.all()).select_related(
        "plan", "province", "activity", "implementing_agency"
    )
    for name, lookup in (
        ("plan", "plan"),
        ("year", "plan__year"),
        ("province", "province"),
        ("kind", "kind"),
        ("status", "status"),
        ("level", "level"),
    ):
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{lookup: value})
    activity = filters.get("activity")
    if activity:
        qs = qs.filter(Q(activity=activity) | Q(activity__parent=activity))
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(code__istartswith=q) | Q(title_folded__contains=fold(q)))
    qs = _drill_filters(qs, filters)
    return qs.annotate(requested_total=_requested_total()).order_by(
        "-plan__year", "province__code", "plan_id", "sequence"
    )


def _drill_filters(qs: QuerySet[Proposal], filters: dict) -> QuerySet[Proposal]:
    """The dashboards' filters: period (``year_from``/``year_to``), ``program``, ``region``,
    ``source`` (approved with money from it), ``stage="funded"`` (approval in force),
    implementing unit (``agency``), ``commune``, ``compliance`` (a value, or "inspected"),
    ``findings`` ("open" recommendations, or "overdue" ones) and ``flags="open"``."""
    for name, lookup in (
        ("year_from", "plan__year__gte"),
        ("year_to", "plan__year__lte"),
        ("program", "plan__program"),
        ("region", "province__region"),
        ("agency", "implementing_agency"),
        ("commune", "communes"),
    ):
        if filters.get(name) not in (None, ""):
            qs = qs.filter(**{lookup: filters[name]})
    source = filters.get("source")
    if source:
        qs = qs.filter(status__in=FUNDED_STATES, **{f"approved_{source}__gt": 0})
    if filters.get("stage") == "funded":
        qs = qs.filter(status__in=FUNDED_STATES)
    compliance = filters.get("compliance")
    if compliance == "inspected":
        qs = qs.exclude(compliance=Proposal.Compliance.NOT_INSPECTED)
    elif compliance:
        qs = qs.filter(compliance=compliance)
    findings = filters.get("findings")
    if findings:
        # Through the reverse relations: projects does not import the inspections app.
        condition = {
            "inspections__status": "concluded",
            "inspections__recommendations__status": "open",
        }
        if findings == "overdue":
            condition["inspections__recommendations__deadline__lt"] = timezone.localdate()
        qs = qs.filter(pk__in=Proposal.objects.filter(**condition).values("pk"))
    if filters.get("flags") == "open":
        open_flags = Proposal.objects.filter(flags__isnull=False, flags__resolved_on__isnull=True)
        qs = qs.filter(pk__in=open_flags.values("pk"))
    return qs


def proposal_status_counts(queryset: QuerySet[Proposal]) -> dict[str, int]:
    """How many of the listed đề án are in each status (one query)."""
    rows = queryset.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def proposal_detail_queryset(*, user) -> QuerySet[Proposal]:
    return visible(user, Proposal.objects.all()).select_related(
        "plan__program",
        "plan__province",
        "province",
        "activity__parent",
        "implementing_agency",
        "created_by",
    )


def proposal_sections(proposal: Proposal) -> dict:
    """Everything the detail page lists, one query per section."""
    return {
        "links": list(
            ProposalBeneficiary.objects.filter(proposal=proposal).select_related(
                "beneficiary__commune", "beneficiary__province", "beneficiary__sector"
            )
        ),
        "lines": list(BudgetLine.objects.filter(proposal=proposal)),
        "outputs": list(
            ProposalOutput.objects.filter(proposal=proposal).select_related("indicator")
        ),
        "attachments": list(
            Attachment.objects.filter(proposal=proposal).select_related(
                "document_type", "uploaded_by"
            )
        ),
        "appraisals": list(
            Appraisal.objects.filter(proposal=proposal)
            .select_related("appraiser__agency")
            .prefetch_related(
                Prefetch(
                    "scores",
                    queryset=AppraisalScore.objects.select_related("criterion").order_by(
                        "criterion__order", "criterion__code"
                    ),
                )
            )
        ),
        "events": list(
            ProposalEvent.objects.filter(proposal=proposal).select_related("actor")[:200]
        ),
        "communes": list(proposal.communes.order_by("name_folded")),
    }


def proposal_todo(*, user) -> QuerySet[Proposal]:
    """ "Việc cần làm": the đề án waiting for an action of ``user`` (workflow.todo_filter),
    among those the user may see."""
    condition = workflow.todo_filter(user)
    if condition is None:
        return Proposal.objects.none()
    qs = visible(user, Proposal.objects.filter(condition))
    return qs.select_related("province", "activity", "plan").order_by("updated_at")


def plans_for_proposals(*, user) -> QuerySet[AnnualPlan]:
    """Plans a đề án can belong to: the province's own plans and the national plans."""
    return (
        visible(user, AnnualPlan.objects.all())
        .select_related("program", "province")
        .order_by("-year", "province__code", "program__level")
    )


def agencies_for_proposals(*, user) -> QuerySet[Agency]:
    """Implementing units: the agencies of the user's province."""
    if is_national(user):
        return Agency.objects.filter(province__isnull=False).select_related("province")
    return Agency.objects.filter(province_id=user.province_id).order_by("kind", "name")


def activities_for_proposals(*, year: int | None = None) -> QuerySet[Activity]:
    from programs.selectors import activities_in_force

    return activities_in_force(year=year)


def communes_for(proposal: Proposal) -> QuerySet[Commune]:
    return Commune.objects.filter(province_id=proposal.province_id).order_by("name_folded")


def beneficiaries_for(*, user, proposal: Proposal):
    """Establishments that can be listed on the đề án: those of its province the user sees."""
    return visible(user, Beneficiary.objects.filter(province_id=proposal.province_id))


def beneficiary_search(*, user, q: str, limit: int = 10):
    """Establishments for the autocomplete of the đề án form (name or tax code)."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    return list(beneficiary_list(user=user, filters={"q": q})[:limit])
