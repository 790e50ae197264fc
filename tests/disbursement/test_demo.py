"""The demo money: contracts and tranche histories consistent with the rules; running the
step again records nothing."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from demo import disbursement, projects
from disbursement import services
from disbursement.models import Acceptance, Contract, Settlement, Tranche
from projects.models import Proposal, ProposalEvent

pytestmark = pytest.mark.django_db

PROVINCES = (1, 14, 66)


def test_demo_money_is_consistent_and_seeded_once(demo_beneficiaries):
    projects.seed_proposals(seed=2026)
    disbursement.seed_disbursement(seed=2026)
    counts = (
        Contract.objects.count(),
        Tranche.objects.count(),
        Acceptance.objects.count(),
        Settlement.objects.count(),
        ProposalEvent.objects.count(),
    )
    assert disbursement.seed_disbursement(seed=2026).startswith("Tranches: 0 created")
    assert counts == (
        Contract.objects.count(),
        Tranche.objects.count(),
        Acceptance.objects.count(),
        Settlement.objects.count(),
        ProposalEvent.objects.count(),
    )
    for code in PROVINCES:
        statuses = list(
            Proposal.objects.filter(province__code=code).values_list("status", flat=True)
        )
        assert statuses.count("closed") == 1 and statuses.count("accepted") == 1, (code, statuses)
        assert "in_implementation" in statuses
    assert Tranche.objects.filter(kind="reversal").count() == len(PROVINCES)
    assert Tranche.objects.filter(status="reversed").count() == len(PROVINCES)
    for tranche in Tranche.objects.exclude(kind="reversal"):
        assert tranche.paid_on and tranche.paid_on.year == 2026
        assert tranche.voucher_number.startswith("PC-") and tranche.voucher_number.endswith("/2026")
    for contract in Contract.objects.filter(active=True).select_related("proposal"):
        proposal = contract.proposal
        paid = services.paid_by_source(proposal)
        approved = proposal.approved_by_source()
        for source in paid:
            assert 0 <= paid[source] <= getattr(contract, source) <= approved[source]
        assert contract.signed_on >= proposal.decision_date
        advanced = (
            Tranche.objects.filter(proposal=proposal, kind="advance", status="paid").aggregate(
                total=Sum("amount")
            )["total"]
            or 0
        )
        assert advanced <= contract.total // 2
    for settlement in Settlement.objects.select_related("proposal"):
        assert settlement.proposal.status == "closed"
        accepted = settlement.proposal.acceptance.amounts()
        assert all(settlement.amounts()[s] <= accepted[s] for s in accepted)
        assert settlement.amounts() == services.paid_by_source(settlement.proposal)
