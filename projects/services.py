"""Writes that matter for đề án: create, save the draft, attach documents, appraise, and
move along ``projects.workflow.TRANSITIONS``. One transaction each; each records a
``ProposalEvent`` (the timeline) and notifies the next actors after commit.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PROVINCIAL_EDITORS, Role, User
from accounts.policies import is_national
from core.formatting import format_date
from core.funding import SOURCES
from core.queue import task_send
from programs.models import AnnualPlan
from projects import appraisal, checks, decision_dates, workflow
from projects.models import (
    Appraisal,
    AppraisalCouncil,
    AppraisalCriterion,
    AppraisalScore,
    ApprovedVersion,
    Attachment,
    BudgetLine,
    CouncilMember,
    CouncilProposal,
    Proposal,
    ProposalBeneficiary,
    ProposalEvent,
    ProposalOutput,
    RequiredDocument,
)

ALLOWED_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS_PER_UPLOAD = 10  # files in one upload of dossier documents
# What the first bytes of each kind of file look like (the name alone proves nothing).
MAGIC = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}
EDIT_FIELDS = [
    "title",
    "kind",
    "activity",
    "implementing_agency",
    "objectives",
    "start_date",
    "end_date",
    "double_funding_justification",
]


class ConcurrentEditError(ValidationError):
    """Someone else saved the đề án after this form was opened."""


def proposal_code(plan: AnnualPlan, province, sequence: int) -> str:
    """KCĐP-HNI-2026-007 / KCQG-SLA-2026-012: source, province, year, number in the plan."""
    prefix = "KCQG" if plan.program.level == "national" else "KCĐP"
    where = province.abbreviation if province else "BCT"
    return f"{prefix}-{where}-{plan.year}-{sequence:03d}"


def proposal_snapshots(proposals) -> dict[int, dict]:
    """The đề án as approved, for many at once (a fixed number of queries): what an
    approved version keeps (and an amendment compares), by primary key."""
    rows = (
        Proposal.objects.filter(pk__in=[p.pk for p in proposals])
        .select_related("activity")
        .prefetch_related(
            "communes",
            Prefetch("beneficiary_links", queryset=ProposalBeneficiary.objects.order_by("id")),
            "budget_lines",
            Prefetch("outputs", queryset=ProposalOutput.objects.select_related("indicator")),
        )
    )
    snapshots = {}
    for proposal in rows:
        lines = list(proposal.budget_lines.all())
        snapshots[proposal.pk] = {
            "title": proposal.title,
            "kind": proposal.kind,
            "objectives": proposal.objectives,
            "double_funding_justification": proposal.double_funding_justification,
            "communes": sorted(c.name for c in proposal.communes.all()),
            "activity": proposal.activity.code,
            "implementing_agency": proposal.implementing_agency_id,
            "start_date": proposal.start_date.isoformat(),
            "end_date": proposal.end_date.isoformat(),
            "beneficiaries": [
                [link.beneficiary_id, link.support_amount]
                for link in proposal.beneficiary_links.all()
            ],
            "budget_lines": [
                {
                    "item": li.item,
                    "amount": li.amount,
                    "kcqg": li.kcqg,
                    "kcdp": li.kcdp,
                    "counterpart": li.counterpart,
                    "other": li.other,
                }
                for li in lines
            ],
            "outputs": {o.indicator.code: o.target_value for o in proposal.outputs.all()},
            # The sums checks.budget_totals reads with one query, here from the lines.
            "totals": {
                "amount": sum(li.amount for li in lines),
                **{source: sum(getattr(li, source) for li in lines) for source in SOURCES},
            },
        }
    return snapshots


def proposal_snapshot(proposal: Proposal) -> dict:
    """The đề án as approved: what an approved version keeps (and an amendment compares)."""
    return proposal_snapshots([proposal])[proposal.pk]


def _event(
    proposal,
    actor,
    action,
    *,
    before="",
    comment="",
    decision_number="",
    decision_date=None,
    changes=None,
):
    ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        from_status=before,
        to_status=proposal.status,
        actor=actor,
        comment=comment,
        decision_number=decision_number,
        decision_date=decision_date,
        changes=changes or {},
    )


def proposal_event(
    *, proposal: Proposal, actor, action: str, comment: str = "", changes=None, **decision
) -> None:
    """Record an event on the đề án's timeline without changing it (for the services of
    the apps above: registration, batches, plan decisions)."""
    _event(
        proposal,
        actor,
        action,
        before=proposal.status,
        comment=comment,
        changes=changes,
        **decision,
    )


def _require_editor(actor, proposal: Proposal) -> None:
    if not workflow.may_edit(actor, proposal):
        raise PermissionDenied


@transaction.atomic
def proposal_create(
    *,
    actor,
    plan: AnnualPlan,
    title: str,
    kind: str,
    activity,
    implementing_agency,
    start_date: datetime.date,
    end_date: datetime.date,
    objectives: str = "",
) -> Proposal:
    """A new draft đề án of the actor's province, numbered within its plan."""
    if is_national(actor) or actor.role not in PROVINCIAL_EDITORS:
        raise PermissionDenied
    province = implementing_agency.province
    if province is None or province.pk != actor.province_id:
        raise ValidationError(
            {"implementing_agency": _("Choose an implementing unit of your province.")}
        )
    if plan.province_id not in (None, actor.province_id):
        raise ValidationError({"plan": _("This plan belongs to another province.")})
    locked_plan = AnnualPlan.objects.select_for_update().select_related("program").get(pk=plan.pk)
    sequence = (locked_plan.proposals.aggregate(n=Max("sequence"))["n"] or 0) + 1
    proposal = Proposal(
        code=proposal_code(locked_plan, province, sequence),
        sequence=sequence,
        title=title,
        plan=locked_plan,
        level=locked_plan.program.level,
        province=province,
        kind=kind,
        activity=activity,
        implementing_agency=implementing_agency,
        objectives=objectives,
        start_date=start_date,
        end_date=end_date,
        created_by=actor,
    )
    proposal.full_clean(exclude=["code"])
    proposal.save()
    _event(proposal, actor, "create")
    return proposal


