"""Writes of the annual cycle. Each checks ``cycle.workflow`` (who may do what in which
state), runs in one transaction and records what it did on the timeline of the đề án
concerned. The đề án move only through ``projects.services.proposal_transition``, so the
checks, money rules, events, approved versions and notifications stay one definition."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PROVINCIAL_EDITORS, User
from core.funding import SOURCES, program_source
from core.queue import task_send
from cycle import rules, selectors, workflow
from cycle.models import (
    BatchItem,
    Call,
    CallReminder,
    PlanDecision,
    PlanDecisionItem,
    Registration,
    RegistrationBatch,
)
from programs.models import AnnualPlan
from projects import decision_dates
from projects import services as proposal_services
from projects import workflow as proposal_workflow
from projects.models import Appraisal, Proposal


def _d(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def default_deadline(plan: AnnualPlan) -> datetime.date:
    """A national call's default deadline: 20 May of the year before the plan year
    (Thông tư 36/2013/TT-BCT, ``rules.NATIONAL_DEADLINE``)."""
    month, day = rules.NATIONAL_DEADLINE.value
    return datetime.date(plan.year - 1, month, day)


# --- Calls ---------------------------------------------------------------------------------


CALL_FIELDS = ("title", "orientation", "opens_on", "deadline", "late_policy", "dossier_sets")


@transaction.atomic
def call_create(*, actor, plan: AnnualPlan, **fields) -> Call:
    """A draft call feeding ``plan``: national (the ministry) or local (the Sở of the
    plan's province). The national deadline and number of dossier sets default to the
    rules of Thông tư 36/2013/TT-BCT, whose citation the call keeps."""
    level = "national" if plan.province_id is None else "local"
    if not workflow.may_act(actor, "call", "edit", level, plan.province_id):
        raise PermissionDenied
    documents = fields.pop("required_documents", None)
    call = Call(level=level, province_id=plan.province_id, plan=plan, created_by=actor)
    if level == "national":
        call.deadline = default_deadline(plan)
        call.dossier_sets = rules.DOSSIER_SETS.value
        call.deadline_basis = rules.citation(rules.NATIONAL_DEADLINE)
    for name, value in fields.items():
        if name not in CALL_FIELDS:
            raise ValueError(name)
        if value is not None:
            setattr(call, name, value)
    call.full_clean()
    call.save()
    if documents is not None:
        call.required_documents.set(documents)
    return call


@transaction.atomic
def call_update(*, call: Call, actor, **fields) -> Call:
    locked = Call.objects.select_for_update().get(pk=call.pk)
    workflow.require(actor, "edit", locked)
    documents = fields.pop("required_documents", None)
    for name, value in fields.items():
        if name not in CALL_FIELDS:
            raise ValueError(name)
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    if documents is not None:
        locked.required_documents.set(documents)
    return locked


@transaction.atomic
def call_transition(*, call: Call, actor, action: str) -> Call:
    """Open or close a call (``workflow.STEPS``)."""
    locked = Call.objects.select_for_update().select_related("plan").get(pk=call.pk)
    if action == "edit":
        raise ValidationError(_("Unknown action."))
    step = workflow.require(actor, action, locked)
    locked.status = step.target
    locked.save(update_fields=["status"])
    return locked


# --- Registration --------------------------------------------------------------------------


@transaction.atomic
def registration_submit(*, proposal: Proposal, actor, call: Call | None) -> Proposal:
    """Submit a đề án, registering it against an open call of its plan: the deadline is
    the call's (the deadline day itself is on time, in Asia/Ho_Chi_Minh dates); a late
    registration is refused or accepted and flagged as the call says. A đề án already
    registered (returned and submitted again) keeps its registration. Without an open
    call for its plan, the đề án is submitted as before."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    existing = Registration.objects.filter(proposal=locked).first()
    if existing is None:
        open_calls = selectors.open_calls_for(locked)
        if call is None and open_calls:
            raise ValidationError({"call": _("Choose the call this proposal answers.")})
        if call is not None:
            call = Call.objects.select_for_update().get(pk=call.pk)
            if call.plan_id != locked.plan_id or call.status != Call.Status.OPEN:
                raise ValidationError({"call": _("This call is not open for the proposal's plan.")})
            if not proposal_workflow.may_perform(
                actor, proposal_workflow.ACTIONS["submit"], locked
            ):
                raise PermissionDenied
            today = timezone.localdate()
            late = today > call.deadline
            refusal = selectors.late_refusal(call, today)
            if refusal:
                raise ValidationError({"call": refusal})
    if existing is None and call is not None:
        # Registered first, in the same transaction: the submission then sees it.
        Registration.objects.create(
            proposal=locked, call=call, registered_on=today, registered_by=actor, late=late
        )
    submitted = proposal_services.proposal_transition(proposal=locked, actor=actor, action="submit")
    if existing is None and call is not None:
        proposal_services.proposal_event(
            proposal=submitted,
            actor=actor,
            action="register",
            comment=call.title,
            changes={"deadline": call.deadline.isoformat(), "late": late},
        )
    return submitted


def reminder_recipients(call: Call, province_id) -> list[str]:
    return list(
        User.objects.filter(
            is_active=True,
            agency__province_id=province_id,
            role__in=PROVINCIAL_EDITORS,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .order_by("email")
    )


def registration_remind(*, today: datetime.date | None = None) -> int:
    """The daily reminder before each open call's deadline (``rules.REMINDER_DAYS``): the
    editors of each province that still has unregistered drafts in the call's plan get an
    e-mail, once per call, province and day count. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    sent = 0
    for call in Call.objects.filter(status=Call.Status.OPEN).select_related("plan"):
        left = selectors.days_left(call, today)
        if left not in rules.REMINDER_DAYS:
            continue
        waiting = (
            Proposal.objects.filter(
                plan_id=call.plan_id, status__in=proposal_workflow.EDITABLE, registration=None
            )
            .values_list("province_id", flat=True)
            .distinct()
        )
        for province_id in waiting:
            with transaction.atomic():
                _reminder, created = CallReminder.objects.get_or_create(
                    call=call, province_id=province_id, days_left=left
                )
                if not created:
                    continue
                recipients = reminder_recipients(call, province_id)
                if recipients:
                    sent += send_mail(
                        subject=_("[Khuyến công] %(days)s day(s) left to register: %(call)s")
                        % {"days": left, "call": call.title},
                        message=_(
                            "The call “%(call)s” closes on %(deadline)s. Proposals of your "
                            "province in draft are not registered yet: submit them before "
                            "the deadline."
                        )
                        % {"call": call.title, "deadline": _d(call.deadline)},
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=recipients,
                    )
    return sent


# --- Registration batch ------------------------------------------------------------------


@transaction.atomic
def batch_add(*, proposal: Proposal, actor) -> RegistrationBatch:
    """Put an appraised national đề án into its province's draft batch for the open (or
    latest) national call of its plan, creating the batch when needed. Replaces the
    individual "forward" on the đề án's page."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.level != "national" or locked.status != Proposal.Status.APPRAISED:
        raise ValidationError(_("Only an appraised national proposal goes into the batch."))
    registration = Registration.objects.filter(proposal=locked).select_related("call").first()
    call = (
        registration.call
        if registration
        else Call.objects.filter(plan_id=locked.plan_id).order_by("-deadline").first()
    )
    if call is None:
        raise ValidationError(_("No call for proposals feeds this plan yet."))
    if not workflow.may_act(actor, "batch", "edit", "national", locked.province_id):
        raise PermissionDenied
    batch, _created = RegistrationBatch.objects.get_or_create(
        call=call,
        province_id=locked.province_id,
        status=RegistrationBatch.Status.DRAFT,
        defaults={"created_by": actor},
    )
    score, recommendation = selectors.stage_result(locked, Appraisal.Stage.PROVINCE)
    BatchItem.objects.get_or_create(
        batch=batch,
        proposal=locked,
        defaults={"score": score, "recommendation": recommendation},
    )
    proposal_services.proposal_event(
        proposal=locked, actor=actor, action="batch_add", changes={"registration_batch": str(batch)}
    )
    return batch


@transaction.atomic
def batch_remove(*, batch: RegistrationBatch, proposal: Proposal, actor) -> None:
    locked = RegistrationBatch.objects.select_for_update().select_related("call").get(pk=batch.pk)
    workflow.require(actor, "edit", locked)
    deleted, _rows = BatchItem.objects.filter(batch=locked, proposal=proposal).delete()
    if deleted:
        proposal_services.proposal_event(
            proposal=proposal,
            actor=actor,
            action="batch_remove",
            changes={"registration_batch": str(locked)},
        )


BATCH_FIELDS = (
    "reference",
    "previous_year_results",
    "current_year_progress",
    "next_year_direction",
    "ubnd_copy_reference",
    "ubnd_copy_date",
)


@transaction.atomic
def batch_update(*, batch: RegistrationBatch, actor, **fields) -> RegistrationBatch:
    locked = RegistrationBatch.objects.select_for_update().select_related("call").get(pk=batch.pk)
    workflow.require(actor, "edit", locked)
    for name, value in fields.items():
        if name not in BATCH_FIELDS:
            raise ValueError(name)
        setattr(locked, name, value)
    locked.save()
    return locked


@transaction.atomic
def batch_send(*, batch: RegistrationBatch, actor, **fields) -> RegistrationBatch:
    """Send the province's national registration to the ministry (copy to the UBND tỉnh):
    every đề án of the batch is forwarded through the workflow, one event each with the
    batch's reference, all in this one transaction — one refusal and nothing is sent."""
    locked = RegistrationBatch.objects.select_for_update().select_related("call").get(pk=batch.pk)
    workflow.require(actor, "send", locked)
    for name, value in fields.items():
        if name not in BATCH_FIELDS:
            raise ValueError(name)
        setattr(locked, name, value)
    errors = {}
    if not locked.reference.strip():
        errors["reference"] = _("Enter the number of the registration report.")
    if not locked.ubnd_copy_reference.strip():
        errors["ubnd_copy_reference"] = _(
            "Record the copy sent to the provincial People's Committee."
        )
    if locked.ubnd_copy_date is None:
        errors["ubnd_copy_date"] = _("Enter the date of the copy.")
    items = list(locked.items.select_related("proposal").order_by("proposal_id"))
    if not items:
        errors["reference"] = _("Add at least one appraised proposal to the batch.")
    if errors:
        raise ValidationError(errors)
    for item in items:
        try:
            proposal_services.proposal_transition(
                proposal=item.proposal,
                actor=actor,
                action="forward",
                comment=_("Registration batch %(reference)s") % {"reference": locked.reference},
            )
        except ValidationError as exc:
            raise ValidationError(
                _("%(code)s cannot be forwarded: %(reason)s")
                % {"code": item.proposal.code, "reason": " ".join(exc.messages)}
            ) from exc
        # The grassroots result as sent.
        item.score, item.recommendation = selectors.stage_result(
            item.proposal, Appraisal.Stage.PROVINCE
        )
        item.save(update_fields=["score", "recommendation"])
    locked.status = RegistrationBatch.Status.SENT
    locked.sent_at = timezone.now()
    locked.sent_by = actor
    locked.save()
    return locked


# --- Plan decision --------------------------------------------------------------------------


@transaction.atomic
def decision_create(*, plan: AnnualPlan, actor, kind: str = PlanDecision.Kind.INITIAL):
    """The draft list of a plan decision, with every candidate đề án (left out until
    included)."""
    level = "national" if plan.province_id is None else "local"
    if not workflow.may_act(actor, "decision", "edit", level, plan.province_id):
        raise PermissionDenied
    # The plan's row is the lock: two people starting the list at the same moment get one
    # draft and a message, not the unique constraint's error.
    AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if PlanDecision.objects.filter(plan=plan, status=PlanDecision.Status.DRAFT).exists():
        raise ValidationError(_("A draft decision of this plan is already being prepared."))
    decision = PlanDecision.objects.create(plan=plan, kind=kind, created_by=actor)
    decision_refresh(decision)
    return decision


def decision_refresh(decision: PlanDecision) -> None:
    """Add the candidates that appeared since the list was made, amounts = their budget."""
    known = set(decision.items.values_list("proposal_id", flat=True))
    PlanDecisionItem.objects.bulk_create(
        [
            PlanDecisionItem(
                decision=decision,
                proposal=p,
                **{f"approved_{s}": getattr(p, f"budget_{s}") or 0 for s in SOURCES},
            )
            for p in selectors.decision_candidates(decision.plan)
            if p.pk not in known
        ]
    )


@transaction.atomic
def decision_set_included(*, decision: PlanDecision, actor, included_ids) -> PlanDecision:
    locked = PlanDecision.objects.select_for_update().select_related("plan").get(pk=decision.pk)
    workflow.require(actor, "edit", locked)
    decision_refresh(locked)
    ids = set(included_ids)
    for item in locked.items.all():
        if item.included != (item.proposal_id in ids):
            item.included = item.proposal_id in ids
            item.save(update_fields=["included"])
    return locked


DECISION_FIELDS = ("number", "date", "signer", "scan")


@transaction.atomic
def decision_record(
    *, decision: PlanDecision, actor, entered_as_history: bool = False, **fields
) -> PlanDecision:
    """Record the Minister's (national) or the UBND tỉnh's (local) decision on the plan's
    list: every included đề án is approved with its amount through the approval path of
    ``projects.services`` — all or nothing, in one transaction — and every đề án left out
    is told so (an event on its timeline and an e-mail; it stays where it is, so a
    supplementary decision can still list it). The decision cannot predate the
    registration of a listed đề án (``projects.decision_dates``) unless entered as
    history."""
    # Lock order as every approval: the plan, then the rows.
    AnnualPlan.objects.select_for_update().get(pk=decision.plan_id)
    locked = PlanDecision.objects.select_for_update().select_related("plan").get(pk=decision.pk)
    workflow.require(actor, "record", locked)
    scan = fields.get("scan")
    if scan and hasattr(scan, "content_type"):  # a new upload, not the file already kept
        proposal_services.document_validate(scan, field="scan")
    for name, value in fields.items():
        if name not in DECISION_FIELDS:
            raise ValueError(name)
        setattr(locked, name, value)
    errors = {}
    if not locked.number.strip():
        errors["number"] = _("Enter the number of the decision.")
    if not locked.signer.strip():
        errors["signer"] = _("Enter who signed the decision.")
    if locked.date is None:
        errors["date"] = _("Enter the date of the decision.")
    elif locked.date > timezone.localdate():
        errors["date"] = _("The decision date cannot be in the future.")
    items = list(
        locked.items.select_related("proposal__plan", "proposal__province").order_by("proposal_id")
    )
    included = [i for i in items if i.included]
    if not included:
        errors.setdefault("number", _("Include at least one proposal in the decision."))
    if locked.date and not entered_as_history and "date" not in errors:
        for item in included:
            problem = decision_dates.decision_date_problem(item.proposal, locked.date)
            if problem:
                errors["date"] = problem
                break
    if errors:
        raise ValidationError(errors)
    action = "ministry_approve" if locked.level == "national" else "approve"
    for item in included:
        try:
            approved = proposal_services.proposal_transition(
                proposal=item.proposal,
                actor=actor,
                action=action,
                comment=_("Listed in plan decision %(number)s") % {"number": locked.number},
                decision_number=locked.number,
                decision_date=locked.date,
                entered_as_history=entered_as_history,
            )
        except ValidationError as exc:
            raise ValidationError(
                _("%(code)s cannot be approved: %(reason)s")
                % {"code": item.proposal.code, "reason": " ".join(exc.messages)}
            ) from exc
        for s in SOURCES:
            setattr(item, f"approved_{s}", getattr(approved, f"approved_{s}"))
        item.save()
    left_out = [i.proposal for i in items if not i.included]
    for proposal in left_out:
        proposal_services.proposal_event(
            proposal=proposal,
            actor=actor,
            action="plan_left_out",
            comment=_("Not listed in plan decision %(number)s of %(date)s")
            % {"number": locked.number, "date": _d(locked.date)},
            decision_number=locked.number,
            decision_date=locked.date,
        )
    locked.status = PlanDecision.Status.RECORDED
    locked.recorded_by = actor
    locked.recorded_at = timezone.now()
    locked.entered_as_history = entered_as_history
    locked.save()
    if left_out:
        from cycle.tasks import plan_left_out_notify_task

        transaction.on_commit(lambda: task_send(plan_left_out_notify_task, args=[locked.pk]))
    return locked


def plan_left_out_notify(*, decision_id: int) -> int:
    """E-mail the editors of each province whose đề án were left out of the decision."""
    decision = PlanDecision.objects.get(pk=decision_id)
    sent = 0
    by_province: dict = {}
    for item in decision.items.filter(included=False).select_related("proposal"):
        by_province.setdefault(item.proposal.province_id, []).append(item.proposal)
    for province_id, proposals in by_province.items():
        recipients = reminder_recipients(None, province_id)
        if not recipients:
            continue
        sent += send_mail(
            subject=_("[Khuyến công] Not listed in plan decision %(number)s")
            % {"number": decision.number},
            message=_(
                "These proposals were not listed in decision %(number)s of %(date)s; they "
                "stay as they are and a supplementary decision may still list them: %(codes)s"
            )
            % {
                "number": decision.number,
                "date": _d(decision.date),
                "codes": ", ".join(p.code for p in proposals),
            },
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    return sent


def plan_source(plan: AnnualPlan) -> str:
    return program_source("national" if plan.province_id is None else "local")
