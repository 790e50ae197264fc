"""Writes that move money: contracts, tranches, reversals, acceptance, settlement.

Every service locks the đề án row first (then the rows it changes), re-reads the sums,
checks the rules, writes and records a ``ProposalEvent`` in one transaction. A user action
that pays carries an idempotency key under a unique constraint: a double click or a
retried request returns the tranche already recorded instead of paying twice.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import format_decimal, format_vnd
from core.funding import SOURCES, FundingSource
from disbursement import policies
from disbursement.models import PAID_STATES, Acceptance, Contract, Settlement, Tranche
from projects.models import Proposal, ProposalEvent
from projects.services import document_validate

S = Proposal.Status
PAYABLE = policies.PAYABLE
PAYMENT_KINDS = (Tranche.Kind.ADVANCE, Tranche.Kind.PAYMENT, Tranche.Kind.SETTLEMENT)


def advance_share() -> Decimal:
    """The most an advance may be, as a share of the contract (configurable)."""
    return Decimal(str(getattr(settings, "DISBURSEMENT_ADVANCE_MAX_SHARE", "0.5")))


def _require_recorder(actor, proposal: Proposal) -> None:
    """Who records money: policies.may_record (the page asks the same)."""
    if not policies.may_record(actor, proposal):
        raise PermissionDenied


def _require_tranche_action(action: str, actor, tranche: Tranche) -> None:
    reason = policies.tranche_refusal(action, actor, tranche)
    if reason is not None:
        raise ValidationError(reason)


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("province")
        .get(pk=proposal.pk)
    )


def _event(proposal, actor, action, *, before="", comment="", changes=None):
    ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        from_status=before or proposal.status,
        to_status=proposal.status,
        actor=actor,
        comment=comment,
        changes=changes or {},
    )


def active_contract(proposal: Proposal) -> Contract | None:
    return proposal.contracts.filter(active=True).first()


def paid_by_source(proposal: Proposal) -> dict[str, int]:
    """Money actually paid (reversals included, as negative records), per source."""
    rows = (
        Tranche.objects.filter(proposal=proposal, status__in=PAID_STATES)
        .values("source")
        .annotate(total=Sum("amount"))
    )
    paid = dict.fromkeys(SOURCES, 0)
    paid.update({r["source"]: r["total"] for r in rows})
    return paid


def pending_by_source(proposal: Proposal) -> dict[str, int]:
    rows = (
        Tranche.objects.filter(
            proposal=proposal, status__in=[Tranche.Status.REQUESTED, Tranche.Status.APPROVED]
        )
        .values("source")
        .annotate(total=Sum("amount"))
    )
    pending = dict.fromkeys(SOURCES, 0)
    pending.update({r["source"]: r["total"] for r in rows})
    return pending


def _check_amounts(amounts: dict) -> dict[str, int]:
    clean = {s: int(amounts.get(s) or 0) for s in SOURCES}
    if any(v < 0 for v in clean.values()):
        raise ValidationError(_("Amounts cannot be negative."))
    return clean


@transaction.atomic
def contract_sign(
    *,
    proposal: Proposal,
    actor,
    number: str,
    signed_on: datetime.date,
    parties: str,
    amounts: dict,
    document=None,
) -> Contract:
    """Hợp đồng of an approved đề án: contracted ≤ approved per source. Starts the
    implementation of the đề án."""
    locked = _lock(proposal)
    policies.step_require(
        "contract", actor, locked, contract=active_contract(locked), acceptance=None
    )
    clean = _check_amounts(amounts)
    _within(clean, locked.approved_by_source(), _("approved"))
    if not sum(clean.values()):
        raise ValidationError(_("Enter the contracted amounts."))
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("The signing date cannot be in the future.")})
    if locked.decision_date and signed_on < locked.decision_date:
        raise ValidationError(
            {"signed_on": _("The contract cannot be signed before the approval decision.")}
        )
    contract = Contract.objects.create(
        proposal=locked,
        number=number.strip(),
        signed_on=signed_on,
        parties=parties,
        recorded_by=actor,
        **clean,
    )
    if document:
        document_validate(document, field="document")
        contract.document.save(document.name, document, save=True)
    before = locked.status
    locked.status = S.IN_IMPLEMENTATION
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, actor, "contract", before=before, comment=number, changes={"contracted": clean})
    return contract


def _within(amounts: dict, limits: dict, what: str) -> None:
    over = [
        _("%(source)s: %(amount)s is more than the %(what)s %(limit)s")
        % {
            "source": FundingSource(s).label,
            "amount": format_vnd(amounts[s]),
            "what": what,
            "limit": format_vnd(limits[s]),
        }
        for s in SOURCES
        if amounts[s] > limits[s]
    ]
    if over:
        raise ValidationError(over)


@transaction.atomic
def contract_amend(
    *,
    contract: Contract,
    actor,
    amounts: dict,
    reason: str,
    number: str = "",
    signed_on: datetime.date | None = None,
) -> Contract:
    """A contract amendment: a new version; the old one is kept, out of force. The new
    amounts stay within the approved ones and cover what is already paid."""
    locked = _lock(contract.proposal)
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    policies.step_require(
        "amend", actor, locked, contract=current if current.active else None, acceptance=None
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the amendment.")})
    clean = _check_amounts(amounts)
    _within(clean, locked.approved_by_source(), _("approved"))
    paid = paid_by_source(locked)
    below = [s for s in SOURCES if clean[s] < paid[s]]
    if below:
        raise ValidationError(
            _("The new amounts are below what is already paid (%(sources)s).")
            % {"sources": ", ".join(str(FundingSource(s).label) for s in below)}
        )
    current.active = False
    current.save(update_fields=["active"])
    new = Contract.objects.create(
        proposal=locked,
        number=(number or current.number).strip(),
        signed_on=signed_on or current.signed_on,
        parties=current.parties,
        version=current.version + 1,
        amendment_reason=reason.strip(),
        recorded_by=actor,
        **clean,
    )
    Tranche.objects.filter(
        contract=current, status__in=[Tranche.Status.REQUESTED, Tranche.Status.APPROVED]
    ).update(contract=new)
    _event(
        locked,
        actor,
        "contract_amend",
        comment=reason,
        changes={"before": current.amounts(), "after": clean},
    )
    return new


def _existing(idempotency_key: str, proposal: Proposal) -> Tranche | None:
    existing = Tranche.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.proposal_id != proposal.pk:
        raise ValidationError(
            _("This form was already used for another proposal; reload the page.")
        )
    return existing


def inspection_required(proposal: Proposal, requested: bool = False) -> bool:
    """Is a compliant inspection required before paying money of this đề án? Yes when the
    tranche asks for it, and — once any tranche of the đề án has asked for it, even one
    later rejected — for every later payment of the đề án: the requirement cannot be
    dropped by recording the same money again without it (also held by the trigger of
    ``disbursement/sql/inspection_gate.sql``)."""
    return requested or Tranche.objects.filter(proposal=proposal, requires_inspection=True).exists()


def _check_inspection(locked: Proposal, requires_inspection: bool) -> None:
    """A tranche configured to require an inspection is paid only while the đề án's
    compliance, derived from its inspections, is "compliant" (Chỉ thị 04/CT-BCT: money
    is paid for work checked on site)."""
    if requires_inspection and locked.compliance != Proposal.Compliance.COMPLIANT:
        raise ValidationError(
            _(
                "This tranche requires a compliant inspection of the proposal before it is "
                "paid; the proposal's compliance is now “%(compliance)s”. Conclude an "
                "inspection (and remedy its recommendations) first."
            )
            % {"compliance": locked.get_compliance_display()}
        )


def _check_payable(
    locked: Proposal,
    contract: Contract | None,
    kind: str,
    source: str,
    amount: int,
    *,
    include_pending: bool,
    paid_on: datetime.date | None = None,
    tranche: Tranche | None = None,
) -> None:
    reason = policies.step_refusal("payment", locked, contract=contract, acceptance=None)
    if reason is not None:
        raise ValidationError(reason)
    if kind not in PAYMENT_KINDS:
        raise ValidationError({"kind": _("Unknown kind of payment.")})
    if source not in SOURCES:
        raise ValidationError({"source": _("Unknown funding source.")})
    if paid_on is not None and paid_on < contract.signed_on:
        raise ValidationError(
            {"paid_on": _("The payment date cannot be before the contract was signed.")}
        )
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than 0 đồng.")})
    if kind == Tranche.Kind.SETTLEMENT and not Acceptance.objects.filter(proposal=locked).exists():
        raise ValidationError(
            _("The final settlement payment comes after the acceptance (nghiệm thu).")
        )
    contracted = getattr(contract, source)
    paid = paid_by_source(locked)[source]
    pending = pending_by_source(locked)[source] if include_pending else 0
    available = contracted - paid - pending
    if amount > available:
        raise ValidationError(
            {
                "amount": _(
                    "%(amount)s is more than what is left on the contract from %(source)s: "
                    "%(available)s (contracted %(contracted)s, paid %(paid)s%(pending)s)."
                )
                % {
                    "amount": format_vnd(amount),
                    "source": FundingSource(source).label,
                    "available": format_vnd(max(available, 0)),
                    "contracted": format_vnd(contracted),
                    "paid": format_vnd(paid),
                    "pending": (_(", awaiting payment %(p)s") % {"p": format_vnd(pending)})
                    if pending
                    else "",
                }
            }
        )
    if kind == Tranche.Kind.ADVANCE:
        advanced = (
            Tranche.objects.filter(proposal=locked, source=source, kind=Tranche.Kind.ADVANCE)
            .exclude(status__in=[Tranche.Status.REJECTED, Tranche.Status.REVERSED])
            .exclude(pk=tranche.pk if tranche is not None else None)
            .aggregate(total=Sum("amount"))["total"]
            or 0
        )
        limit = int(Decimal(contracted) * advance_share())
        if advanced + amount > limit:
            raise ValidationError(
                {
                    "amount": _(
                        "Advances from %(source)s may reach %(share)s%% of the contract, "
                        "%(limit)s; %(advanced)s is already advanced."
                    )
                    % {
                        "source": FundingSource(source).label,
                        "share": format_decimal(advance_share() * 100),
                        "limit": format_vnd(limit),
                        "advanced": format_vnd(advanced),
                    }
                }
            )


@transaction.atomic
def tranche_request(
    *,
    proposal: Proposal,
    actor,
    kind: str,
    source: str,
    amount: int,
    idempotency_key: str,
    due_on: datetime.date | None = None,
    note: str = "",
    requires_inspection: bool = False,
) -> Tranche:
    """Request a tranche (requested → approved → paid). Idempotent on the form's key.
    ``requires_inspection``: it will be paid only once the đề án is found compliant."""
    locked = _lock(proposal)
    _require_recorder(actor, locked)
    existing = _existing(idempotency_key, locked)
    if existing is not None:
        return existing
    contract = active_contract(locked)
    _check_payable(locked, contract, kind, source, amount, include_pending=True)
    tranche = Tranche.objects.create(
        proposal=locked,
        contract=contract,
        kind=kind,
        source=source,
        amount=amount,
        due_on=due_on,
        note=note,
        requires_inspection=inspection_required(locked, requires_inspection),
        idempotency_key=idempotency_key,
        recorded_by=actor,
    )
    _event(
        locked,
        actor,
        "tranche_request",
        comment=note,
        changes={"tranche": tranche.pk, "amount": amount, "source": source},
    )
    return tranche


def _require_tranche_step(actor, locked: Proposal) -> None:
    """The actions on the ledger's tranches: while the đề án is paid (policies)."""
    policies.step_require("tranche", actor, locked, contract=None, acceptance=None)