@transaction.atomic
def proposal_save(
    *,
    proposal: Proposal,
    actor,
    expected_version: int,
    fields: dict | None = None,
    communes=None,
    beneficiaries: list[tuple] | None = None,
    budget_lines: list[dict] | None = None,
    outputs: list[tuple] | None = None,
) -> Proposal:
    """Save the draft, any section at any time. A form opened before someone else saved
    is refused (version column) so nobody overwrites another person's work."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require_editor(actor, locked)
    if locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else saved this proposal after you opened it. Your changes were not "
                "saved: reload the page to see theirs, then make yours again."
            ),
            code="stale",
        )
    before = proposal_snapshot(locked)
    for name, value in (fields or {}).items():
        if name not in EDIT_FIELDS:
            raise ValueError(name)
        setattr(locked, name, value)
    if (
        fields
        and "implementing_agency" in fields
        and locked.implementing_agency.province_id != locked.province_id
    ):
        raise ValidationError(
            {"implementing_agency": _("Choose an implementing unit of your province.")}
        )
    locked.full_clean(exclude=["code"])
    if communes is not None:
        foreign = [c for c in communes if c.province_id != locked.province_id]
        if foreign:
            raise ValidationError(
                {"communes": _("The locality must be in the proposal's province.")}
            )
        locked.communes.set(communes)
    if beneficiaries is not None:
        locked.beneficiary_links.all().delete()
        ProposalBeneficiary.objects.bulk_create(
            [
                ProposalBeneficiary(proposal=locked, beneficiary=b, support_amount=share or 0)
                for b, share in beneficiaries
            ]
        )
    if budget_lines is not None:
        locked.budget_lines.all().delete()
        rows = []
        for order, line in enumerate(budget_lines):
            quantity = Decimal(line["quantity"])
            amount = int((quantity * line["unit_price"]).to_integral_value(ROUND_HALF_UP))
            split = {s: line.get(s) or 0 for s in SOURCES}
            if sum(split.values()) != amount:
                raise ValidationError(
                    _(
                        "Line %(n)s (%(item)s): the sources add up to %(sum)s, not the amount "
                        "%(amount)s."
                    )
                    % {
                        "n": order + 1,
                        "item": line["item"],
                        "sum": f"{sum(split.values()):,}".replace(",", "."),
                        "amount": f"{amount:,}".replace(",", "."),
                    }
                )
            rows.append(
                BudgetLine(
                    proposal=locked,
                    item=line["item"],
                    unit=line["unit"],
                    quantity=quantity,
                    unit_price=line["unit_price"],
                    amount=amount,
                    order=order,
                    **split,
                )
            )
        BudgetLine.objects.bulk_create(rows)
    if outputs is not None:
        # Kept outputs are updated in place, so what hangs on them (the certificates an
        # output "products recognised" counts, its achieved value) survives an edit.
        wanted = {indicator.pk: value for indicator, value in outputs if value}
        locked.outputs.exclude(indicator_id__in=wanted).delete()
        existing = {o.indicator_id: o for o in locked.outputs.all()}
        for indicator_id, value in wanted.items():
            if indicator_id in existing:
                if existing[indicator_id].target_value != value:
                    existing[indicator_id].target_value = value
                    existing[indicator_id].save(update_fields=["target_value"])
        ProposalOutput.objects.bulk_create(
            [
                ProposalOutput(proposal=locked, indicator_id=i, target_value=v)
                for i, v in wanted.items()
                if i not in existing
            ]
        )
    locked.version += 1
    locked.save()
    after = proposal_snapshot(locked)
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changed:
        _event(locked, actor, "edit", before=locked.status, changes=changed)
    return locked


def proposal_checks_preview(*, proposal: Proposal, actor, expected_version: int, **sections):
    """The checks on what is typed, before it is saved: the sections are written inside a
    transaction that is always rolled back, so exactly the same rules run on exactly the
    same data as after a real save, and nothing is kept (no event, no version bump)."""
    with transaction.atomic():
        draft = proposal_save(
            proposal=proposal, actor=actor, expected_version=expected_version, **sections
        )
        results = checks.run_checks(draft)
        transaction.set_rollback(True)
    return results


def _sniff(upload, suffix: str) -> bytes:
    head = upload.read(16)
    upload.seek(0)
    return head


def document_validate(upload, *, field: str = "file") -> None:
    """The one check of an uploaded document (dossier, contract, voucher, minutes): PDF,
    images, Word or Excel, at most 20 MB, with content that matches the extension."""
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            {
                field: _(
                    "Files of this kind (%(suffix)s) are not accepted: attach PDF, JPEG or PNG "
                    "images, "
                    "Word or Excel documents."
                )
                % {"suffix": suffix or _("no extension")}
            }
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                field: _("The file is %(size)s MB; at most 20 MB can be attached.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ",")}
            }
        )
    head = _sniff(upload, suffix)
    if not any(head.startswith(magic) for magic in MAGIC[suffix]):
        raise ValidationError(
            {
                field: _(
                    "The content of the file does not match its extension %(suffix)s; it may be "
                    "damaged "
                    "or renamed."
                )
                % {"suffix": suffix}
            }
        )


@dataclass(frozen=True)
class NewAttachment:
    """One file of an upload to the dossier: the file, which document of the checklist it
    is (None: another document) and its title (empty: the document's name, else the
    file's)."""

    upload: Any
    document_type: RequiredDocument | None = None
    title: str = ""


class AttachmentsRefused(ValidationError):
    """Files of an upload that ``document_validate`` refused: ``by_index`` maps the position
    of each refused file in the upload to its reasons, each naming the file."""

    def __init__(self, by_index: dict[int, list[str]]):
        self.by_index = by_index
        super().__init__([m for reasons in by_index.values() for m in reasons])


@transaction.atomic
def attachment_add(
    *, proposal: Proposal, actor, upload, title: str = "", document_type=None
) -> Attachment:
    """Add a dossier document. Only PDF, images, Word and Excel files up to 20 MB, whose
    content matches their extension; stored under a random name."""
    if not workflow.may_attach(actor, proposal):
        raise PermissionDenied
    document_validate(upload)
    return _attachments_store(proposal, actor, [NewAttachment(upload, document_type, title)])[0]


@transaction.atomic
def attachments_add(*, proposal: Proposal, actor, files: list[NewAttachment]) -> list[Attachment]:
    """Add several dossier documents in one upload, all or nothing: each file passes the
    same check as a single one (``document_validate``), and when one is refused none is
    kept. At most ``MAX_ATTACHMENTS_PER_UPLOAD`` files; one timeline event per document."""
    if not workflow.may_attach(actor, proposal):
        raise PermissionDenied
    if not files:
        raise ValidationError(_("Choose at least one file."))
    if len(files) > MAX_ATTACHMENTS_PER_UPLOAD:
        raise ValidationError(
            _("At most %(max)s files can be attached at once; you chose %(count)s.")
            % {"max": MAX_ATTACHMENTS_PER_UPLOAD, "count": len(files)}
        )
    refused: dict[int, list[str]] = {}
    for index, item in enumerate(files):
        try:
            document_validate(item.upload)
        except ValidationError as exc:
            refused[index] = [
                _("“%(name)s”: %(reason)s") % {"name": item.upload.name, "reason": reason}
                for reason in exc.messages
            ]
    if refused:
        raise AttachmentsRefused(refused)
    return _attachments_store(proposal, actor, files)


def _attachments_store(proposal: Proposal, actor, files: list[NewAttachment]) -> list[Attachment]:
    """Store checked files under random names and write their rows and timeline events (a
    fixed number of queries for any number of files). Rolling back the transaction keeps
    no row but would keep the stored files: those stored before a failure are deleted."""
    attachments = []
    try:
        for item in files:
            upload, document_type = item.upload, item.document_type
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            attachment = Attachment(
                proposal=proposal,
                document_type=document_type,
                title=item.title or (document_type.name if document_type else upload.name),
                original_name=upload.name[:255],
                size=upload.size,
                content_type=getattr(upload, "content_type", "") or "application/octet-stream",
                sha256=digest.hexdigest(),
                uploaded_by=actor,
            )
            attachment.file.save(upload.name, upload, save=False)
            attachments.append(attachment)
        Attachment.objects.bulk_create(attachments)
        ProposalEvent.objects.bulk_create(
            ProposalEvent(
                proposal=proposal,
                action="attach",
                from_status=proposal.status,
                to_status=proposal.status,
                actor=actor,
                comment=attachment.title,
            )
            for attachment in attachments
        )
    except BaseException:
        for attachment in attachments:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachments


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor) -> None:
    proposal = attachment.proposal
    _require_editor(actor, proposal)
    title = attachment.title
    attachment.file.delete(save=False)
    attachment.delete()
    _event(proposal, actor, "detach", before=proposal.status, comment=title)


