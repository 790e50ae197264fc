"""Which money step of a đề án may be taken now, and by whom. One answer, asked by the money
page to show its forms and buttons and by ``disbursement.services`` before acting, so the
page never offers what the service would refuse, nor hides what it would do.

The steps, in the order of the đề án's life: the contract (hợp đồng) of an approved đề án;
while it is paid (in implementation, then accepted) the contract's amendments, payments
(tạm ứng, thanh toán), requested tranches and the actions on them; the acceptance
(nghiệm thu) during implementation; the final settlement (quyết toán) after the
acceptance, which closes the đề án."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policies import may_act
from disbursement.models import Tranche
from projects.models import Proposal

S = Proposal.Status
T = Tranche.Status
# Money moves between the contract and the settlement.
PAYABLE = (S.IN_IMPLEMENTATION, S.ACCEPTED)
# The forms of the money page, and "tranche": the actions on the tranches of the ledger.
STEPS = ("contract", "amend", "payment", "request", "acceptance", "settlement", "tranche")


def may_record(user, proposal: Proposal) -> bool:
    """Who records money: the promotion centre (the implementing unit) and the Sở of the
    đề án's province; the ministry reads."""
    return may_act(user, "disbursement.record", proposal)


def step_refusal(step: str, proposal: Proposal, *, contract, acceptance) -> str | None:
    """Why ``step`` cannot be taken on the đề án as it stands now (None: it can).
    ``contract`` is the contract in force (or None), ``acceptance`` the acceptance (or
    None)."""
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
    elif step == "acceptance":
        if status != S.IN_IMPLEMENTATION:
            return _("Acceptance comes after the contract, during implementation.")
    elif step == "settlement":
        if status != S.ACCEPTED or acceptance is None:
            return _("The final settlement comes after the acceptance (nghiệm thu).")
    elif step == "tranche":
        if status not in PAYABLE:
            return _("Tranches are acted on while the proposal is in implementation or accepted.")
    else:
        raise ValueError(step)
    return None


def step_require(step: str, user, proposal: Proposal, *, contract, acceptance) -> None:
    """For the services: PermissionDenied for a user who does not record this đề án's
    money, ValidationError with the reason for a step that is not possible now."""
    if not may_record(user, proposal):
        raise PermissionDenied
    reason = step_refusal(step, proposal, contract=contract, acceptance=acceptance)
    if reason is not None:
        raise ValidationError(reason)


def steps_open(user, proposal: Proposal, *, contract, acceptance) -> frozenset[str]:
    """For the page: the steps ``user`` may take on the đề án now."""
    if not may_record(user, proposal):
        return frozenset()
    return frozenset(
        step
        for step in STEPS
        if step_refusal(step, proposal, contract=contract, acceptance=acceptance) is None
    )


# The action on one tranche of the ledger -> the statuses it is taken from.
TRANCHE_ACTIONS = {
    "approve": (T.REQUESTED,),
    "pay": (T.APPROVED,),
    "reject": (T.REQUESTED, T.APPROVED),
    "reverse": (T.PAID,),
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
