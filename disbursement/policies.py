"""Which money step of a đề án may be taken now, and by whom. One answer, asked by the money
page to show its forms and buttons and by ``disbursement.services`` before acting, so the
page never offers what the service would refuse, nor hides what it would do.

The steps, in the order of the đề án's life: the contract (hợp đồng) of an approved đề án;
while it is paid (in implementation, then accepted) the contract's amendments, payments
(tạm ứng, thanh toán), requested tranches and the actions on them; progress reports during
implementation (they open the advances that wait for half of the work); the acceptance
(nghiệm thu) during implementation; the contract's liquidation (thanh lý hợp đồng) after
the acceptance, or after the đề án was stopped (which it closes); the final settlement
(quyết toán) after the liquidation, which closes the đề án (nghiệm thu → thanh lý → quyết
toán, Thông tư 28/2018/TT-BTC and Thông tư 36/2013/TT-BCT).

Who records: for a local đề án the promotion centre and the Sở of its province. For a
national đề án the funder signs: the ministry department (Cục Công Thương địa phương)
records the contract, naming the agency that signs it — itself, or the agency it entrusts
(Thông tư 36/2013/TT-BCT) — and the users of that agency record its money afterwards. The
Sở and the centre of the province read it (scope: accounts.policies)."""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import MINISTRY_ROLES, PROVINCIAL_EDITORS, Agency
from accounts.policies import PERMISSIONS, Actors, may_act, next_step_note
from disbursement.models import Contract, Tranche
from projects.models import Proposal

S = Proposal.Status
T = Tranche.Status
# Money moves between the contract and the settlement; not after the đề án is stopped.
PAYABLE = (S.IN_IMPLEMENTATION, S.ACCEPTED)
# The contract is liquidated after the acceptance, or once the đề án was stopped.
LIQUIDABLE = (S.ACCEPTED, S.STOPPED)
# The forms of the money page, and "tranche": the actions on the tranches of the ledger.
STEPS = (
    "contract",
    "amend",
    "payment",
    "request",
    "progress",
    "acceptance",
    "liquidation",
    "settlement",
    "tranche",
)

# What each step does that cannot be undone (the forms without one — the tranche request,
# the progress report — are corrected by the next step): the page asks to confirm with
# this sentence before recording (core.confirm).
STEP_CONSEQUENCES = {
    "contract": gettext_lazy(
        "The contract is recorded and the proposal goes into implementation: payments may be "
        "made against it; afterwards the contract changes only through an amendment."
    ),
    "amend": gettext_lazy(
        "The amended contract replaces the one in force; the earlier version is kept in the "
        "history and cannot be changed."
    ),
    "payment": gettext_lazy(
        "The payment is recorded as made and counts in the disbursed amounts at once; it can "
        "only be cancelled by a reversal, which stays in the ledger."
    ),
    "acceptance": gettext_lazy(
        "The acceptance (nghiệm thu) is recorded with its accepted amounts and outputs; the "
        "proposal is then accepted and can no longer be accepted again."
    ),
    "liquidation": gettext_lazy(
        "The contract is liquidated (thanh lý) with these amounts: what was paid beyond them "
        "is to be returned; a stopped proposal is closed."
    ),
    "settlement": gettext_lazy(
        "The final settlement (quyết toán) closes the proposal: no payment can be recorded on "
        "it afterwards."
    ),
}


# The money steps that move a đề án from one status to another (the rest of its life is
# projects.workflow.TRANSITIONS): step -> (the statuses it is taken from, the status it
# leads to). A liquidation after the acceptance leaves the đề án accepted until its
# settlement; after a stop it closes it. The services set these targets; the workflow
# tests check that together with the transitions no status is a dead end.
STATUS_STEPS = {
    "contract": ((S.APPROVED,), S.IN_IMPLEMENTATION),
    "acceptance": ((S.IN_IMPLEMENTATION,), S.ACCEPTED),
    "liquidation": ((S.STOPPED,), S.CLOSED),
    "settlement": ((S.ACCEPTED,), S.CLOSED),
}


def signing_agency_id(proposal: Proposal) -> int | None:
    """The agency that signed the contract in force of a national đề án (None before the
    contract, or for a contract recorded without one)."""
    return (
        Contract.objects.filter(proposal=proposal, active=True)
        .values_list("signing_agency_id", flat=True)
        .first()
    )


