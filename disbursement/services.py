"""Writes that move money: contracts, tranches, reversals, acceptance, settlement.

Every service locks the đề án row first (then the rows it changes), re-reads the sums,
checks the rules, writes and records a ``ProposalEvent`` in one transaction. A user action
that pays carries an idempotency key under a unique constraint: a double click or a
retried request returns the tranche already recorded instead of paying twice.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency
from core.formatting import format_vnd
from core.funding import SOURCES, FundingSource
from disbursement import policies
from disbursement.models import (
    PAID_STATES,
    Acceptance,
    Contract,
    Liquidation,
    ProgressReport,
    Settlement,
    Tranche,
)
from disbursement.selectors import (
    advance_limit_for,
    advanced_by_source,
    latest_progress,
    more_than_half_done,
)
from programs.catalogue import CERTIFICATE_INDICATOR
from programs.models import Indicator
from projects.models import Proposal, ProposalEvent
from projects.services import document_validate

S = Proposal.Status
PAYABLE = policies.PAYABLE
PAYMENT_KINDS = (Tranche.Kind.ADVANCE, Tranche.Kind.PAYMENT, Tranche.Kind.SETTLEMENT)


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
    signing_agency: Agency | None = None,
) -> Contract:
    """Hợp đồng of an approved đề án: contracted ≤ approved per source. Starts the
    implementation of the đề án. A national đề án's contract is recorded by the ministry
    department and names who signs for it: the department itself (the default) or the
    agency it entrusts, whose users then record its payments (Thông tư 36/2013/TT-BCT,
    disbursement.policies.may_record)."""
    locked = _lock(proposal)
    policies.step_require(
        "contract", actor, locked, contract=active_contract(locked), acceptance=None
    )
    if locked.level == "national":
        signing_agency = signing_agency or getattr(actor, "agency", None)
        if signing_agency is None:
            raise ValidationError(
                {"signing_agency": _("Choose the agency that signs the contract.")}
            )
        if signing_agency.province_id not in (None, locked.province_id):
            raise ValidationError(
                {
                    "signing_agency": _(
                        "The contract is signed by the ministry department or an agency of "
                        "the proposal's province that it entrusts."
                    )
                }
            )
    else:
        signing_agency = None
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
        signing_agency=signing_agency,
        recorded_by=actor,
        **clean,
    )
    if document:
        document_validate(document, field="document")
        contract.document.save(document.name, document, save=True)
    before = locked.status
    locked.status = policies.STATUS_STEPS["contract"][1]
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
    # The advances already made stay within the advance limit of the new amounts.
    today = timezone.localdate()
    for source in SOURCES:
        advanced = advanced_by_source(locked, source)
        if not advanced:
            continue
        amended = Contract(**clean)
        _rule, limit, reason = advance_limit_for(locked, amended, source, today)
        if advanced > limit:
            raise ValidationError(
                _(
                    "%(source)s: %(advanced)s is already advanced, more than the new contract "
                    "allows: %(rule)s."
                )
                % {
                    "source": FundingSource(source).label,
                    "advanced": format_vnd(advanced),
                    "rule": reason,
                }
            )
    current.active = False
    current.save(update_fields=["active"])
    new = Contract.objects.create(
        proposal=locked,
        number=(number or current.number).strip(),
        signed_on=signed_on or current.signed_on,
        parties=current.parties,
        signing_agency=current.signing_agency,
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


def inspection_refusal(proposal: Proposal, requires_inspection: bool) -> str | None:
    """A tranche configured to require an inspection is paid only while the đề án's
    compliance, derived from its inspections, is "compliant" (Chỉ thị 04/CT-BCT: money
    is paid for work checked on site). Why it cannot be paid now (None: it can); the
    money page asks the same before offering "Pay"."""
    if requires_inspection and proposal.compliance != Proposal.Compliance.COMPLIANT:
        return _(
            "This tranche requires a compliant inspection of the proposal before it is "
            "paid; the proposal's compliance is now “%(compliance)s”. Conclude an "
            "inspection (and remedy its recommendations) first."
        ) % {"compliance": proposal.get_compliance_display()}
    return None


def _check_inspection(locked: Proposal, requires_inspection: bool) -> None:
    reason = inspection_refusal(locked, requires_inspection)
    if reason is not None:
        raise ValidationError(reason)


def _check_paid_on(paid_on: datetime.date) -> None:
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})


def _left_on_contract(
    proposal: Proposal, contract: Contract, source: str, *, include_pending: bool
) -> tuple[int, int, int, int]:
    """What may still be paid from ``source``: (left, contracted, paid, awaiting payment)."""
    contracted = getattr(contract, source)
    paid = paid_by_source(proposal)[source]
    pending = pending_by_source(proposal)[source] if include_pending else 0
    return contracted - paid - pending, contracted, paid, pending


def payable_check(
    *,
    proposal: Proposal,
    kind: str,
    source: str,
    amount: int,
    paid_on: datetime.date | None = None,
) -> int:
    """The money rules of a tranche request or a payment (``paid_on`` given) run on what is
    being typed, before it is saved: the same checks ``tranche_request`` and
    ``payment_record`` make (the payment date, what is left on the contract, the
    liquidation, the advance limit), read without the lock and writing nothing. Raises the
    ValidationError saving would raise; else returns what is left on the contract from
    ``source`` before this amount."""
    if paid_on is not None:
        _check_paid_on(paid_on)
    contract = active_contract(proposal)
    _check_payable(proposal, contract, kind, source, amount, include_pending=True, paid_on=paid_on)
    return _left_on_contract(proposal, contract, source, include_pending=True)[0]


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
    available, contracted, paid, pending = _left_on_contract(
        locked, contract, source, include_pending=include_pending
    )
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
    liquidation = Liquidation.objects.filter(proposal=locked).first()
    if liquidation is not None and paid + amount > getattr(liquidation, source):
        # After the liquidation only what remains of the work done is paid.
        raise ValidationError(
            {
                "amount": _(
                    "The contract is liquidated: at most %(done)s of work done from "
                    "%(source)s is paid, %(paid)s is already paid."
                )
                % {
                    "done": format_vnd(getattr(liquidation, source)),
                    "source": FundingSource(source).label,
                    "paid": format_vnd(paid),
                }
            }
        )
    if kind == Tranche.Kind.ADVANCE:
        _check_advance(
            locked,
            contract,
            source,
            amount,
            on_date=paid_on or timezone.localdate(),
            tranche=tranche,
        )


def _check_advance(locked, contract, source, amount, *, on_date, tranche=None) -> None:
    """An advance stays within the limit of its activity group (Thông tư 36/2013/TT-BCT:
    70 % or 30 % of the contract's amount from the source), counting the đề án's advances
    not rejected nor reversed; for the groups that ask for it, only once the latest
    progress report shows more than half of the work done. Also held by the trigger of
    ``disbursement/sql/advance_limits.sql``."""
    rule, limit, reason = advance_limit_for(locked, contract, source, on_date)
    if rule is not None and rule.requires_more_than_half_done and not more_than_half_done(locked):
        report = latest_progress(locked)
        raise ValidationError(
            {
                "amount": _("No advance yet: %(rule)s; the latest progress report shows %(done)s.")
                % {
                    "rule": reason,
                    "done": (_("%(p)s %% of the work done") % {"p": report.percent_done})
                    if report
                    else _("no progress report"),
                }
            }
        )
    advanced = advanced_by_source(locked, source, excluding=tranche)
    if advanced + amount > limit:
        raise ValidationError(
            {
                "amount": _(
                    "Advances from %(source)s may reach %(limit)s: %(rule)s; %(advanced)s is "
                    "already advanced."
                )
                % {
                    "source": FundingSource(source).label,
                    "limit": format_vnd(limit),
                    "rule": reason,
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
    _check_paid_on(paid_on)
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
    _check_paid_on(paid_on)
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
    # "Products recognised" is counted from its linked certificates (typical_products),
    # never typed: the achieved values given for it are left out. Keys are indicators or
    # their ids.
    typed = {
        getattr(indicator, "pk", indicator): value for indicator, value in (achieved or {}).items()
    }
    counted = Indicator.objects.filter(code=CERTIFICATE_INDICATOR).values_list("pk", flat=True)
    for indicator_id in set(typed) - set(counted):
        locked.outputs.filter(indicator_id=indicator_id).update(achieved_value=typed[indicator_id])
    before = locked.status
    locked.status = policies.STATUS_STEPS["acceptance"][1]
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, actor, "accept", before=before, comment=conclusion, changes={"accepted": clean})
    return acceptance


@transaction.atomic
def settlement_record(
    *, proposal: Proposal, actor, settled_on: datetime.date, decision_number: str, amounts: dict
) -> Settlement:
    """Quyết toán: settled ≤ accepted per source; what was paid beyond the settled amount
    is recorded as money to be returned (thu hồi). Follows the contract's liquidation
    (nghiệm thu → thanh lý hợp đồng → quyết toán) and closes the đề án."""
    locked = _lock(proposal)
    acceptance = Acceptance.objects.filter(proposal=locked).first()
    liquidation = Liquidation.objects.filter(proposal=locked).first()
    policies.step_require(
        "settlement",
        actor,
        locked,
        contract=None,
        acceptance=acceptance,
        liquidation=liquidation,
    )
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
    locked.status = policies.STATUS_STEPS["settlement"][1]
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


@transaction.atomic
def progress_record(
    *,
    proposal: Proposal,
    actor,
    reported_on: datetime.date,
    percent_done: int,
    note: str = "",
    document=None,
) -> ProgressReport:
    """Báo cáo tiến độ: the share of the work done, 0–100 %, during implementation; the
    latest report counts for the advances that wait for more than half of the work
    (Thông tư 36/2013/TT-BCT)."""
    locked = _lock(proposal)
    policies.step_require("progress", actor, locked, contract=None, acceptance=None)
    if percent_done is None or not 0 <= percent_done <= 100:
        raise ValidationError({"percent_done": _("Enter a share between 0 and 100 %.")})
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("The report date cannot be in the future.")})
    contract = active_contract(locked)
    if contract is not None and reported_on < contract.signed_on:
        raise ValidationError(
            {
                "reported_on": _("The report cannot predate the contract (%(date)s).")
                % {"date": contract.signed_on.strftime("%d/%m/%Y")}
            }
        )
    report = ProgressReport.objects.create(
        proposal=locked,
        reported_on=reported_on,
        percent_done=percent_done,
        note=note.strip(),
        recorded_by=actor,
    )
    if document:
        document_validate(document, field="document")
        report.document.save(document.name, document, save=True)
    _event(
        locked,
        actor,
        "progress",
        comment=note,
        changes={"percent_done": percent_done, "reported_on": reported_on.isoformat()},
    )
    return report


@transaction.atomic
def liquidation_record(
    *,
    proposal: Proposal,
    actor,
    number: str,
    liquidated_on: datetime.date,
    amounts: dict,
    minutes=None,
) -> Liquidation:
    """Biên bản thanh lý hợp đồng: the value of the work done per source (≤ the contract
    in force), and the money to return per source, paid − done (never negative). After
    the acceptance, or after the đề án was stopped — which the liquidation closes; an
    accepted đề án is closed by its settlement (quyết toán) that follows."""
    locked = _lock(proposal)
    contract = active_contract(locked)
    existing = Liquidation.objects.filter(proposal=locked).first()
    policies.step_require(
        "liquidation", actor, locked, contract=contract, acceptance=None, liquidation=existing
    )
    if not number.strip():
        raise ValidationError({"number": _("Enter the number of the liquidation minutes.")})
    if liquidated_on > timezone.localdate():
        raise ValidationError({"liquidated_on": _("The liquidation date cannot be in the future.")})
    if liquidated_on < contract.signed_on:
        raise ValidationError({"liquidated_on": _("The liquidation cannot predate the contract.")})
    clean = _check_amounts(amounts)
    _within(clean, contract.amounts(), _("contracted"))
    paid = paid_by_source(locked)
    returned = {s: max(paid[s] - clean[s], 0) for s in SOURCES}
    liquidation = Liquidation.objects.create(
        proposal=locked,
        contract=contract,
        number=number.strip(),
        liquidated_on=liquidated_on,
        recorded_by=actor,
        **clean,
        **{f"returned_{s}": v for s, v in returned.items()},
    )
    if minutes:
        document_validate(minutes, field="minutes")
        liquidation.minutes.save(minutes.name, minutes, save=True)
    before = locked.status
    sources, target = policies.STATUS_STEPS["liquidation"]
    if locked.status in sources:
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
    _event(
        locked,
        actor,
        "liquidate",
        before=before,
        comment=number,
        changes={"done": clean, "returned": returned},
    )
    return liquidation
