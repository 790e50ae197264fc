"""Writes of the inspections (kiểm tra, giám sát — Chỉ thị 04/CT-BCT: right beneficiary,
right purpose, lawful use of the money): plan, record the checklist on site, add photos
and recommendations, conclude, follow the recommendations up until they are remedied.

Every service locks the đề án row first (the same lock the money services take, so a
payment and a conclusion never cross), checks who acts (``accounts.policies``: the staff
and inspectors of the đề án's province; the ministry reads), writes, derives the đề án's
compliance again when it may have changed (:func:`compliance_refresh`) and records a
``ProposalEvent`` for the timeline — all in one transaction.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policies import (
    PERMISSIONS,
    Actors,
    allows,
    next_step_note,
    object_province_id,
    require_act,
)
from disbursement.models import Contract
from inspections.compliance import compliance_derive
from inspections.models import (
    ChecklistItem,
    Inspection,
    InspectionAnswer,
    InspectionPhoto,
    Recommendation,
    Result,
)
from inspections.photos import MAX_PIXELS, ImageTooLarge, inspect_image
from projects.models import FUNDED_STATES, Proposal, ProposalEvent
from projects.services import ConcurrentEditError

S = Proposal.Status
K = Inspection.Kind
ACTION = "inspection.record"
# The steps that close an inspection, what the page calls them and what they do that cannot
# be undone: the page asks to confirm with this sentence before acting (core.confirm).
STEP_LABELS = {
    "conclude": gettext_lazy("Save and conclude"),
    "cancel": gettext_lazy("Cancel the inspection"),
}
CONSEQUENCES = {
    "conclude": gettext_lazy(
        "The inspection is concluded: its record can no longer be changed, the proposal's "
        "compliance follows its conclusion, and its recommendations are followed up until "
        "remedied."
    ),
    "cancel": gettext_lazy(
        "The inspection is cancelled for good: it can no longer be recorded or concluded."
    ),
}
AFTER_APPROVAL = frozenset(FUNDED_STATES)
# Which đề án each kind of inspection is for: the on-site appraisal before the decision,
# the acceptance visit once the work is under way, the others after approval.
KIND_STATES = {
    K.APPRAISAL: frozenset({S.SUBMITTED, S.APPRAISED, S.FORWARDED}),
    K.PERIODIC: AFTER_APPROVAL,
    K.UNANNOUNCED: AFTER_APPROVAL,
    K.ACCEPTANCE: frozenset({S.IN_IMPLEMENTATION, S.ACCEPTED, S.CLOSED}),
}
OPEN_STATES = (Inspection.Status.PLANNED, Inspection.Status.RECORDED)
DEFAULT_PHOTO_MAX_BYTES = 15 * 1024 * 1024
UNCHANGED = object()  # an optional field the caller leaves as it is


def photo_max_bytes() -> int:
    return int(getattr(settings, "INSPECTION_PHOTO_MAX_BYTES", DEFAULT_PHOTO_MAX_BYTES))


def inspectable_kinds(proposal: Proposal) -> list[str]:
    """The kinds of inspection that can be planned for the đề án in its present status."""
    return [kind for kind, states in KIND_STATES.items() if proposal.status in states]


def checklist_for(activity) -> list[ChecklistItem]:
    """The active items for a đề án of ``activity``: the generic ones first, then those of
    its group, then its own."""
    own = [activity.pk] + ([activity.parent_id] if activity.parent_id else [])
    items = ChecklistItem.objects.filter(
        Q(activity__isnull=True) | Q(activity_id__in=own), active=True
    )

    def rank(item):
        if item.activity_id is None:
            return 0
        return 1 if item.activity_id == activity.parent_id else 2

    return sorted(items, key=lambda item: (rank(item), item.order, item.code))


# --- helpers ---------------------------------------------------------------------------------


def _lock(proposal_id: int) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("province", "activity")
        .get(pk=proposal_id)
    )


def _lock_inspection(inspection: Inspection, actor) -> tuple[Proposal, Inspection]:
    """Lock the đề án, then the inspection; check that ``actor`` changes it now."""
    proposal = _lock(inspection.proposal_id)
    current = Inspection.objects.select_for_update().get(pk=inspection.pk)
    current.proposal = proposal
    inspection_change_check(actor, current)
    return proposal, current


def inspection_actors(inspection: Inspection) -> Actors:
    """Who records and concludes an inspection (``inspection_change_check``): the staff and
    inspectors of the đề án's province (``ACTION`` at the province's level)."""
    return Actors(PERMISSIONS[ACTION], province_id=object_province_id(inspection))


def inspection_waiting(user, inspection: Inspection) -> str:
    """For a user who may not conclude an open inspection: who does; "" otherwise."""
    if inspection.status not in OPEN_STATES or allows(inspection_change_check, user, inspection):
        return ""
    return next_step_note(STEP_LABELS["conclude"], inspection_actors(inspection))


def inspection_change_check(actor, inspection: Inspection) -> None:
    """Who changes an inspection, and while: the staff and inspectors of the đề án's
    province (``ACTION``; the ministry reads), as long as it is planned or being recorded
    (a concluded inspection is a signed record, a cancelled one is closed). Raises
    PermissionDenied or ValidationError; the inspection page asks the same (``allows``)."""
    require_act(actor, ACTION, inspection)
    if inspection.status not in OPEN_STATES:
        raise ValidationError(
            _("This inspection is “%(status)s”: it can no longer be changed.")
            % {"status": inspection.get_status_display()}
        )


def recommendation_follow_up_check(actor, recommendation: Recommendation) -> None:
    """Who follows a recommendation up or marks it remedied, and while: the staff and
    inspectors of the đề án's province, once the inspection is concluded (the
    recommendation is issued), until it is remedied."""
    require_act(actor, ACTION, recommendation)
    if recommendation.inspection.status != Inspection.Status.CONCLUDED:
        raise ValidationError(
            _("Recommendations are followed up once the inspection is concluded.")
        )
    if recommendation.status != Recommendation.Status.OPEN:
        raise ValidationError(_("This recommendation is already remedied."))


def _event(proposal: Proposal, actor, action: str, *, comment: str = "", changes=None) -> None:
    ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        from_status=proposal.status,
        to_status=proposal.status,
        actor=actor,
        comment=comment,
        changes=changes or {},
    )


def _not_future(value: datetime.date | None, field: str, message: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError({field: message})


def _with_compliance(changes: dict, before: str, after: str) -> dict:
    if before != after:
        changes["compliance"] = {"before": before, "after": after}
    return changes


# --- compliance --------------------------------------------------------------------------------


def compliance_of(proposal: Proposal) -> str:
    """The đề án's compliance as recorded now: :func:`inspections.compliance.compliance_derive`
    (the one rule, also applied by the reports as at a date) over its concluded
    inspections and their recommendations. Two queries."""
    concluded = list(
        Inspection.objects.filter(proposal=proposal, status=Inspection.Status.CONCLUDED).only(
            "kind", "status", "inspected_on", "conclusion"
        )
    )
    recommendations = Recommendation.objects.filter(
        inspection__in=[i.pk for i in concluded], status=Recommendation.Status.OPEN
    ).only("inspection_id", "status", "remedied_on")
    return compliance_derive(concluded, recommendations)


def compliance_refresh(proposal: Proposal) -> tuple[str, str]:
    """Derive ``proposal.compliance`` again and store it when it changed; returns (before,
    after). Called by every service that can change it, inside its transaction, with the
    đề án row locked."""
    before = proposal.compliance
    after = compliance_of(proposal)
    if after != before:
        proposal.compliance = after
        proposal.save(update_fields=["compliance"])
    return before, after


# --- plan ------------------------------------------------------------------------------------


@transaction.atomic
def inspection_plan(
    *,
    proposal: Proposal,
    actor,
    kind: str,
    planned_on: datetime.date,
    team: str,
    place: str = "",
    contract: Contract | None = None,
    tranches=(),
) -> Inspection:
    """Plan an inspection of a đề án: its kind, date, team, place, and the contract and
    tranches it looks at. The checklist is copied from the active items for the đề án's
    activity (and its group) plus the generic ones, so a later change of the catalogue
    does not rewrite this inspection."""
    locked = _lock(proposal.pk)
    require_act(actor, ACTION, locked)
    if kind not in KIND_STATES:
        raise ValidationError({"kind": _("Choose the kind of inspection.")})
    if locked.status not in KIND_STATES[kind]:
        raise ValidationError(
            {
                "kind": _(
                    "An inspection of this kind (“%(kind)s”) is not possible while the "
                    "proposal is “%(status)s”."
                )
                % {"kind": K(kind).label, "status": locked.get_status_display()}
            }
        )
    if not team.strip():
        raise ValidationError({"team": _("List the members of the inspection team.")})
    if contract is not None and contract.proposal_id != locked.pk:
        raise ValidationError({"contract": _("This contract is not one of this proposal's.")})
    tranches = list(tranches)
    if any(t.proposal_id != locked.pk for t in tranches):
        raise ValidationError(
            {"tranches": _("Only tranches of this proposal can be in the scope.")}
        )
    items = checklist_for(locked.activity)
    if not items:
        raise ValidationError(
            _(
                "No checklist item applies to this activity: an administrator must add them "
                "(Administration › Checklist items)."
            )
        )
    inspection = Inspection.objects.create(
        proposal=locked,
        kind=kind,
        planned_on=planned_on,
        team=team.strip(),
        place=place.strip(),
        contract=contract,
        created_by=actor,
    )
    inspection.tranches.set(tranches)
    InspectionAnswer.objects.bulk_create(
        InspectionAnswer(inspection=inspection, item=item, text=item.text, order=order)
        for order, item in enumerate(items, start=1)
    )
    _event(
        locked,
        actor,
        "inspection_planned",
        comment=place.strip(),
        changes={"inspection_kind": kind, "planned_on": planned_on.isoformat()},
    )
    return inspection


# --- record on site --------------------------------------------------------------------------


@transaction.atomic
def inspection_record(
    *,
    inspection: Inspection,
    actor,
    expected_version: int,
    answers: dict[int, tuple[str, str]] | None = None,
    inspected_on=UNCHANGED,
    inspected_party=UNCHANGED,
    team=UNCHANGED,
    place=UNCHANGED,
) -> Inspection:
    """Save what the team found, at any point before the conclusion: the result and
    findings per checklist item (``answers``: answer id → (result or "", note)), the
    date, the representatives met (a field not passed is left as it is). A form opened
    before someone else saved is refused (version), so nobody overwrites another
    member's notes."""
    proposal, current = _lock_inspection(inspection, actor)
    if current.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else saved this inspection after you opened it. Your changes were "
                "not saved: reload the page to see theirs, then make yours again."
            ),
            code="stale",
        )
    if inspected_on is not UNCHANGED:
        _not_future(
            inspected_on,
            "inspected_on",
            _("The date of the inspection cannot be in the future."),
        )
    if team is not UNCHANGED and not team.strip():
        raise ValidationError({"team": _("List the members of the inspection team.")})
    rows = {a.pk: a for a in current.answers.all()}
    changed = []
    for answer_id, (result, note) in (answers or {}).items():
        answer = rows.get(answer_id)
        if answer is None:
            raise ValidationError(_("A checklist item does not belong to this inspection."))
        if result not in ("", *Result.values):
            raise ValidationError({f"result_{answer_id}": _("Unknown result.")})
        note = (note or "").strip()
        if (answer.result, answer.note) != (result, note):
            answer.result, answer.note = result, note
            changed.append(answer)
    fields = []
    for name, value in (
        ("inspected_on", inspected_on),
        ("inspected_party", inspected_party),
        ("team", team),
        ("place", place),
    ):
        if value is UNCHANGED:
            continue
        value = value.strip() if isinstance(value, str) else value
        if getattr(current, name) != value:
            setattr(current, name, value)
            fields.append(name)
    if not changed and not fields:
        return current  # nothing new: no new version, nothing on the timeline
    InspectionAnswer.objects.bulk_update(changed, ["result", "note"])
    answered = sum(1 for a in rows.values() if a.result)
    if current.status == Inspection.Status.PLANNED and (current.inspected_on or answered):
        current.status = Inspection.Status.RECORDED
        fields.append("status")
    current.version += 1
    current.save(update_fields=[*fields, "version"])
    _event(
        proposal,
        actor,
        "inspection_recorded",
        changes={"answered": f"{answered}/{len(rows)}"},
    )
    return current