def recorders(proposal: Proposal) -> Actors:
    """Who records money. A local đề án: the promotion centre (the implementing unit) and
    the Sở of its province (``disbursement.record``); the ministry reads. A national đề án:
    the ministry department until a contract names another signing agency; then the users
    of that agency (the ministry's users when it signed itself)."""
    if proposal.level != "national":
        return Actors(PERMISSIONS["disbursement.record"], province_id=proposal.province_id)
    agency_id = signing_agency_id(proposal)
    if agency_id is None:
        return Actors(MINISTRY_ROLES)
    national = Agency.objects.filter(pk=agency_id, province__isnull=True).exists()
    if national:
        return Actors(MINISTRY_ROLES, agency_id=agency_id)
    return Actors(PROVINCIAL_EDITORS, province_id=proposal.province_id, agency_id=agency_id)


def may_record(user, proposal: Proposal) -> bool:
    """May ``user`` record the đề án's money (``recorders``)?"""
    return recorders(proposal).includes(user)


def step_refusal(
    step: str, proposal: Proposal, *, contract, acceptance, liquidation=None
) -> str | None:
    """Why ``step`` cannot be taken on the đề án as it stands now (None: it can).
    ``contract`` is the contract in force (or None), ``acceptance`` the acceptance (or
    None), ``liquidation`` the contract's liquidation (or None)."""
    status = proposal.status
    if step == "contract":
        if status != S.APPROVED:
            return _("A contract is signed for an approved proposal; this one is “%(status)s”.") % {
                "status": proposal.get_status_display()
            }
        if contract is not None:
            return _("This proposal already has a contract in force: amend it instead.")
    elif step == "amend":
        if contract is None:
            return _("Only the contract in force can be amended.")
        if status not in PAYABLE:
            return _("The contract is amended while the proposal is in implementation or accepted.")
    elif step in ("payment", "request"):
        if status not in PAYABLE:
            return _("Nothing is paid before the proposal is approved and its contract signed.")
        if contract is None:
            return _("Sign the contract before recording payments.")
    elif step == "progress":
        if status != S.IN_IMPLEMENTATION:
            return _("Progress is reported while the proposal is in implementation.")
    elif step == "acceptance":
        if status != S.IN_IMPLEMENTATION:
            return _("Acceptance comes after the contract, during implementation.")
    elif step == "liquidation":
        if status not in LIQUIDABLE or contract is None:
            return _(
                "The contract is liquidated after the acceptance (nghiệm thu) or after the "
                "proposal was stopped."
            )
        if liquidation is not None:
            return _("The contract is already liquidated.")
    elif step == "settlement":
        if status != S.ACCEPTED or acceptance is None:
            return _("The final settlement comes after the acceptance (nghiệm thu).")
        if liquidation is None:
            return _("The final settlement comes after the contract's liquidation (thanh lý).")
    elif step == "tranche":
        if status not in PAYABLE:
            return _("Tranches are acted on while the proposal is in implementation or accepted.")
    else:
        raise ValueError(step)
    return None


def may_take(step: str, user, proposal: Proposal) -> bool:
    """Who takes ``step``: whoever records the đề án's money (may_record); a progress
    report also by the implementing side of the đề án's province — the centre and the Sở —
    for a national đề án too (Thông tư 36/2013/TT-BCT: the implementing unit reports the
    work done)."""
    if may_record(user, proposal):
        return True
    return step == "progress" and may_act(user, "disbursement.record", proposal)


def step_require(
    step: str, user, proposal: Proposal, *, contract, acceptance, liquidation=None
) -> None:
    """For the services: PermissionDenied for a user who may not take this step on this
    đề án, ValidationError with the reason for a step that is not possible now."""
    if not may_take(step, user, proposal):
        raise PermissionDenied
    reason = step_refusal(
        step, proposal, contract=contract, acceptance=acceptance, liquidation=liquidation
    )
    if reason is not None:
        raise ValidationError(reason)


def steps_open(
    user, proposal: Proposal, *, contract, acceptance, liquidation=None
) -> frozenset[str]:
    """For the page: the steps ``user`` may take on the đề án now."""
    return frozenset(
        step
        for step in STEPS
        if may_take(step, user, proposal)
        and step_refusal(
            step, proposal, contract=contract, acceptance=acceptance, liquidation=liquidation
        )
        is None
    )


