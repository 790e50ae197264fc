"""Declaring a priority the registry cannot compute, and withdrawing the declaration."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policies import may_act
from priorities.models import BeneficiaryDeclaration, Priority, ProposalDeclaration

ACTION = "priority.declare"


def _check(priority: Priority, basis: str) -> None:
    if priority.basis != basis:
        raise ValidationError(
            {
                "priority": _("This priority is not declared here: %(how)s.")
                % {"how": priority.get_basis_display()}
            }
        )


def _save(declaration):
    try:
        with transaction.atomic():
            declaration.save()
    except IntegrityError as error:
        raise ValidationError({"priority": _("This priority is already declared.")}) from error
    return declaration


@transaction.atomic
def beneficiary_priority_declare(*, beneficiary, priority, actor, evidence: str = ""):
    """The Sở of the establishment's province declares it meets ``priority`` (a priority
    about the establishment: exports, local raw materials, supporting industry …)."""
    if not may_act(actor, ACTION, beneficiary):
        raise PermissionDenied
    _check(priority, Priority.Basis.BENEFICIARY)
    return _save(
        BeneficiaryDeclaration(
            beneficiary=beneficiary, priority=priority, evidence=evidence.strip(), declared_by=actor
        )
    )


@transaction.atomic
def proposal_priority_declare(*, proposal, priority, actor, evidence: str = ""):
    """The Sở of the đề án's province (the ministry for a national đề án) declares it meets
    ``priority`` (a priority about the đề án: carried out in a priority area …)."""
    if not may_act(actor, ACTION, proposal):
        raise PermissionDenied
    _check(priority, Priority.Basis.PROPOSAL)
    return _save(
        ProposalDeclaration(
            proposal=proposal, priority=priority, evidence=evidence.strip(), declared_by=actor
        )
    )


@transaction.atomic
def declaration_withdraw(*, declaration, actor):
    """Withdraw a declaration (kept, with who withdrew it and when)."""
    owner = (
        declaration.beneficiary
        if isinstance(declaration, BeneficiaryDeclaration)
        else declaration.proposal
    )
    if not may_act(actor, ACTION, owner):
        raise PermissionDenied
    if declaration.withdrawn_at is not None:
        raise ValidationError(_("This declaration was already withdrawn."))
    type(declaration).objects.filter(pk=declaration.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=actor
    )
    declaration.refresh_from_db()
    return declaration