def weighted_score(scores: dict[AppraisalCriterion, int]) -> Decimal:
    """Σ (score / max) × weight ÷ Σ weight, out of 100, to two decimals."""
    total_weight = sum(c.weight for c in scores)
    if not total_weight:
        return Decimal(0)
    value = sum(Decimal(s) / c.max_score * c.weight for c, s in scores.items()) / total_weight * 100
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _scores_validate(scores: dict) -> list[AppraisalCriterion]:
    criteria = list(AppraisalCriterion.objects.filter(active=True))
    missing = [c.name for c in criteria if c not in scores]
    if missing:
        raise ValidationError(
            _("Score every criterion: %(names)s.") % {"names": "; ".join(missing)}
        )
    for criterion, score in scores.items():
        if not 0 <= score <= criterion.max_score:
            raise ValidationError(
                _("%(name)s: the score must be between 0 and %(max)s.")
                % {"name": criterion.name, "max": criterion.max_score}
            )
    return criteria


def _waiting_check(link: CouncilProposal) -> None:
    proposal = link.proposal
    if not workflow.is_waiting(proposal, link.council.stage):
        raise ValidationError(
            _("The proposal is “%(status)s”: it is no longer waiting for this appraisal.")
            % {"status": proposal.get_status_display()}
        )


def _lock_link(link: CouncilProposal) -> CouncilProposal:
    """The đề án before the council, locked (council, then đề án, then the link: the same
    order in every council service)."""
    AppraisalCouncil.objects.select_for_update().get(pk=link.council_id)
    Proposal.objects.select_for_update().get(pk=link.proposal_id)
    return (
        CouncilProposal.objects.select_for_update(of=("self",))
        .select_related("council__agency", "proposal")
        .get(pk=link.pk)
    )