# --- photos ----------------------------------------------------------------------------------


@transaction.atomic
def photo_add(*, inspection: Inspection, actor, upload, caption: str = "") -> InspectionPhoto:
    """A photo of the inspection: a JPEG or PNG picture (checked by its content, not its
    name), within the size limit, not already added; its capture time and GPS position
    are read from the EXIF data when the camera wrote them."""
    proposal, current = _lock_inspection(inspection, actor)
    limit = photo_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            {
                "image": _("The photo is %(size)s MB; at most %(max)s MB can be added.")
                % {
                    "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                    "max": f"{limit / 1024 / 1024:.0f}",
                }
            }
        )
    try:
        facts = inspect_image(upload)
    except ImageTooLarge as exc:
        raise ValidationError(
            {
                "image": _(
                    "The photo has %(n)s megapixels; at most %(max)s can be added: send the "
                    "picture at the phone's usual size."
                )
                % {"n": exc.megapixels, "max": MAX_PIXELS // 1_000_000}
            }
        ) from exc
    if facts is None:
        raise ValidationError(
            {
                "image": _(
                    "This file is not a JPEG or PNG photo (or it is damaged): add the picture "
                    "as the camera or phone saved it."
                )
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    sha256 = digest.hexdigest()
    if current.photos.filter(sha256=sha256).exists():
        raise ValidationError({"image": _("This photo was already added to this inspection.")})
    photo = InspectionPhoto(
        inspection=current,
        caption=caption.strip(),
        taken_at=facts.taken_at,
        latitude=facts.latitude,
        longitude=facts.longitude,
        original_name=upload.name[:255],
        size=upload.size,
        sha256=sha256,
        uploaded_by=actor,
    )
    photo.image.save(f"photo{facts.suffix}", upload, save=False)
    try:
        photo.save()
        _event(proposal, actor, "inspection_photo", comment=photo.caption or photo.original_name)
    except Exception:
        photo.image.storage.delete(photo.image.name)  # no file without its row
        raise
    return photo


@transaction.atomic
def photo_delete(*, photo: InspectionPhoto, actor) -> None:
    """Remove a photo while the inspection is not concluded; the file is deleted once the
    removal is committed."""
    proposal, current = _lock_inspection(photo.inspection, actor)
    photo = InspectionPhoto.objects.select_for_update().get(pk=photo.pk, inspection=current)
    name, storage = photo.image.name, photo.image.storage
    label = photo.caption or photo.original_name
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))
    _event(proposal, actor, "inspection_photo_removed", comment=label)


# --- recommendations -------------------------------------------------------------------------


@transaction.atomic
def recommendation_add(
    *,
    inspection: Inspection,
    actor,
    text: str,
    deadline: datetime.date,
    responsible: str = "",
) -> Recommendation:
    """Kiến nghị: what the inspected unit must remedy, and by when (not before the
    inspection). Added while the inspection is being recorded, signed with it."""
    proposal, current = _lock_inspection(inspection, actor)
    if not text.strip():
        raise ValidationError({"text": _("Write the recommendation.")})
    start = current.inspected_on or current.planned_on
    if deadline < start:
        raise ValidationError(
            {
                "deadline": _("The deadline cannot be before the inspection (%(date)s).")
                % {"date": start.strftime("%d/%m/%Y")}
            }
        )
    recommendation = Recommendation.objects.create(
        inspection=current,
        text=text.strip(),
        responsible=responsible.strip(),
        deadline=deadline,
        updated_by=actor,
    )
    before, after = compliance_refresh(proposal)
    _event(
        proposal,
        actor,
        "recommendation_added",
        comment=recommendation.text,
        changes=_with_compliance({"deadline": deadline.isoformat()}, before, after),
    )
    return recommendation


@transaction.atomic
def recommendation_remove(*, recommendation: Recommendation, actor) -> None:
    """Withdraw a recommendation written by mistake, before the inspection is concluded."""
    proposal, current = _lock_inspection(recommendation.inspection, actor)
    row = Recommendation.objects.select_for_update().get(pk=recommendation.pk, inspection=current)
    text = row.text
    row.delete()
    before, after = compliance_refresh(proposal)
    _event(
        proposal,
        actor,
        "recommendation_removed",
        comment=text,
        changes=_with_compliance({}, before, after),
    )


def _lock_recommendation(recommendation: Recommendation, actor):
    """Lock the đề án, the inspection and the recommendation; check that ``actor`` follows
    it up now."""
    proposal = _lock(recommendation.inspection.proposal_id)
    inspection = Inspection.objects.select_for_update().get(pk=recommendation.inspection_id)
    inspection.proposal = proposal
    row = Recommendation.objects.select_for_update().get(
        pk=recommendation.pk, inspection=inspection
    )
    row.inspection = inspection
    recommendation_follow_up_check(actor, row)
    return proposal, inspection, row


@transaction.atomic
def recommendation_follow_up(*, recommendation: Recommendation, actor, note: str) -> Recommendation:
    """Note what the inspected unit has done so far (dated and signed lines, never
    rewritten)."""
    proposal, inspection, row = _lock_recommendation(recommendation, actor)
    if not note.strip():
        raise ValidationError({"note": _("Write what was found or done.")})
    row.follow_up = _append(row.follow_up, actor, note)
    row.updated_by = actor
    row.save(update_fields=["follow_up", "updated_by", "updated_at"])
    _event(proposal, actor, "recommendation_follow_up", comment=note.strip())
    return row


@transaction.atomic
def recommendation_remedy(
    *, recommendation: Recommendation, actor, remedied_on: datetime.date, note: str = ""
) -> Recommendation:
    """Record that the recommendation was remedied (on a date between the inspection and
    today); the đề án's compliance is derived again."""
    proposal, inspection, row = _lock_recommendation(recommendation, actor)
    _not_future(remedied_on, "remedied_on", _("The date cannot be in the future."))
    if inspection.inspected_on and remedied_on < inspection.inspected_on:
        raise ValidationError(
            {
                "remedied_on": _("The date cannot be before the inspection (%(date)s).")
                % {"date": inspection.inspected_on.strftime("%d/%m/%Y")}
            }
        )
    row.status = Recommendation.Status.REMEDIED
    row.remedied_on = remedied_on
    if note.strip():
        row.follow_up = _append(row.follow_up, actor, note)
    row.updated_by = actor
    row.save(update_fields=["status", "remedied_on", "follow_up", "updated_by", "updated_at"])
    before, after = compliance_refresh(proposal)
    _event(
        proposal,
        actor,
        "recommendation_remedied",
        comment=row.text,
        changes=_with_compliance({"remedied_on": remedied_on.isoformat()}, before, after),
    )
    return row


def _append(existing: str, actor, note: str) -> str:
    stamp = timezone.localdate().strftime("%d/%m/%Y")
    who = actor.get_full_name() or actor.username
    line = f"{stamp} · {who}: {note.strip()}"
    return f"{existing}\n{line}" if existing else line


# --- the record's number --------------------------------------------------------------------


def record_issuer(inspection: Inspection):
    """The agency that issues the biên bản: that of the member who concluded the
    inspection (or, before the conclusion, of the member who planned it)."""
    user = inspection.concluded_by or inspection.created_by
    return user.agency if user.agency_id else None


def _record_number_taken(inspection: Inspection, number: str, issuer, year: int) -> str:
    """The message for a number another record of ``issuer`` already has in ``year``
    (the same number in other letter case counts), or ""."""
    others = Inspection.objects.filter(
        number__iexact=number, number_issuer=issuer, number_year=year
    ).exclude(pk=inspection.pk)
    if not others.exists():
        return ""
    return _(
        "The record number %(number)s is already used by another record of %(agency)s in "
        "%(year)s: check the number in the register of outgoing documents."
    ) % {"number": number, "agency": issuer or _("your agency"), "year": year}


@transaction.atomic
def record_number_give(*, inspection: Inspection, allocate) -> Inspection:
    """Số biên bản: the record's one number. A concluded inspection without a number typed
    by the inspector gets the next number of its issuer's register for the year of the
    inspection, when its biên bản is first produced; ``allocate(issuer, year)`` returns
    a formatted number (``reports.services`` passes the document register, so this app
    does not depend on the reports). A number another record already holds is skipped.
    Idempotent: the inspection is locked and read again, and a number once given is
    kept, so asking for the biên bản again prints the same number."""
    current = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("concluded_by__agency", "created_by__agency")
        .get(pk=inspection.pk)
    )
    if current.number or current.status != Inspection.Status.CONCLUDED:
        return current
    issuer = record_issuer(current)
    year = current.inspected_on.year
    number = allocate(issuer, year)
    while _record_number_taken(current, number, issuer, year):
        number = allocate(issuer, year)
    current.number, current.number_issuer, current.number_year = number, issuer, year
    current.save(update_fields=["number", "number_issuer", "number_year"])
    return current


