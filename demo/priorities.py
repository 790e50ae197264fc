"""Demo declarations of priorities (priorities app): the Sở of Hà Nội and of Sơn La declare
what the registry cannot compute for a few of their establishments and đề án. Idempotent."""

from __future__ import annotations

from django.apps import apps as django_apps

from accounts.models import Role
from beneficiaries.models import Beneficiary
from demo.seeding import demo_user
from priorities import services
from priorities.catalogue import load_priorities
from priorities.models import BeneficiaryDeclaration, Priority, ProposalDeclaration
from projects.models import FUNDED_STATES, Proposal
from reference.models import Province

# province code -> (establishment priorities for its first establishments, đề án priorities
# for its first đề án)
DECLARATIONS = {
    1: (["export", "supporting_industry"], []),
    14: (["local_raw_materials", "export"], ["ethnic_minority_area", "difficult_area"]),
}
EVIDENCE = "Hồ sơ đề án (bản khai của cơ sở, Sở Công Thương đã kiểm tra)"


def seed_priorities() -> str:
    load_priorities(django_apps)  # the catalogue (a data migration): put back if missing
    priorities = {p.code: p for p in Priority.objects.all()}
    made = 0
    for code, (for_beneficiaries, for_proposals) in DECLARATIONS.items():
        province = Province.objects.get(code=code)
        actor = demo_user(province, Role.PROVINCE_STAFF)
        # Establishments supported by approved đề án, so the filters show figures.
        supported = (
            Beneficiary.objects.filter(
                province=province, proposal_links__proposal__status__in=FUNDED_STATES
            )
            .distinct()
            .order_by("pk")[:3]
        )
        for b, priority_code in zip(supported, for_beneficiaries, strict=False):
            p = priorities.get(priority_code)
            if (
                p
                and not BeneficiaryDeclaration.objects.filter(
                    beneficiary=b, priority=p, withdrawn_at__isnull=True
                ).exists()
            ):
                services.beneficiary_priority_declare(
                    beneficiary=b, priority=p, actor=actor, evidence=EVIDENCE
                )
                made += 1
        proposals = Proposal.objects.filter(province=province, status__in=FUNDED_STATES).order_by(
            "pk"
        )[:2]
        for proposal, priority_code in zip(proposals, for_proposals, strict=False):
            p = priorities.get(priority_code)
            if (
                p
                and not ProposalDeclaration.objects.filter(
                    proposal=proposal, priority=p, withdrawn_at__isnull=True
                ).exists()
            ):
                services.proposal_priority_declare(
                    proposal=proposal, priority=p, actor=actor, evidence=EVIDENCE
                )
                made += 1
    return f"Priorities: {Priority.objects.count()} loaded, {made} demo declarations added."
