"""Reads of the annual cycle that pages, services and the daily job share, already scoped
to what the user may see."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from accounts.policies import visible
from core.funding import SOURCES
from cycle.models import Call, PlanDecision, Registration, RegistrationBatch
from projects import appraisal, checks
from projects.appraisal import STAGE
from projects.models import Attachment, BudgetLine, Proposal


def registration_date(proposal: Proposal) -> datetime.date | None:
    """The date ``proposal`` was registered against a call (None when it never was): the
    lookup ``projects.decision_dates`` uses."""
    return (
        Registration.objects.filter(proposal_id=proposal.pk)
        .values_list("registered_on", flat=True)
        .first()
    )


def submission_problem(proposal: Proposal) -> str | None:
    """While a call feeding its plan is open, an unregistered đề án is submitted only by
    registering against it (``cycle.services.registration_submit``), so the deadline is
    checked: the plain "submit" is refused with this reason."""
    from django.utils.translation import gettext as _

    if Registration.objects.filter(proposal_id=proposal.pk).exists():
        return None
    if Call.objects.filter(plan_id=proposal.plan_id, status=Call.Status.OPEN).exists():
        return _(
            "A call for proposals is open for this plan: submit the proposal by registering "
            "it against the call."
        )
    return None


def stage_result(proposal: Proposal, stage: str) -> tuple[Decimal | None, str]:
    """A đề án's appraisal result at ``stage`` as the cycle stores it on a batch item: the
    council's average and recommendation (``projects.appraisal.stage_result``, the one
    definition)."""
    result = appraisal.stage_result(proposal, stage)
    return result.score, result.recommendation


def calls_visible(*, user) -> QuerySet[Call]:
    return (
        visible(user, Call.objects.all())
        .select_related("plan", "province")
        .annotate(registered=Count("registrations"))
        .order_by("-plan__year", "province__code", "-deadline", "id")
    )


def open_calls_for(proposal: Proposal) -> list[Call]:
    """The open calls a đề án may be registered against: those feeding its plan."""
    return list(
        Call.objects.filter(plan_id=proposal.plan_id, status=Call.Status.OPEN)
        .prefetch_related("required_documents")
        .order_by("deadline", "id")
    )


def days_left(call: Call, today: datetime.date | None = None) -> int:
    """Days until the deadline, in Asia/Ho_Chi_Minh dates (0 on the deadline day itself,
    negative once it has passed)."""
    return (call.deadline - (today or timezone.localdate())).days


def late_refusal(call: Call, today: datetime.date | None = None) -> str | None:
    """Why a registration against ``call`` is refused today (None: it is accepted, on time
    or flagged as late): the one rule the service applies and the đề án page shows."""
    from django.utils.translation import gettext as _

    from core.formatting import format_date

    today = today or timezone.localdate()
    if today > call.deadline and call.late_policy == Call.LatePolicy.REFUSE:
        return _(
            "The deadline of this call was %(deadline)s: registrations after it are refused."
        ) % {"deadline": format_date(call.deadline)}
    return None


def left_out_of(proposal: Proposal):
    """The recorded plan decision that left ``proposal`` out while it still waits for a
    decision (None otherwise): said on its page, with the supplementary decision possible."""
    from cycle.models import PlanDecisionItem

    if proposal.status not in (Proposal.Status.FORWARDED, Proposal.Status.APPRAISED):
        return None
    item = (
        PlanDecisionItem.objects.filter(
            proposal=proposal, included=False, decision__status=PlanDecision.Status.RECORDED
        )
        .select_related("decision")
        .order_by("-decision__date", "-decision_id")
        .first()
    )
    return item.decision if item else None


def missing_documents(proposal: Proposal, call: Call) -> list[str]:
    """The documents of the đề án's checklist and of the call not attached yet."""
    wanted = {d.pk: d.name for d in checks.required_documents(proposal)}
    wanted.update({d.pk: d.name for d in call.required_documents.all()})
    present = set(
        Attachment.objects.filter(proposal=proposal, document_type__isnull=False).values_list(
            "document_type_id", flat=True
        )
    )
    return [name for pk, name in wanted.items() if pk not in present]


