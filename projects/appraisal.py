"""The appraisal of a đề án as the councils hold it: the one place that says what a
stage's result is (:func:`stage_result`, :func:`stage_results`), how a council's average
is computed (:func:`council_average`), what the council's rule recommends
(:func:`suggested_recommendation`) and who may not appraise a đề án they drafted
(:func:`separation_refusal`).

The workflow (``projects.workflow.appraisal_recorded``), the services, the pages, the
minutes (reports) and the annual cycle's batch list and plan draft all read these; none
computes a stage's result of its own.

As the issue reads Thông tư 36/2013/TT-BCT (not checked against the published text here),
the Sở holds the grassroots appraisal of national đề án by a council or by designated staff
and the Cục appraises them. No text found sets a pass mark or a rule of separation: both
below are the portal's settings (``settings.APPRAISAL_PASS_SCORE``,
``settings.APPRAISAL_SEPARATION``), defaults an administrator may change — not legal facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import DateTimeField, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from projects.models import (
    Appraisal,
    AppraisalCouncil,
    AppraisalStage,
    CouncilProposal,
    Proposal,
    ProposalEvent,
)

STAGE = AppraisalStage
REC = Appraisal.Recommendation

# The council's rule: it recommends approval when the average of its members' weighted
# scores reaches this mark (out of 100). A setting of the portal, not a legal figure.
DEFAULT_PASS_SCORE = Decimal(70)

# Separation of duties: who drafted or submitted a đề án may not appraise it alone.
#   "not_member" (default): they may not sit on a council (nor be a designated officer)
#       that appraises it, so they neither score it nor conclude on it;
#   "not_alone": they may sit on it, but not as its only member, and the conclusion needs
#       the sheet of a member who did not draft it.
SEPARATION_NOT_MEMBER = "not_member"
SEPARATION_NOT_ALONE = "not_alone"
SEPARATION_RULES = (SEPARATION_NOT_MEMBER, SEPARATION_NOT_ALONE)
DEFAULT_SEPARATION = SEPARATION_NOT_MEMBER

# The workflow step after which a stage's appraisal starts again (an appraisal of an
# earlier version, before a return or an amendment, does not count).
STAGE_START = {STAGE.PROVINCE: "submit", STAGE.MINISTRY: "forward"}


def pass_score() -> Decimal:
    return Decimal(str(getattr(settings, "APPRAISAL_PASS_SCORE", DEFAULT_PASS_SCORE)))


def separation_rule() -> str:
    rule = getattr(settings, "APPRAISAL_SEPARATION", DEFAULT_SEPARATION)
    if rule not in SEPARATION_RULES:
        raise ValueError(f"APPRAISAL_SEPARATION must be one of {SEPARATION_RULES}, not {rule!r}")
    return rule


# --- The result of a stage ------------------------------------------------------------------


@dataclass(frozen=True)
class StageResult:
    """A đề án's appraisal at one stage: the council that holds it (None: none yet), the
    average score and the recommendation of its conclusion (None and "" until concluded)."""

    council: AppraisalCouncil | None
    score: Decimal | None
    recommendation: str
    concluded_at: object = None
    link: CouncilProposal | None = None

    @property
    def concluded(self) -> bool:
        return self.concluded_at is not None

    @property
    def approves(self) -> bool:
        return self.recommendation == REC.APPROVE

    @property
    def recommendation_label(self) -> str:
        return str(REC(self.recommendation).label) if self.recommendation else ""


NO_RESULT = StageResult(council=None, score=None, recommendation="")


def _stage_start(stage: str):
    """When the đề án last entered the stage (its last submit/forward), as a subquery on a
    CouncilProposal row; a đề án never submitted (history) counts from the beginning."""
    return Coalesce(
        Subquery(
            ProposalEvent.objects.filter(proposal=OuterRef("proposal"), action=STAGE_START[stage])
            .order_by()
            .values("proposal")
            .annotate(at=Max("created_at"))
            .values("at")[:1]
        ),
        Value("1900-01-01T00:00:00Z", output_field=DateTimeField()),
    )


def stage_results(proposal_ids, stage: str) -> dict[int, StageResult]:
    """:func:`stage_result` of many đề án at once (two queries, whatever their number): for
    lists such as a registration batch or the plan draft."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    links = (
        CouncilProposal.objects.filter(proposal_id__in=ids, council__stage=stage)
        .select_related("council__agency")
        .annotate(since=_stage_start(stage))
        # A conclusion counts from the đề án's last entry into the stage; a council still
        # appraising it counts whatever its date (the link is made after the entry).
        .filter(Q(concluded_at__isnull=True) | Q(concluded_at__gte=F("since")))
        .order_by("proposal_id", "concluded_at", "id")
    )
    found: dict[int, StageResult] = {}
    for link in links:
        current = found.get(link.proposal_id)
        if link.concluded_at is None:
            if current is None or not current.concluded:
                # Still before the council: the latest one holding it.
                found[link.proposal_id] = StageResult(
                    council=link.council, score=None, recommendation="", link=link
                )
            continue
        # Ordered by conclusion: the latest conclusion wins over earlier ones.
        found[link.proposal_id] = StageResult(
            council=link.council,
            score=link.average_score,
            recommendation=link.recommendation,
            concluded_at=link.concluded_at,
            link=link,
        )
    return {pk: found.get(pk, NO_RESULT) for pk in ids}


