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

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import MINISTRY_ROLES, PROVINCIAL_EDITORS
from accounts.policies import has_perm, is_national, may_act
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


def may_record(user, proposal: Proposal) -> bool:
    """Who records money. A local đề án: the promotion centre (the implementing unit) and
    the Sở of its province; the ministry reads. A national đề án: the ministry department
    until a contract names another signing agency; then the users of that agency (the
    ministry's users when it signed itself)."""
    if proposal.level != "national":
        return may_act(user, "disbursement.record", proposal)
    if not has_perm(user, "disbursement.record_national", proposal):
        return False
    if user.is_superuser:
        return True
    agency_id = signing_agency_id(proposal)
    if agency_id is None or (is_national(user) and user.agency_id == agency_id):
        return is_national(user) and user.role in MINISTRY_ROLES
    return not is_national(user) and user.role in PROVINCIAL_EDITORS and user.agency_id == agency_id


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
