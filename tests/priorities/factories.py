from __future__ import annotations

from django.apps import apps as django_apps

from priorities.models import Priority


def priority(code: str) -> Priority:
    """A priority of the catalogue (a data migration; put back after a flush)."""
    if not Priority.objects.filter(code=code).exists():
        from priorities.catalogue import load_priorities

        load_priorities(django_apps)
    return Priority.objects.select_related("document").get(code=code)


def beneficiary_declaration_in(province):
    """An active declaration of "export" for the province's test establishment (once)."""
    from priorities.models import BeneficiaryDeclaration
    from tests.beneficiaries.factories import beneficiary_in
    from tests.projects.factories import staff_of

    beneficiary = beneficiary_in(province)
    export = priority("export")
    return BeneficiaryDeclaration.objects.filter(
        beneficiary=beneficiary, priority=export, withdrawn_at__isnull=True
    ).first() or BeneficiaryDeclaration.objects.create(
        beneficiary=beneficiary, priority=export, declared_by=staff_of(province.code)
    )


def proposal_declaration_in(proposal):
    """An active declaration of "difficult_area" for ``proposal`` (once)."""
    from priorities.models import ProposalDeclaration
    from tests.projects.factories import staff_of

    area = priority("difficult_area")
    return ProposalDeclaration.objects.filter(
        proposal=proposal, priority=area, withdrawn_at__isnull=True
    ).first() or ProposalDeclaration.objects.create(
        proposal=proposal, priority=area, declared_by=staff_of(proposal.province.code)
    )