def _lock_tranche(tranche: Tranche) -> tuple[Proposal, Tranche]:
    locked = _lock(tranche.proposal)
    return locked, Tranche.objects.select_for_update().get(pk=tranche.pk)


@transaction.atomic
def tranche_approve(*, tranche: Tranche, actor) -> Tranche:
    """A second person approves a requested tranche (not the one who recorded it)."""
    locked, current = _lock_tranche(tranche)
    _require_tranche_step(actor, locked)
    _require_tranche_action("approve", actor, current)
    current.status = Tranche.Status.APPROVED
    current.approved_by = actor
    current.approved_at = timezone.now()
    current.save(update_fields=["status", "approved_by", "approved_at"])
    _event(locked, actor, "tranche_approve", changes={"tranche": current.pk})
    return current


@transaction.atomic
def tranche_reject(*, tranche: Tranche, actor, reason: str) -> Tranche:
    locked, current = _lock_tranche(tranche)
    _require_tranche_step(actor, locked)
    _require_tranche_action("reject", actor, current)
    if not reason.strip():
        raise ValidationError({"reason": _("Write the reason.")})
    current.status = Tranche.Status.REJECTED
    current.note = (current.note + "\n" + reason).strip()
    current.save(update_fields=["status", "note"])
    _event(locked, actor, "tranche_reject", comment=reason, changes={"tranche": current.pk})
    return current


