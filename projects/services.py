"""Writes that matter for đề án: create, save the draft, attach documents, appraise, and
move along ``projects.workflow.TRANSITIONS``. One transaction each; each records a
``ProposalEvent`` (the timeline) and notifies the next actors after commit.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PROVINCIAL_EDITORS, User
from accounts.policies import is_national
from core.funding import SOURCES
from core.queue import task_send
from programs.models import AnnualPlan
from projects import checks, decision_dates, workflow
from projects.models import (
    Appraisal,
    AppraisalCriterion,
    AppraisalScore,
    ApprovedVersion,
    Attachment,
    BudgetLine,
    Proposal,
    ProposalBeneficiary,
    ProposalEvent,
    ProposalOutput,
)

ALLOWED_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
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


def _snapshot(proposal: Proposal) -> dict:
    return {
        "title": proposal.title,
        "kind": proposal.kind,
        "objectives": proposal.objectives,
        "double_funding_justification": proposal.double_funding_justification,
        "communes": sorted(proposal.communes.values_list("name", flat=True)),
        "activity": proposal.activity.code,
        "implementing_agency": proposal.implementing_agency_id,
        "start_date": proposal.start_date.isoformat(),
        "end_date": proposal.end_date.isoformat(),
        "beneficiaries": [
            [link.beneficiary_id, link.support_amount]
            for link in proposal.beneficiary_links.order_by("id")
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
            for li in proposal.budget_lines.all()
        ],
        "outputs": {
            o.indicator.code: o.target_value for o in proposal.outputs.select_related("indicator")
        },
        "totals": checks.budget_totals(proposal),
    }


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
    before = _snapshot(locked)
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
        locked.outputs.all().delete()
        ProposalOutput.objects.bulk_create(
            [ProposalOutput(proposal=locked, indicator=i, target_value=v) for i, v in outputs if v]
        )
    locked.version += 1
    locked.save()
    after = _snapshot(locked)
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


@transaction.atomic
def attachment_add(
    *, proposal: Proposal, actor, upload, title: str = "", document_type=None
) -> Attachment:
    """Add a dossier document. Only PDF, images, Word and Excel files up to 20 MB, whose
    content matches their extension; stored under a random name."""
    if not workflow.may_attach(actor, proposal):
        raise PermissionDenied
    document_validate(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        proposal=proposal,
        document_type=document_type,
        title=title or (document_type.name if document_type else upload.name),
        original_name=upload.name[:255],
        size=upload.size,
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    _event(proposal, actor, "attach", before=proposal.status, comment=attachment.title)
    return attachment


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


@transaction.atomic
def appraisal_record(
    *, proposal: Proposal, actor, scores: dict, recommendation: str, comment: str = ""
) -> Appraisal:
    """Thẩm định: scores against the active criteria, by the Sở (submitted đề án of its
    province) or by the ministry (forwarded national đề án)."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    stage = workflow.appraisal_stage(actor, locked)
    if stage is None:
        raise PermissionDenied
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
    if recommendation != Appraisal.Recommendation.APPROVE and not comment.strip():
        raise ValidationError({"comment": _("Explain the recommendation.")})
    appraisal = Appraisal.objects.create(
        proposal=locked,
        stage=stage,
        appraiser=actor,
        recommendation=recommendation,
        comment=comment,
        weighted_score=weighted_score(scores),
    )
    AppraisalScore.objects.bulk_create(
        [AppraisalScore(appraisal=appraisal, criterion=c, score=s) for c, s in scores.items()]
    )
    _event(
        locked,
        actor,
        "appraisal",
        before=locked.status,
        comment=comment,
        changes={"score": str(appraisal.weighted_score), "recommendation": recommendation},
    )
    return appraisal


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
            snapshot=_snapshot(locked),
        )
    _event(
        locked,
        actor,
        action,
        before=before,
        comment=comment,
        # Only a decision is recorded with its number and date (a form may post them anyway).
        decision_number=locked.decision_number if deciding else "",
        decision_date=decision_date if deciding else None,
        changes=changes,
    )
    from projects.tasks import proposal_notify_task

    # The e-mail is a courtesy: a broker outage loses it (logged), never the decision.
    transaction.on_commit(lambda: task_send(proposal_notify_task, args=[locked.pk]))
    return locked