def stage_result(proposal: Proposal | int, stage: str) -> StageResult:
    """The appraisal of ``proposal`` at ``stage`` ("province": the Sở, for a national đề
    án its grassroots appraisal; "ministry": the Cục), as it stands for the đề án's current
    version: the latest conclusion of a council since the đề án was last submitted (Sở) or
    forwarded (Cục), or the council still appraising it, or nothing."""
    pk = getattr(proposal, "pk", proposal)
    return stage_results([pk], stage)[pk]


# --- Averages and the council's rule --------------------------------------------------------


def council_average(scores) -> Decimal | None:
    """The council's score of a đề án: the mean of its members' weighted scores, to two
    decimals (None without a sheet)."""
    scores = [Decimal(s) for s in scores]
    if not scores:
        return None
    return (sum(scores) / len(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def suggested_recommendation(average: Decimal | None) -> str:
    """What the council's rule recommends for this average: approval from the pass mark
    up, rejection below it (the chair may instead ask for more information)."""
    if average is None:
        return ""
    return REC.APPROVE if average >= pass_score() else REC.REJECT


# --- Separation of duties -------------------------------------------------------------------


def proposal_drafters(proposal: Proposal) -> set[int]:
    """Who drafted the đề án: its author and whoever submitted it (any version). A page
    listing many đề án reads them once for all (``drafters_of``)."""
    cached = getattr(proposal, "_drafters", None)
    if cached is not None:
        return cached
    submitters = ProposalEvent.objects.filter(proposal=proposal, action="submit").values_list(
        "actor_id", flat=True
    )
    return {proposal.created_by_id, *submitters}


def drafters_of(proposals) -> None:
    """Read the drafters of many đề án in one query and keep them on each, so
    ``proposal_drafters`` (the separation checks of a council's page) asks nothing more."""
    proposals = list(proposals)
    for proposal in proposals:
        proposal._drafters = {proposal.created_by_id}
    by_id = {proposal.pk: proposal for proposal in proposals}
    events = ProposalEvent.objects.filter(proposal_id__in=by_id, action="submit").values_list(
        "proposal_id", "actor_id"
    )
    for proposal_id, actor_id in events:
        by_id[proposal_id]._drafters.add(actor_id)


def members_refusal(proposal: Proposal, member_ids) -> str:
    """Why these members may not appraise ``proposal`` together ("" when they may)."""
    member_ids = set(member_ids)
    drafters = proposal_drafters(proposal) & member_ids
    if not drafters:
        return ""
    if separation_rule() == SEPARATION_NOT_MEMBER:
        return _(
            "%(code)s: whoever drafted or submitted a proposal may not appraise it "
            "(separation of duties)."
        ) % {"code": proposal.code}
    if not member_ids - drafters:
        return _(
            "%(code)s: whoever drafted or submitted a proposal may not appraise it alone: "
            "another member is needed (separation of duties)."
        ) % {"code": proposal.code}
    return ""


def sheet_refusal(user, proposal: Proposal) -> str:
    """Why ``user`` may not score ``proposal`` ("" when they may)."""
    if separation_rule() == SEPARATION_NOT_MEMBER and user.pk in proposal_drafters(proposal):
        return _("You drafted or submitted this proposal: you may not appraise it.")
    return ""


def conclusion_refusal(user, proposal: Proposal, sheet_authors) -> str:
    """Why ``user`` may not record the council's conclusion on ``proposal`` ("" when they
    may): a drafter never concludes on their own đề án; with the "not alone" rule the
    conclusion needs the sheet of someone who did not draft it."""
    drafters = proposal_drafters(proposal)
    if user.pk in drafters and separation_rule() == SEPARATION_NOT_MEMBER:
        return _("You drafted or submitted this proposal: you may not conclude on it.")
    if not set(sheet_authors) - drafters:
        return _(
            "The conclusion needs the score sheet of a member who did not draft or submit "
            "the proposal."
        )
    return ""