# The action on one tranche of the ledger -> the statuses it is taken from.
TRANCHE_ACTIONS = {
    "approve": (T.REQUESTED,),
    "pay": (T.APPROVED,),
    "reject": (T.REQUESTED, T.APPROVED),
    "reverse": (T.PAID,),
}
# What each action on a tranche does that cannot be undone: asked before acting.
TRANCHE_CONSEQUENCES = {
    "approve": gettext_lazy(
        "The tranche is approved: it can then be paid, and it can no longer be changed."
    ),
    "pay": gettext_lazy(
        "The payment is recorded as made and counts in the disbursed amounts at once; it can "
        "only be cancelled by a reversal, which stays in the ledger."
    ),
    "reject": gettext_lazy(
        "The tranche is rejected for good: it will not be paid (a new tranche must be requested)."
    ),
    "reverse": gettext_lazy(
        "A negative record cancels this payment in the disbursed amounts; both stay in the "
        "ledger and the reversal cannot itself be reversed."
    ),
}
# The step each open tranche waits for, and what the page calls it.
TRANCHE_NEXT = {T.REQUESTED: "approve", T.APPROVED: "pay"}
TRANCHE_LABELS = {
    "approve": gettext_lazy("Approve"),
    "pay": gettext_lazy("Pay"),
    "reject": gettext_lazy("Reject"),
    "reverse": gettext_lazy("Reverse the payment"),
}
TRANCHE_REFUSALS = {
    "approve": gettext_lazy("Only a requested tranche can be approved."),
    "pay": gettext_lazy("Only an approved tranche can be paid."),
    "reject": gettext_lazy("Only a tranche not yet paid can be rejected."),
    "reverse": gettext_lazy("Only a paid tranche can be reversed, once."),
}


def tranche_refusal(action: str, user, tranche: Tranche) -> str | None:
    """Why ``user`` cannot take ``action`` on ``tranche`` (None: they can, provided the
    "tranche" step is open). A tranche is approved by someone other than whoever
    requested it; a reversal is not reversed again."""
    if tranche.status not in TRANCHE_ACTIONS[action] or (
        action == "reverse" and tranche.kind == Tranche.Kind.REVERSAL
    ):
        return str(TRANCHE_REFUSALS[action])
    if action == "approve" and tranche.recorded_by_id == user.pk and not user.is_superuser:
        return _("A tranche is approved by someone other than the person who requested it.")
    return None


def tranche_actions(user, tranche: Tranche) -> frozenset[str]:
    """For the page: the actions ``user`` may take on ``tranche`` (once the "tranche" step
    is open for them)."""
    return frozenset(a for a in TRANCHE_ACTIONS if tranche_refusal(a, user, tranche) is None)


def tranche_actors(action: str, tranche: Tranche, proposal: Proposal) -> Actors:
    """Who may take ``action`` on ``tranche`` (in a state that allows it): whoever records
    the đề án's money (``recorders``), but not the requester for an approval."""
    actors = recorders(proposal)
    if action == "approve":
        return dataclasses.replace(actors, excluded_id=tranche.recorded_by_id)
    return actors


def tranche_waiting(user, tranche: Tranche, proposal: Proposal, *, actors=None) -> str:
    """For a tranche waiting for a step ``user`` may not take: the step and who takes it
    (the people ``tranche_refusal`` and ``may_record`` let act); "" otherwise. ``actors``:
    the đề án's ``recorders`` when already known (one query per page, not per tranche)."""
    action = TRANCHE_NEXT.get(tranche.status)
    if (
        action is None
        or tranche_refusal(action, user, tranche) is None
        and may_record(user, proposal)
    ):
        return ""
    base = actors if actors is not None else recorders(proposal)
    if action == "approve":
        base = dataclasses.replace(base, excluded_id=tranche.recorded_by_id)
    return next_step_note(TRANCHE_LABELS[action], base)


def request_approvers(user, proposal: Proposal) -> str:
    """Who approves a tranche ``user`` requests now, in words (the request form says it)."""
    return dataclasses.replace(recorders(proposal), excluded_id=user.pk).describe()