@transaction.atomic
def tranche_pay(
    *,
    tranche: Tranche,
    actor,
    paid_on: datetime.date,
    voucher_number: str,
    treasury_reference: str = "",
) -> Tranche:
    """Record the payment of an approved tranche: locks the đề án and the tranche,
    re-checks that paid stays within the contract, writes, and records the event."""
    locked, current = _lock_tranche(tranche)
    _require_recorder(actor, locked)
    if current.status == Tranche.Status.PAID:
        return current  # a retried request: already paid once
    _require_tranche_step(actor, locked)
    _require_tranche_action("pay", actor, current)
    _check_inspection(locked, inspection_required(locked, current.requires_inspection))
    if not voucher_number.strip():
        raise ValidationError({"voucher_number": _("Enter the payment voucher number (chứng từ).")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    _check_payable(
        locked,
        active_contract(locked),
        current.kind,
        current.source,
        current.amount,
        include_pending=False,
        paid_on=paid_on,
        tranche=current,
    )
    current.status = Tranche.Status.PAID
    current.paid_on = paid_on
    current.voucher_number = voucher_number.strip()
    current.treasury_reference = treasury_reference.strip()
    current.save(update_fields=["status", "paid_on", "voucher_number", "treasury_reference"])
    _event(
        locked,
        actor,
        "tranche_pay",
        comment=voucher_number,
        changes={"tranche": current.pk, "amount": current.amount, "source": current.source},
    )
    return current


@transaction.atomic
def payment_record(
    *,
    proposal: Proposal,
    actor,
    kind: str,
    source: str,
    amount: int,
    paid_on: datetime.date,
    voucher_number: str,
    idempotency_key: str,
    treasury_reference: str = "",
    note: str = "",
    document=None,
    requires_inspection: bool = False,
) -> Tranche:
    """Record a payment already made (the usual case for a promotion centre): one locked
    transaction that checks, writes a paid tranche and the event. The idempotency key
    makes a double click or a retried request pay once. A payment marked
    ``requires_inspection`` is refused while the đề án is not found compliant."""
    locked = _lock(proposal)
    _require_recorder(actor, locked)
    existing = _existing(idempotency_key, locked)
    if existing is not None:
        return existing
    if not voucher_number.strip():
        raise ValidationError({"voucher_number": _("Enter the payment voucher number (chứng từ).")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    contract = active_contract(locked)
    _check_payable(locked, contract, kind, source, amount, include_pending=True, paid_on=paid_on)
    requires_inspection = inspection_required(locked, requires_inspection)
    _check_inspection(locked, requires_inspection)
    try:
        with transaction.atomic():
            tranche = Tranche.objects.create(
                proposal=locked,
                contract=contract,
                kind=kind,
                source=source,
                amount=amount,
                status=Tranche.Status.PAID,
                paid_on=paid_on,
                voucher_number=voucher_number.strip(),
                treasury_reference=treasury_reference.strip(),
                note=note,
                requires_inspection=requires_inspection,
                idempotency_key=idempotency_key,
                recorded_by=actor,
                approved_by=actor,
                approved_at=timezone.now(),
            )
    except IntegrityError:
        # The same key committed by a concurrent request after our check: return it (or
        # refuse it when that request was for another đề án).
        return _existing(idempotency_key, locked)
    if document:
        document_validate(document, field="document")
        tranche.document.save(document.name, document, save=True)
    _event(
        locked,
        actor,
        "payment",
        comment=voucher_number,
        changes={"tranche": tranche.pk, "amount": amount, "source": source, "kind": kind},
    )
    return tranche


@transaction.atomic
def tranche_reverse(*, tranche: Tranche, actor, reason: str, idempotency_key: str) -> Tranche:
    """Reverse a paid tranche with a new, negative record; the paid one is never edited
    (only marked as reversed)."""
    locked, current = _lock_tranche(tranche)
    _require_recorder(actor, locked)
    existing = _existing(idempotency_key, locked)
    if existing is not None:
        return existing
    _require_tranche_step(actor, locked)
    _require_tranche_action("reverse", actor, current)
    if not reason.strip():
        raise ValidationError({"reason": _("Write the reason.")})
    reversal = Tranche.objects.create(
        proposal=locked,
        contract=current.contract,
        kind=Tranche.Kind.REVERSAL,
        source=current.source,
        amount=-current.amount,
        status=Tranche.Status.PAID,
        paid_on=timezone.localdate(),
        reverses=current,
        note=reason,
        idempotency_key=idempotency_key,
        recorded_by=actor,
        approved_by=actor,
        approved_at=timezone.now(),
        voucher_number=current.voucher_number,
    )
    current.status = Tranche.Status.REVERSED
    current.save(update_fields=["status"])
    _event(
        locked,
        actor,
        "tranche_reverse",
        comment=reason,
        changes={"tranche": current.pk, "reversal": reversal.pk},
    )
    return reversal


@transaction.atomic
def acceptance_record(
    *,
    proposal: Proposal,
    actor,
    accepted_on: datetime.date,
    council: str,
    result: str,
    amounts: dict,
    conclusion: str = "",
    achieved: dict | None = None,
    minutes=None,
) -> Acceptance:
    """Nghiệm thu: accepted ≤ contracted per source; the achieved outputs are recorded on
    the đề án (they feed the programme targets)."""
    locked = _lock(proposal)
    policies.step_require("acceptance", actor, locked, contract=None, acceptance=None)
    if not council.strip():
        raise ValidationError({"council": _("List the members of the acceptance council.")})
    if accepted_on > timezone.localdate():
        raise ValidationError({"accepted_on": _("The acceptance date cannot be in the future.")})
    clean = _check_amounts(amounts)
    _within(clean, active_contract(locked).amounts(), _("contracted"))
    acceptance = Acceptance.objects.create(
        proposal=locked,
        accepted_on=accepted_on,
        council=council,
        result=result,
        conclusion=conclusion,
        recorded_by=actor,
        **clean,
    )
    if minutes:
        document_validate(minutes, field="minutes")
        acceptance.minutes.save(minutes.name, minutes, save=True)
    for indicator, value in (achieved or {}).items():
        locked.outputs.filter(indicator=indicator).update(achieved_value=value)
    before = locked.status
    locked.status = S.ACCEPTED
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, actor, "accept", before=before, comment=conclusion, changes={"accepted": clean})
    return acceptance


@transaction.atomic
def settlement_record(
    *, proposal: Proposal, actor, settled_on: datetime.date, decision_number: str, amounts: dict
) -> Settlement:
    """Quyết toán: settled ≤ accepted per source; what was paid beyond the settled amount
    is recorded as money to be returned (thu hồi). Closes the đề án."""
    locked = _lock(proposal)
    acceptance = Acceptance.objects.filter(proposal=locked).first()
    policies.step_require("settlement", actor, locked, contract=None, acceptance=acceptance)
    if not decision_number.strip():
        raise ValidationError({"decision_number": _("Enter the settlement decision number.")})
    clean = _check_amounts(amounts)
    _within(clean, acceptance.amounts(), _("accepted"))
    paid = paid_by_source(locked)
    returned = {s: max(paid[s] - clean[s], 0) for s in SOURCES}
    settlement = Settlement.objects.create(
        proposal=locked,
        settled_on=settled_on,
        decision_number=decision_number.strip(),
        recorded_by=actor,
        **clean,
        **{f"returned_{s}": v for s, v in returned.items()},
    )
    before = locked.status
    locked.status = S.CLOSED
    locked.save(update_fields=["status", "updated_at"])
    _event(
        locked,
        actor,
        "settle",
        before=before,
        comment=decision_number,
        changes={"settled": clean, "returned": returned},
    )
    return settlement