def council_eligible_members(*, agency) -> QuerySet[User]:
    """Who may sit on a council organised by ``agency``: its active users (read-only
    viewers excepted)."""
    return (
        User.objects.filter(agency=agency, is_active=True)
        .exclude(role=Role.VIEWER)
        .order_by("last_name", "first_name")
    )


def council_eligible_proposals(
    *, actor, stage: str, province_id=None, council=None
) -> QuerySet[Proposal]:
    """The đề án a council of ``actor``'s side may take up at ``stage``: those waiting for
    that appraisal, of the province (``province_id``, by default the actor's) for the Sở,
    not before another council that has not concluded on them, nor already before
    ``council``."""
    from accounts.policies import visible

    pending = CouncilProposal.objects.filter(
        council__stage=stage, council__status=AppraisalCouncil.Status.OPEN, concluded_at=None
    ).values("proposal_id")
    qs = Proposal.objects.filter(workflow.waiting_for_appraisal(stage)).exclude(pk__in=pending)
    if council is not None:
        qs = qs.exclude(council_links__council=council)
    if stage == Appraisal.Stage.PROVINCE:
        qs = qs.filter(province_id=province_id or actor.province_id)
    return visible(actor, qs).select_related("province").order_by("province__code", "code")


@transaction.atomic
def council_create(
    *,
    actor,
    stage: str,
    name: str,
    mode: str,
    year: int,
    decision_number: str,
    decision_date: datetime.date,
    meeting_date: datetime.date,
    meeting_place: str,
    members: list[tuple[User, str]],
    proposals: list[Proposal],
) -> AppraisalCouncil:
    """Set up a council (hội đồng thẩm định) or designated officers for ``stage``: the Sở
    for its province's đề án (grassroots appraisal of the national ones), the Cục for the
    forwarded national ones (Thông tư 36/2013/TT-BCT). Members are users of the organising
    agency, one chair (the lead officer) and, for a council, one secretary; the đề án are
    those waiting for that appraisal. Whoever drafted or submitted a đề án may not appraise
    it (``projects.appraisal`` separation of duties)."""
    province_id = None if stage == Appraisal.Stage.MINISTRY else actor.province_id
    if not workflow.may_organise(actor, stage, province_id) or not actor.agency_id:
        raise PermissionDenied
    agency = actor.agency
    errors = {}
    if not name.strip():
        errors["name"] = _("Enter the council's name.")
    if not decision_number.strip():
        errors["decision_number"] = _("Enter the number of the decision establishing it.")
    if decision_date and decision_date > timezone.localdate():
        errors["decision_date"] = _("The decision date cannot be in the future.")
    if decision_date and meeting_date and meeting_date < decision_date:
        errors["meeting_date"] = _(
            "The council cannot meet before the decision that establishes it."
        )
    eligible = set(council_eligible_members(agency=agency).values_list("pk", flat=True))
    roles = [role for _user, role in members]
    member_ids = [user.pk for user, _role in members]
    if not members:
        errors["members"] = _("Choose the members.")
    elif any(pk not in eligible for pk in member_ids):
        errors["members"] = _("Choose members among the users of your agency.")
    elif len(set(member_ids)) != len(member_ids):
        errors["members"] = _("Each person sits once.")
    elif roles.count(CouncilMember.Role.CHAIR) != 1:
        errors["members"] = _("Choose one chair (the lead officer).")
    elif roles.count(CouncilMember.Role.SECRETARY) > 1 or (
        mode == AppraisalCouncil.Mode.COUNCIL and CouncilMember.Role.SECRETARY not in roles
    ):
        errors["members"] = _("A council has one secretary, who writes the minutes.")
    if not proposals:
        errors["proposals"] = _("Choose the proposals it appraises.")
    if errors:
        raise ValidationError(errors)
    council = AppraisalCouncil(
        stage=stage,
        agency=agency,
        year=year,
        name=name.strip(),
        mode=mode,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        meeting_date=meeting_date,
        meeting_place=meeting_place.strip(),
        created_by=actor,
    )
    council.full_clean()
    council.save()
    CouncilMember.objects.bulk_create(
        [
            CouncilMember(council=council, user=user, role=role, order=order)
            for order, (user, role) in enumerate(members)
        ]
    )
    _council_take_up(council, actor, proposals, member_ids)
    return council


