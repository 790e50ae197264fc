"""The demo đề án: every demo province has đề án in every state this issue reaches, built
through the services (so they pass the checks), and seeding twice adds nothing."""

import pytest

from demo import projects as demo_projects
from projects import checks
from projects.models import Attachment, Proposal
from tests.projects.factories import tmp_media  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]

STATES = {
    "draft",
    "submitted",
    "returned",
    "appraised",
    "forwarded",
    "approved",
    "rejected",
    "amending",
    "cancelled",
}


def test_every_demo_province_has_proposals_in_every_reachable_state(demo_beneficiaries):
    demo_projects.seed_proposals(seed=2026)
    for code in (1, 14, 66):
        proposals = Proposal.objects.filter(province__code=code)
        assert 10 <= proposals.count() <= 14
        assert set(proposals.values_list("status", flat=True)) == STATES
        assert {"local", "national"} == set(
            proposals.filter(status="approved").values_list("level", flat=True)
        )
        assert set(proposals.values_list("kind", flat=True)) == {"pilot", "group", "ordinary"}
        assert proposals.filter(status="forwarded", level="national").exists()
        for proposal in proposals:
            # Establishments of the province, budget lines, the dossier, a timeline.
            links = proposal.beneficiary_links.select_related("beneficiary")
            assert links and all(
                link.beneficiary.province_id == proposal.province_id for link in links
            )
            assert proposal.budget_lines.exists() and proposal.events.exists()
            documents = checks.check_documents(proposal)
            assert documents[0].ok, proposal
            assert Attachment.objects.filter(proposal=proposal).first().file.read(4) == b"%PDF"
        for proposal in proposals.filter(status__in=["approved", "amending"]):
            assert proposal.approved_versions.count() == 1
            assert proposal.decision_number and proposal.decision_date.year == 2026
        for proposal in proposals.exclude(status__in=["draft", "cancelled"]):
            assert proposal.appraisals.exists() or proposal.status == "submitted"


def test_seeding_twice_adds_nothing(demo_beneficiaries):
    first = demo_projects.seed_proposals(seed=2026)
    counts = (Proposal.objects.count(), Attachment.objects.count())
    second = demo_projects.seed_proposals(seed=2026)
    assert (Proposal.objects.count(), Attachment.objects.count()) == counts
    assert first.startswith("Đề án: 36 created") and second.startswith("Đề án: 0 created")


def test_the_demo_appraises_through_councils(demo_data):
    """Each demo Sở appraised through its council (Đắk Lắk through designated officers),
    the Cục through its own; every appraised đề án's stage result comes from a council,
    Hà Nội has a council still at work, and no drafter sat on a council of their đề án."""
    from projects.appraisal import proposal_drafters, stage_result
    from projects.models import Appraisal, AppraisalCouncil

    councils = AppraisalCouncil.objects.select_related("agency__province")
    for code, mode in ((1, "council"), (14, "council"), (66, "designated")):
        mine = councils.filter(agency__province__code=code, stage="province")
        assert mine.filter(status="concluded", mode=mode).exists()
    cuc = councils.filter(stage="ministry", agency__province__isnull=True)
    assert cuc.filter(status="concluded").exists()
    assert councils.filter(agency__province__code=1, status="open").exists()
    for proposal in Proposal.objects.filter(status__in=["appraised", "forwarded", "approved"]):
        assert (
            stage_result(proposal, "province").approves
            or proposal.events.filter(action="amend").exists()
        )
    assert not Appraisal.objects.filter(council__isnull=True).exists()
    for sheet in Appraisal.objects.select_related("proposal"):
        assert sheet.appraiser_id not in proposal_drafters(sheet.proposal)
