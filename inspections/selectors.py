"""Reads of inspections shared by the pages and the dashboards: scoped with
``accounts.policies.visible`` and joined, so a page costs the same number of queries
whatever the number of rows."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.policies import visible
from inspections.models import (
    IN_PROGRESS_STATES,
    Inspection,
    InspectionAnswer,
    InspectionPhoto,
    Recommendation,
)
from projects.models import FUNDED_STATES, Proposal


def _count(queryset, **filters):
    """A correlated COUNT of ``queryset`` rows per inspection (no join, no duplicates)."""
    return Coalesce(
        Subquery(
            queryset.filter(inspection=OuterRef("pk"), **filters)
            .order_by()
            .values("inspection")
            .annotate(n=Count("id"))
            .values("n")
        ),
        Value(0),
    )


def open_recommendations(*, user) -> QuerySet[Recommendation]:
    """Open findings: recommendations of concluded inspections not remedied yet."""
    return visible(user, Recommendation.objects.all()).filter(
        status=Recommendation.Status.OPEN, inspection__status=Inspection.Status.CONCLUDED
    )


def inspection_list(*, user) -> QuerySet[Inspection]:
    """The inspections ``user`` may see, newest first, with their open and overdue
    recommendations and photos counted (inspections.filters narrows them)."""
    today = timezone.localdate()
    qs = visible(user, Inspection.objects.all()).select_related(
        "proposal__province", "proposal__activity"
    )
    open_rows = Recommendation.objects.filter(status=Recommendation.Status.OPEN)
    qs = qs.annotate(
        open_count=_count(open_rows),
        overdue_count=_count(open_rows, deadline__lt=today),
        photo_count=_count(InspectionPhoto.objects.all()),
    )
    return qs.order_by("-planned_on", "-id")


def inspection_detail_queryset(*, user) -> QuerySet[Inspection]:
    return visible(user, Inspection.objects.all()).select_related(
        "proposal__province",
        "proposal__plan",
        "proposal__activity__parent",
        "proposal__implementing_agency",
        "contract",
        "created_by",
        "concluded_by",
    )


def inspection_sections(inspection: Inspection) -> dict:
    """The checklist, photos, recommendations and tranches in scope (one query each)."""
    return {
        "answers": list(
            InspectionAnswer.objects.filter(inspection=inspection).select_related("item")
        ),
        "photos": list(
            InspectionPhoto.objects.filter(inspection=inspection).select_related("uploaded_by")
        ),
        "recommendations": list(
            Recommendation.objects.filter(inspection=inspection).select_related("updated_by")
        ),
        "tranches": list(inspection.tranches.order_by("recorded_at", "id")),
    }


def proposal_inspections(proposal: Proposal) -> list[Inspection]:
    """The inspections of one đề án, newest first, with their open recommendations."""
    return list(
        Inspection.objects.filter(proposal=proposal)
        .annotate(
            open_count=_count(Recommendation.objects.filter(status=Recommendation.Status.OPEN))
        )
        .order_by("-planned_on", "-id")
    )


def findings(*, user) -> QuerySet[Recommendation]:
    """Open findings ordered by deadline, the most overdue first (inspections.filters
    narrows them)."""
    qs = open_recommendations(user=user).select_related(
        "inspection__proposal__province", "updated_by"
    )
    return qs.order_by("deadline", "id")


def compliance_summary(*, user) -> dict:
    """For the dashboards: the approved đề án of the user's scope by compliance status,
    the open and overdue recommendations and the inspections planned ahead."""
    today = timezone.localdate()
    # Compliance is followed from the approval on (before it, only an on-site appraisal
    # may have been done).
    proposals = visible(user, Proposal.objects.filter(status__in=FUNDED_STATES))
    counts = {
        row["compliance"]: row["n"]
        for row in proposals.order_by().values("compliance").annotate(n=Count("id"))
    }
    # Counted from the dashboards' rollup of open findings (the same definition as
    # ``open_recommendations``, kept by triggers; tests/dashboards/test_rollups.py): a few
    # thousand cells nationally instead of a join of every recommendation.
    from dashboards.models import FindingsRollup

    recommendations = visible(user, FindingsRollup.objects.filter(what="finding")).aggregate(
        open=Coalesce(Sum("items"), 0),
        overdue=Coalesce(Sum("items", filter=Q(deadline__lt=today)), 0),
    )
    planned = visible(user, Inspection.objects.all()).filter(status__in=IN_PROGRESS_STATES).count()
    return {
        "compliance_counts": [
            (value, label, counts.get(value, 0)) for value, label in Proposal.Compliance.choices
        ],
        "compliance_total": sum(counts.values()),
        "open_findings": recommendations["open"],
        "overdue_findings": recommendations["overdue"],
        "inspections_in_progress": planned,
    }