# --- conclude, cancel ------------------------------------------------------------------------


@transaction.atomic
def inspection_conclude(
    *,
    inspection: Inspection,
    actor,
    expected_version: int,
    conclusion: str,
    conclusion_text: str,
    number: str = "",
) -> Inspection:
    """Kết luận: needs the date of the inspection and every checklist item answered (with
    the findings written for an item not or partly compliant); "compliant" cannot be
    concluded while an item is not compliant. A record number typed by the inspector is
    the record's number, issued by the inspector's agency in the year of the inspection
    and unique there; without one the portal gives it when the biên bản is first produced
    (:func:`record_number_give`). Derives the đề án's compliance again."""
    proposal, current = _lock_inspection(inspection, actor)
    if current.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else saved this inspection after you opened it. Reload the page "
                "and conclude again."
            ),
            code="stale",
        )
    errors: dict[str, list[str]] = {}
    if current.inspected_on is None:
        errors["inspected_on"] = [_("Enter the date of the inspection before concluding.")]
    answers = list(current.answers.all())
    unanswered = [a for a in answers if not a.result]
    for answer in unanswered:
        errors[f"result_{answer.pk}"] = [_("Answer this item before concluding.")]
    for answer in answers:
        if answer.result in (Result.PARTLY, Result.NOT_COMPLIANT) and not answer.note:
            errors[f"note_{answer.pk}"] = [_("Write what was found for this item.")]
    if unanswered:
        errors.setdefault("__all__", []).append(
            _("%(n)s checklist item(s) are not answered yet.") % {"n": len(unanswered)}
        )
    if conclusion not in Result.values:
        errors["conclusion"] = [_("Choose the overall conclusion.")]
    elif conclusion == Result.COMPLIANT and any(a.result == Result.NOT_COMPLIANT for a in answers):
        errors["conclusion"] = [
            _("The inspection cannot conclude “compliant” while an item is not compliant.")
        ]
    if not conclusion_text.strip():
        errors["conclusion_text"] = [_("Write the conclusion of the inspection team.")]
    number = number.strip()
    issuer = actor.agency if actor.agency_id else None
    if number and current.inspected_on is not None:
        taken = _record_number_taken(current, number, issuer, current.inspected_on.year)
        if taken:
            errors["number"] = [taken]
    if errors:
        raise ValidationError(errors)
    current.status = Inspection.Status.CONCLUDED
    current.conclusion = conclusion
    current.conclusion_text = conclusion_text.strip()
    if number:
        current.number = number
        current.number_issuer = issuer
        current.number_year = current.inspected_on.year
    current.concluded_by = actor
    current.concluded_at = timezone.now()
    current.version += 1
    fields = ["status", "conclusion", "conclusion_text", "number", "number_issuer"]
    fields += ["number_year", "concluded_by", "concluded_at", "version"]
    try:
        with transaction.atomic():  # a savepoint: the same number typed twice at once
            current.save(update_fields=fields)
    except IntegrityError as exc:
        if "inspection_number_unique_per_issuer_year" not in str(exc):
            raise
        raise ValidationError(
            {"number": _record_number_taken(current, number, issuer, current.number_year)}
        ) from exc
    before, after = compliance_refresh(proposal)
    _event(
        proposal,
        actor,
        "inspection_concluded",
        comment=current.conclusion_text,
        changes=_with_compliance({"conclusion": conclusion}, before, after),
    )
    return current


@transaction.atomic
def inspection_cancel(*, inspection: Inspection, actor, reason: str) -> Inspection:
    """Cancel an inspection that was not concluded (a concluded one is a signed record)."""
    proposal, current = _lock_inspection(inspection, actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Write the reason.")})
    current.status = Inspection.Status.CANCELLED
    current.version += 1
    current.save(update_fields=["status", "version"])
    # Recommendations are issued by the conclusion: those drafted for a cancelled
    # inspection were never issued, and nobody could follow them up.
    current.recommendations.all().delete()
    before, after = compliance_refresh(proposal)
    _event(
        proposal,
        actor,
        "inspection_cancelled",
        comment=reason.strip(),
        changes=_with_compliance({}, before, after),
    )
    return current
