"""The priorities on the establishment's page, in the đề án's appraisal section, on the
council's page and score sheet; declaring and withdrawing from the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from beneficiaries.models import Beneficiary
from priorities import services
from priorities.models import BeneficiaryDeclaration, ProposalDeclaration
from reference.models import Commune, Province
from tests.beneficiaries.factories import BeneficiaryFactory, beneficiary_in
from tests.priorities.factories import priority
from tests.projects.factories import (
    S,
    advance,
    council_for,
    council_seats,
    make_proposal,
    staff,
    tmp_media,  # noqa: F401
    user_with,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]
SONLA = 14


def _sonla_beneficiary(**fields):
    commune = Commune.objects.filter(province__code=SONLA).order_by("code").first()
    return BeneficiaryFactory(commune=commune, **fields)


def test_the_beneficiary_page_lists_its_priorities_with_their_source(world, client):
    b = _sonla_beneficiary(woman_owned=True, workers=priority("many_workers").threshold)
    services.beneficiary_priority_declare(
        beneficiary=b,
        priority=priority("export"),
        actor=staff(SONLA),
        evidence="Hợp đồng xuất khẩu",
    )
    client.force_login(staff(SONLA))
    body = client.get(reverse("beneficiary-detail", args=[b.pk])).content.decode()
    assert 'data-testid="priorities"' in body
    for code in ("woman_owned", "many_workers", "export"):
        assert priority(code).name in body
    assert "Hợp đồng xuất khẩu" in body
    assert priority("export").document.citation in body
    assert priority("export").source_url in body
    assert 'data-testid="priority-declare"' in body  # the Sở may declare more


def test_declaring_from_the_beneficiary_page(world, client):
    b = _sonla_beneficiary()
    client.force_login(staff(SONLA))
    url = reverse("priority-declare-beneficiary", args=[b.pk])
    response = client.post(url, {"priority": priority("local_raw_materials").pk, "evidence": "Mía"})
    assert response.status_code == 302
    declaration = BeneficiaryDeclaration.objects.get(beneficiary=b)
    assert declaration.declared_by == staff(SONLA) and declaration.evidence == "Mía"
    # A computed priority cannot be declared: said in Vietnamese, nothing written.
    page = client.post(url, {"priority": priority("woman_owned").pk}, follow=True)
    assert BeneficiaryDeclaration.objects.filter(beneficiary=b).count() == 1
    assert "Ưu tiên" in page.content.decode() or "ưu tiên" in page.content.decode()
    # Withdraw.
    client.post(reverse("priority-withdraw-beneficiary", args=[declaration.pk]))
    declaration.refresh_from_db()
    assert declaration.withdrawn_by == staff(SONLA)


def test_another_province_and_read_only_users_cannot_declare(world, client):
    b = _sonla_beneficiary()
    url = reverse("priority-declare-beneficiary", args=[b.pk])
    client.force_login(staff(1))
    assert client.post(url, {"priority": priority("export").pk}).status_code == 404
    client.force_login(user_with(Role.VIEWER, SONLA))
    assert client.post(url, {"priority": priority("export").pk}).status_code == 403
    assert not BeneficiaryDeclaration.objects.filter(beneficiary=b).exists()
    # A viewer sees the panel, without the form.
    body = client.get(reverse("beneficiary-detail", args=[b.pk])).content.decode()
    assert 'data-testid="priorities"' in body and 'data-testid="priority-declare"' not in body


def test_the_appraisal_section_names_the_beneficiaries_and_the_proposal_s_declaration(
    world, client
):
    woman = _sonla_beneficiary(woman_owned=True, name="Hợp tác xã Chè Shan Tuyết")
    plain = _sonla_beneficiary()
    proposal = make_proposal(SONLA, beneficiaries=[woman, plain])
    client.force_login(staff(SONLA))
    client.post(
        reverse("priority-declare-proposal", args=[proposal.pk]),
        {"priority": priority("difficult_area").pk, "evidence": "Xã khu vực III"},
    )
    assert ProposalDeclaration.objects.get(proposal=proposal).evidence == "Xã khu vực III"
    body = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    section = body[body.index('id="appraisals"') :]
    assert 'data-testid="proposal-priorities"' in section
    assert priority("woman_owned").name in section and "Hợp tác xã Chè Shan Tuyết" in section
    assert priority("difficult_area").name in section and "Xã khu vực III" in section
    assert priority("difficult_area").document.citation in section


def test_the_council_page_and_score_sheet_show_the_priorities(world, client):
    woman = _sonla_beneficiary(woman_owned=True)
    proposal = advance(make_proposal(SONLA, beneficiaries=[woman]), S.SUBMITTED)
    services.proposal_priority_declare(
        proposal=proposal, priority=priority("ethnic_minority_area"), actor=staff(SONLA)
    )
    chair, secretary = council_seats(staff(SONLA).agency)
    council = council_for(
        proposal, staff(SONLA), members=[(chair, "chair"), (secretary, "secretary")]
    )
    link = council.proposal_links.get()
    client.force_login(chair)
    board = client.get(reverse("council-detail", args=[council.pk])).content.decode()
    assert 'data-testid="council-priorities"' in board
    assert priority("woman_owned").name in board
    assert priority("ethnic_minority_area").name in board
    sheet = client.get(reverse("council-sheet", args=[link.pk])).content.decode()
    assert 'data-testid="proposal-priorities"' in sheet
    assert priority("woman_owned").name in sheet
    assert priority("ethnic_minority_area").document.citation in sheet
    # The score sheet is for scoring: no declaring there.
    assert 'data-testid="priority-declare"' not in sheet


def test_the_list_of_priorities_shows_sources_and_example_data(world, client):
    client.force_login(user_with(Role.VIEWER, SONLA))
    body = client.get(reverse("priority-list")).content.decode()
    assert priority("export").source_url in body
    assert "ví dụ" in body.lower()
    assert str(priority("many_workers").threshold) in body


def test_a_hanoi_beneficiary_page_stays_within_its_query_budget(
    world, client, django_assert_max_num_queries
):
    b = beneficiary_in(Province.objects.get(code=1))
    client.force_login(staff(1))
    # The same budget as tests/beneficiaries/test_views.py's detail page.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("beneficiary-detail", args=[b.pk])).status_code == 200
    assert Beneficiary.objects.filter(pk=b.pk).exists()


def test_the_council_minutes_list_each_proposal_s_priorities(world):
    from reports.documents import render_report
    from reports.services import report_request
    from tests.reports.documents_support import Rendered
    from tests.reports.test_council_minutes import concluded_council

    council, first, second = concluded_council()
    services.proposal_priority_declare(
        proposal=first, priority=priority("difficult_area"), actor=staff(SONLA)
    )
    job = report_request(actor=staff(SONLA), kind="council_minutes", params={"council": council.pk})
    flat = Rendered(job, render_report(job, progress=lambda n: None), []).flat
    assert "Đối tượng ưu tiên: " + priority("difficult_area").name in flat
    assert flat.count("Đối tượng ưu tiên:") == 1  # the second đề án meets none