def _council_take_up(council: AppraisalCouncil, actor, proposals, member_ids) -> None:
    """Put ``proposals`` before ``council``: each waiting for its stage's appraisal and
    before no other council, none drafted by its members (separation of duties)."""
    ids = sorted({p.pk for p in proposals})
    # Lock order: the đề án by id, as everywhere.
    locked = list(Proposal.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    allowed = set(
        council_eligible_proposals(
            actor=actor,
            stage=council.stage,
            province_id=council.agency.province_id,
            council=council,
        )
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    refusals = []
    for proposal in locked:
        if proposal.pk not in allowed:
            refusals.append(
                _("%(code)s is not waiting for this appraisal or is before another council.")
                % {"code": proposal.code}
            )
            continue
        reason = appraisal.members_refusal(proposal, member_ids)
        if reason:
            refusals.append(reason)
    if len(locked) != len(ids):
        refusals.append(_("A proposal chosen does not exist."))
    if refusals:
        raise ValidationError({"proposals": refusals})
    start = council.proposal_links.count()
    CouncilProposal.objects.bulk_create(
        [
            CouncilProposal(council=council, proposal=proposal, order=start + order)
            for order, proposal in enumerate(locked)
        ]
    )
    for proposal in locked:
        _event(
            proposal,
            actor,
            "council_assign",
            before=proposal.status,
            comment=council.name,
            decision_number=council.decision_number,
            decision_date=council.decision_date,
        )


@transaction.atomic
def council_add_proposals(*, council: AppraisalCouncil, actor, proposals) -> AppraisalCouncil:
    """Put more đề án before an open council (its organiser: the Sở or the Cục)."""
    council = (
        AppraisalCouncil.objects.select_for_update().select_related("agency").get(pk=council.pk)
    )
    if not workflow.may_council_act(actor, "add", council):
        raise PermissionDenied
    if not proposals:
        raise ValidationError({"proposals": _("Choose the proposals it appraises.")})
    member_ids = list(council.members.values_list("user_id", flat=True))
    _council_take_up(council, actor, proposals, member_ids)
    return council


@transaction.atomic
def appraisal_record(
    *, link: CouncilProposal, actor, scores: dict, recommendation: str, comment: str = ""
) -> Appraisal:
    """Phiếu chấm điểm: a member's scores of a đề án before their council, against the
    active weighted criteria, with their recommendation. One sheet per member per đề án per
    council: scoring again replaces it, until the council concludes on the đề án."""
    link = _lock_link(link)
    council, proposal = link.council, link.proposal
    if not workflow.may_council_act(actor, "score", council):
        raise PermissionDenied
    if link.concluded_at is not None:
        raise ValidationError(_("The council has already concluded on this proposal."))
    _waiting_check(link)
    refusal = appraisal.sheet_refusal(actor, proposal)
    if refusal:
        raise PermissionDenied(refusal)
    _scores_validate(scores)
    if recommendation not in Appraisal.Recommendation.values:
        raise ValidationError({"recommendation": _("Choose a recommendation.")})
    if recommendation != Appraisal.Recommendation.APPROVE and not comment.strip():
        raise ValidationError({"comment": _("Explain the recommendation.")})
    sheet, _created = Appraisal.objects.update_or_create(
        council=council,
        proposal=proposal,
        appraiser=actor,
        defaults={
            "stage": council.stage,
            "recommendation": recommendation,
            "comment": comment,
            "weighted_score": weighted_score(scores),
        },
    )
    sheet.scores.all().delete()
    AppraisalScore.objects.bulk_create(
        [AppraisalScore(appraisal=sheet, criterion=c, score=s) for c, s in scores.items()]
    )
    _event(
        proposal,
        actor,
        "appraisal",
        before=proposal.status,
        comment=comment,
        changes={"score": str(sheet.weighted_score), "recommendation": recommendation},
    )
    return sheet


def council_conclusion_check(actor, link: CouncilProposal, sheets=None, seats=None) -> None:
    """May ``actor`` record the council's conclusion on this đề án now? (Raises; the page
    asks the same before offering the form, and shows the reason.)"""
    council = link.council
    if not workflow.may_council_act(actor, "conclude", council, seats):
        raise PermissionDenied(_("Only the chair or the secretary records the conclusion."))
    if link.concluded_at is not None:
        raise ValidationError(_("The council has already concluded on this proposal."))
    _waiting_check(link)
    if seats is None:
        seats = list(council.members.all())
    if sheets is None:
        sheets = list(Appraisal.objects.filter(council=council, proposal_id=link.proposal_id))
    scored = {s.appraiser_id for s in sheets}
    missing = [m for m in seats if m.user_id not in scored]
    if missing:
        raise ValidationError(
            _("Every member scores the proposal first: %(n)s sheet(s) missing.")
            % {"n": len(missing)}
        )
    refusal = appraisal.conclusion_refusal(actor, link.proposal, scored)
    if refusal:
        raise PermissionDenied(refusal)


@transaction.atomic
def council_conclude(
    *, link: CouncilProposal, actor, recommendation: str, opinions: str = ""
) -> CouncilProposal:
    """Kết luận của hội đồng on one đề án, recorded by its chair or secretary once every
    member has scored it: the average of the members' weighted scores
    (``projects.appraisal.council_average``), the recommendation — approval only from the
    pass mark up (``appraisal.pass_score``) — and the summary of the members' opinions."""
    link = _lock_link(link)
    sheets = list(Appraisal.objects.filter(council=link.council, proposal=link.proposal))
    council_conclusion_check(actor, link, sheets)
    average = appraisal.council_average(s.weighted_score for s in sheets)
    if recommendation not in Appraisal.Recommendation.values:
        raise ValidationError({"recommendation": _("Choose a recommendation.")})
    if recommendation == Appraisal.Recommendation.APPROVE and average < appraisal.pass_score():
        raise ValidationError(
            {
                "recommendation": _(
                    "The average score %(avg)s is below the pass mark %(mark)s: the council "
                    "cannot recommend approval."
                )
                % {
                    "avg": f"{average:.2f}".replace(".", ","),
                    "mark": f"{appraisal.pass_score():g}",
                }
            }
        )
    if recommendation != Appraisal.Recommendation.APPROVE and not opinions.strip():
        raise ValidationError({"opinions": _("Summarise the members' opinions.")})
    link.average_score = average
    link.recommendation = recommendation
    link.opinions = opinions.strip()
    link.concluded_at = timezone.now()
    link.concluded_by = actor
    link.save()
    _event(
        link.proposal,
        actor,
        "council_conclusion",
        before=link.proposal.status,
        comment=link.opinions,
        changes={"score": str(average), "recommendation": recommendation},
    )
    return link


def council_close_check(actor, council: AppraisalCouncil) -> None:
    if not workflow.may_council_act(actor, "close", council):
        raise PermissionDenied
    pending = [
        link.proposal.code
        for link in council.proposal_links.select_related("proposal")
        if link.concluded_at is None and workflow.is_waiting(link.proposal, council.stage)
    ]
    if pending:
        raise ValidationError(
            _("Conclude on every proposal first: %(codes)s.") % {"codes": ", ".join(pending)}
        )


@transaction.atomic
def council_close(*, council: AppraisalCouncil, actor) -> AppraisalCouncil:
    """The council's work is over (its minutes can be issued): every đề án still waiting
    for its appraisal has its conclusion."""
    council = (
        AppraisalCouncil.objects.select_for_update().select_related("agency").get(pk=council.pk)
    )
    council_close_check(actor, council)
    council.status = workflow.COUNCIL_ACTION["close"].target
    council.concluded_at = timezone.now()
    council.save(update_fields=["status", "concluded_at"])
    return council


def next_actors(proposal: Proposal) -> list[User]:
    """Users who may take the next step (the to-do list's owners), for the e-mail."""
    users = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(agency__province=proposal.province_id) | Q(agency__kind="ministry_department"))
        .select_related("agency")
    )
    result = []
    for user in users:
        # By role only: a superuser may act anywhere, but is no one's next actor (otherwise
        # the system administrator would be e-mailed every đề án of every province).
        user.is_superuser = False
        if any(
            workflow.may_perform(user, t, proposal)
            for t in workflow.TRANSITIONS
            if t.action not in workflow.NOT_TODO
        ):
            result.append(user)
    return result


