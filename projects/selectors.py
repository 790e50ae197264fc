"""Reads of đề án shared by the pages, the export and the home page: already scoped to
what the user may see, and already joined so a page costs the same number of queries
whatever the number of rows."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import Agency
from accounts.policies import is_national, visible
from beneficiaries.models import Beneficiary
from beneficiaries.selectors import beneficiary_list, beneficiary_matching
from programs.models import Activity, AnnualPlan
from projects import appraisal, workflow
from projects.models import (
    LIST_ORDER,
    Appraisal,
    AppraisalCouncil,
    AppraisalScore,
    Attachment,
    BudgetLine,
    CouncilProposal,
    Proposal,
    ProposalBeneficiary,
    ProposalEvent,
    ProposalOutput,
)
from reference.models import Commune


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


def proposal_list(*, user) -> QuerySet[Proposal]:
    """The đề án ``user`` may see, with their budget, in the list's order
    (projects.filters.ProposalFilterSet narrows them)."""
    qs = visible(user, Proposal.objects.all()).select_related(
        "plan", "province", "activity", "implementing_agency"
    )
    return qs.annotate(requested_total=_requested_total()).order_by(*LIST_ORDER)


def proposal_status_counts(queryset: QuerySet[Proposal]) -> dict[str, int]:
    """How many of the listed đề án are in each status (one query)."""
    # COUNT(*): the status index alone answers it (an index-only scan), no table scan.
    rows = queryset.order_by().values("status").annotate(n=Count("*"))
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
    return list(beneficiary_matching(beneficiary_list(user=user), q)[:limit])


# --- Appraisal councils ----------------------------------------------------------------------


def council_list(*, user) -> QuerySet[AppraisalCouncil]:
    """The councils ``user`` may see (a Sở's its province's, the ministry every one)."""
    return (
        visible(user, AppraisalCouncil.objects.all())
        .select_related("agency__province")
        .annotate(
            proposal_count=Count("proposal_links", distinct=True),
            member_count=Count("members", distinct=True),
        )
        .order_by("-year", "-meeting_date", "-id")
    )


def council_queryset(*, user) -> QuerySet[AppraisalCouncil]:
    return visible(user, AppraisalCouncil.objects.all()).select_related(
        "agency__province", "created_by"
    )


def council_link_queryset(*, user) -> QuerySet[CouncilProposal]:
    """The đề án before councils, as ``user`` may see them (the council's scope)."""
    return CouncilProposal.objects.filter(
        council__in=visible(user, AppraisalCouncil.objects.all())
    ).select_related("council__agency__province", "proposal__province", "proposal__activity")


def council_board(council: AppraisalCouncil) -> dict:
    """The council's members, its đề án and every member's sheet on each (three queries)."""
    seats = list(council.members.select_related("user").order_by("order", "id"))
    links = list(
        council.proposal_links.select_related(
            "proposal__province", "proposal__activity", "concluded_by"
        ).order_by("order", "id")
    )
    # The separation checks of every row read the drafters: once for all the đề án.
    appraisal.drafters_of(link.proposal for link in links)
    sheets = {
        (s.proposal_id, s.appraiser_id): s
        for s in Appraisal.objects.filter(council=council).prefetch_related(
            Prefetch(
                "scores",
                queryset=AppraisalScore.objects.select_related("criterion").order_by(
                    "criterion__order", "criterion__code"
                ),
            )
        )
    }
    return {"seats": seats, "links": links, "sheets": sheets}


def sheets_to_fill(*, user, proposal: Proposal) -> list[CouncilProposal]:
    """The open councils in which ``user`` sits and ``proposal`` waits for their
    conclusion: the score sheets the user may open from the đề án's page."""
    return list(
        CouncilProposal.objects.filter(
            proposal=proposal,
            concluded_at=None,
            council__status=AppraisalCouncil.Status.OPEN,
            council__members__user=user,
        ).select_related("council")
    )


def sheets_waiting(*, user, limit: int = 10) -> list[CouncilProposal]:
    """The score sheets ``user`` still owes: the đề án before an open council they sit on,
    not concluded yet, that they have not scored (the home page's to-do)."""
    scored = Appraisal.objects.filter(
        council=OuterRef("council"), proposal=OuterRef("proposal"), appraiser=user
    )
    return list(
        CouncilProposal.objects.filter(
            concluded_at=None,
            council__status=AppraisalCouncil.Status.OPEN,
            council__members__user=user,
        )
        .exclude(Exists(scored))
        .select_related("council", "proposal")
        .order_by("council__meeting_date", "order", "id")[:limit]
    )
