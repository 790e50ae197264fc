"""The demo inspections: every state a user meets, through the services, seeded once."""

from __future__ import annotations

import pytest

from demo import disbursement, inspections, projects
from inspections.models import Inspection, InspectionPhoto, Recommendation
from inspections.services import compliance_of
from projects.models import Proposal, ProposalEvent
from tests.projects.factories import tmp_media  # noqa: F401 — fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]


def test_demo_inspections_cover_every_state_and_are_seeded_once(demo_beneficiaries):
    projects.seed_proposals(seed=2026)
    disbursement.seed_disbursement(seed=2026)
    first = inspections.seed_inspections(seed=2026)
    counts = (
        Inspection.objects.count(),
        InspectionPhoto.objects.count(),
        Recommendation.objects.count(),
        ProposalEvent.objects.count(),
    )
    assert inspections.seed_inspections(seed=2026).startswith("Inspections: 0 created")
    assert counts == (
        Inspection.objects.count(),
        InspectionPhoto.objects.count(),
        Recommendation.objects.count(),
        ProposalEvent.objects.count(),
    )
    assert first.startswith(f"Inspections: {counts[0]} created")
    for code in (1, 14):
        mine = Inspection.objects.filter(proposal__province__code=code)
        assert mine.filter(status="concluded", conclusion="compliant").exists()
        assert mine.filter(status="concluded", conclusion="partly").exists()
        assert mine.filter(status="planned").exists()
        assert Recommendation.objects.filter(
            inspection__proposal__province__code=code, status="open"
        ).exists()
        assert Recommendation.objects.filter(
            inspection__proposal__province__code=code, status="remedied"
        ).exists()
        compliance = dict(
            Proposal.objects.filter(province__code=code).values_list("status", "compliance")
        )
        assert compliance["closed"] == "compliant"
        assert compliance["accepted"] == "compliant"
        assert compliance["in_implementation"] == "remedy_pending"
        assert compliance["submitted"] == "not_inspected"
    assert not Inspection.objects.filter(proposal__province__code=66).exists()
    for proposal in Proposal.objects.filter(inspections__isnull=False).distinct():
        assert proposal.compliance == compliance_of(proposal)
    for photo in InspectionPhoto.objects.all():
        assert photo.taken_at is not None and photo.latitude is not None
        assert photo.taken_at.date() == photo.inspection.inspected_on