def proposal_notify(*, proposal_id: int) -> int:
    """E-mail the next actors of a đề án (run by a Celery task after the commit)."""
    proposal = Proposal.objects.select_related("province").get(pk=proposal_id)
    recipients = [u.email for u in next_actors(proposal)]
    if not recipients:
        return 0
    return send_mail(
        subject=_("[Khuyến công] %(code)s is waiting for you: %(status)s")
        % {"code": proposal.code, "status": proposal.get_status_display()},
        message=_(
            "The proposal “%(title)s” (%(code)s) is now “%(status)s” and waits for your action."
        )
        % {"title": proposal.title, "code": proposal.code, "status": proposal.get_status_display()},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


@transaction.atomic
def proposal_transition(
    *,
    proposal: Proposal,
    actor,
    action: str,
    comment: str = "",
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    entered_as_history: bool = False,
) -> Proposal:
    """Move a đề án along the workflow. Submitting and approving run every check;
    approving locks the plan first, so two approvals at the same moment cannot commit
    more money than the plan allocated (Thông tư 28/2018/TT-BTC). An approval cannot
    predate the đề án's registration or its plan's decision (``decision_dates``), unless
    the record is ``entered_as_history`` — which its event says."""
    transition = workflow.ACTIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action."))
    deciding = transition.needs_decision
    if deciding:
        # Lock order: the plan, then the đề án — the same for every approval.
        AnnualPlan.objects.select_for_update().get(pk=proposal.plan_id)
    locked = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("activity", "plan__program", "province")
        .get(pk=proposal.pk)
    )
    if locked.status not in transition.sources:
        raise ValidationError(
            _("The proposal is “%(status)s”: this action is no longer possible.")
            % {"status": locked.get_status_display()}
        )
    if not workflow.may_perform(actor, transition, locked):
        raise PermissionDenied
    errors = {}
    if transition.needs_comment and not comment.strip():
        errors["comment"] = _("Write the reason.")
    if deciding:
        if not decision_number.strip():
            errors["decision_number"] = _("Enter the number of the approval decision.")
        if decision_date is None:
            errors["decision_date"] = _("Enter the date of the approval decision.")
        elif decision_date > timezone.localdate():
            errors["decision_date"] = _("The decision date cannot be in the future.")
        elif not entered_as_history:
            problem = decision_dates.decision_date_problem(locked, decision_date)
            if problem:
                errors["decision_date"] = problem
    if transition.records_decision:
        # The decision to stop: its number and date go on the event, not on the đề án
        # (whose approval decision stays in force for what was paid).
        if not decision_number.strip():
            errors["decision_number"] = _("Enter the number of the decision.")
        if decision_date is None:
            errors["decision_date"] = _("Enter the date of the decision.")
        elif decision_date > timezone.localdate():
            errors["decision_date"] = _("The decision date cannot be in the future.")
        elif locked.decision_date and decision_date < locked.decision_date:
            errors["decision_date"] = _(
                "The decision cannot predate the approval decision (%(date)s)."
            ) % {"date": format_date(locked.decision_date)}
    if deciding and not locked.plan.is_locked:
        errors["decision_number"] = _(
            "The annual plan %(plan)s is not approved yet: a proposal is approved against an "
            "approved plan."
        ) % {"plan": locked.plan.title}
    if action == "submit":
        problem = decision_dates.submission_problem(locked)
        if problem:
            errors["call"] = problem
    if errors:
        raise ValidationError(errors)
    before = locked.status
    changes = {}
    if action == "submit" or deciding:
        on_date = decision_date if deciding else timezone.localdate()
        results = checks.run_checks(locked, on_date=on_date)
        failures = checks.blocking_failures(results, deciding=deciding)
        if failures:
            raise ValidationError([c.message for c in failures])
    if workflow.appraisal_missing(transition, locked):
        raise ValidationError(workflow.APPRAISAL_FIRST[transition.concludes_appraisal])
    if deciding:
        totals = checks.budget_totals(locked)
        for source in SOURCES:
            setattr(locked, f"approved_{source}", totals[source])
        locked.decision_number = decision_number.strip()
        locked.decision_date = decision_date
        changes = {"approved": {s: totals[s] for s in SOURCES}}
        if entered_as_history:
            changes["entered_as_history"] = True
    locked.status = transition.target
    locked.version += 1
    locked.save()
    if deciding:
        number = (locked.approved_versions.aggregate(n=Max("number"))["n"] or 0) + 1
        ApprovedVersion.objects.create(
            proposal=locked,
            number=number,
            decision_number=locked.decision_number,
            decision_date=decision_date,
            snapshot=proposal_snapshot(locked),
        )
    _event(
        locked,
        actor,
        action,
        before=before,
        comment=comment,
        # Only a decision is recorded with its number and date (a form may post them anyway).
        decision_number=locked.decision_number
        if deciding
        else decision_number.strip()
        if transition.records_decision
        else "",
        decision_date=decision_date if transition.asks_decision else None,
        changes=changes,
    )
    from projects.tasks import proposal_notify_task

    # The e-mail is a courtesy: a broker outage loses it (logged), never the decision.
    transaction.on_commit(lambda: task_send(proposal_notify_task, args=[locked.pk]))
    return locked