def batches_visible(*, user) -> QuerySet[RegistrationBatch]:
    return (
        visible(user, RegistrationBatch.objects.all())
        .select_related("call__plan", "province", "sent_by")
        .annotate(count=Count("items"))
        .order_by("-created_at", "id")
    )


def batch_candidates(batch: RegistrationBatch) -> QuerySet[Proposal]:
    """The appraised national đề án of the batch's province and call plan, not yet in it."""
    return (
        Proposal.objects.filter(
            plan_id=batch.call.plan_id,
            province_id=batch.province_id,
            status=Proposal.Status.APPRAISED,
        )
        .exclude(pk__in=batch.items.values("proposal_id"))
        .order_by("sequence")
    )


def decisions_visible(*, user) -> QuerySet[PlanDecision]:
    return (
        visible(user, PlanDecision.objects.all())
        .select_related("plan__province", "recorded_by")
        .annotate(
            listed=Count("items", filter=Q(items__included=True)),
            total=Sum("items__approved_kcqg") + Sum("items__approved_kcdp"),
        )
        .order_by("-created_at", "id")
    )


def _budget(source: str):
    return Subquery(
        BudgetLine.objects.filter(proposal=OuterRef("pk"))
        .values("proposal")
        .annotate(s=Sum(source))
        .values("s")
    )


def decision_candidates(plan) -> QuerySet[Proposal]:
    """The đề án a plan decision may list: the forwarded national đề án of the year whose
    ministry appraisal (the Cục's council) recommends approval, or a province's appraised
    local đề án whose council recommends it — with their budget per source and province.
    Their scores come from ``decision_scores``."""
    national = plan.province_id is None
    stage = STAGE.MINISTRY if national else STAGE.PROVINCE
    status = Proposal.Status.FORWARDED if national else Proposal.Status.APPRAISED
    ids = Proposal.objects.filter(plan=plan, status=status).values_list("pk", flat=True)
    approved = [pk for pk, r in appraisal.stage_results(ids, stage).items() if r.approves]
    return (
        Proposal.objects.filter(pk__in=approved)
        .select_related("province", "activity", "implementing_agency")
        .annotate(**{f"budget_{s}": _budget(s) for s in SOURCES})
    )


def decision_scores(plan, proposal_ids) -> dict[int, Decimal | None]:
    """The council's average at the deciding stage of each đề án of a plan decision."""
    stage = STAGE.PROVINCE if plan.province_id else STAGE.MINISTRY
    return {pk: r.score for pk, r in appraisal.stage_results(proposal_ids, stage).items()}


def plan_remaining(plan, source: str, *, proposed: int = 0) -> dict:
    """The plan's budget of ``source`` (KCQG for the national plan, KCĐP for a local one),
    what approved đề án already hold, and what remains after ``proposed``."""
    from projects.models import FUNDED_STATES

    budget = plan.budgets.filter(source=source).aggregate(s=Sum("amount"))["s"] or 0
    committed = (
        Proposal.objects.filter(plan=plan, status__in=FUNDED_STATES).aggregate(
            s=Sum(f"approved_{source}")
        )["s"]
        or 0
    )
    return {
        "budget": budget,
        "committed": committed,
        "proposed": proposed,
        "remaining": budget - committed - proposed,
    }


def calls_open_now(*, user, today: datetime.date | None = None) -> list[Call]:
    """The open calls ``user`` may see whose deadline has not passed, soonest first, each
    with ``days_left`` (the home page's reminder; the e-mail reminder is
    ``cycle.services.registration_remind``)."""
    today = today or timezone.localdate()
    calls = list(
        calls_visible(user=user)
        .filter(status=Call.Status.OPEN, deadline__gte=today)
        .order_by("deadline", "id")[:5]
    )
    for call in calls:
        call.days_left = days_left(call, today)
    return calls
