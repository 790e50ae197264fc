"""The main paths of a đề án, end to end through the services."""

import pytest

from projects.models import Proposal
from tests.projects.factories import advance, make_proposal


@pytest.mark.django_db
def test_a_local_proposal_goes_from_draft_to_approved(world):
    proposal = make_proposal(14)
    assert proposal.code == "KCĐP-SLA-2027-001"
    proposal = advance(proposal, "approved")
    assert proposal.status == Proposal.Status.APPROVED
    assert proposal.approved_kcdp == 300_000_000 and proposal.approved_counterpart == 700_000_000
    assert proposal.approved_versions.count() == 1
    actions = list(proposal.events.values_list("action", flat=True))
    assert actions[:4] == ["approve", "appraise", "council_conclusion", "appraisal"]


@pytest.mark.django_db
def test_a_national_proposal_is_approved_by_the_ministry(world):
    proposal = make_proposal(66, national=True)
    assert proposal.code.startswith("KCQG-DLK-2027-")
    proposal = advance(proposal, "approved")
    assert proposal.status == Proposal.Status.APPROVED and proposal.approved_kcqg == 300_000_000
