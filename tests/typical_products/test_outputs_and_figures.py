"""A đề án's output "products recognised" counts its linked certificates (one definition: the
achieved value is the number of links, never typed at acceptance), and the dashboards' card
counts certificates by level and year of issue, for the page's scope, as an independent count
does."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from disbursement.forms import AcceptanceForm
from programs.catalogue import CERTIFICATE_INDICATOR
from programs.models import Indicator
from projects.models import ProposalOutput
from tests.projects.factories import make_proposal, staff_of
from tests.typical_products import factories as f
from typical_products import selectors, services
from typical_products.models import Certificate

D = datetime.date
pytestmark = pytest.mark.django_db


def _output(proposal, target=2):
    return ProposalOutput.objects.create(
        proposal=proposal,
        indicator=Indicator.objects.get(code=CERTIFICATE_INDICATOR),
        target_value=target,
    )


def test_output_counts_its_linked_certificates(world):
    proposal = make_proposal(1, beneficiaries=2, year=2029)
    first, second = [link.beneficiary for link in proposal.beneficiary_links.all()]
    cert_a = f.provincial_certificate(1, name="A", beneficiary=first)
    cert_b = f.provincial_certificate(1, name="B", beneficiary=second)
    outsider = f.provincial_certificate(1, name="C")
    output = _output(proposal)
    assert set(services.output_candidates(output)) == {cert_a, cert_b}
    actor = staff_of(1)
    assert services.output_certificates_set(output=output, actor=actor, certificates=[cert_a]) == 1
    output.refresh_from_db()
    assert output.achieved_value == 1
    services.output_certificates_set(output=output, actor=actor, certificates=[cert_a, cert_b])
    output.refresh_from_db()
    assert output.achieved_value == output.certificate_links.count() == 2
    services.output_certificates_set(output=output, actor=actor, certificates=[cert_b])
    output.refresh_from_db()
    assert output.achieved_value == 1
    with pytest.raises(ValidationError):  # not one of the đề án's establishments
        services.output_certificates_set(output=output, actor=actor, certificates=[outsider])
    with pytest.raises(PermissionDenied):  # another province's Sở
        services.output_certificates_set(output=output, actor=staff_of(14), certificates=[])


def test_a_certificate_counts_for_one_proposal_only(world):
    proposal = make_proposal(1, beneficiaries=1, year=2029)
    holder = proposal.beneficiary_links.get().beneficiary
    cert = f.provincial_certificate(1, name="Một lần", beneficiary=holder)
    other = make_proposal(1, beneficiaries=[holder], year=2029, title="Đề án thứ hai")
    services.output_certificates_set(
        output=_output(proposal), actor=staff_of(1), certificates=[cert]
    )
    second = _output(other)
    assert cert not in services.output_candidates(second)
    with pytest.raises(ValidationError):
        services.output_certificates_set(output=second, actor=staff_of(1), certificates=[cert])


def test_acceptance_does_not_type_the_certificate_count(world):
    proposal = make_proposal(1, beneficiaries=1, year=2029)
    output = _output(proposal)
    form = AcceptanceForm(sources=[], outputs=[output])
    assert f"achieved_{CERTIFICATE_INDICATOR}" not in form.fields


def test_proposal_page_lists_the_certificates_of_the_output(world, client):
    proposal = make_proposal(1, beneficiaries=1, year=2029)
    holder = proposal.beneficiary_links.get().beneficiary
    cert = f.provincial_certificate(1, name="Gốm trên đề án", beneficiary=holder)
    output = _output(proposal)
    client.force_login(staff_of(1))
    response = client.post(
        reverse("typical-output-certificates", args=[output.pk]), {"certificates": [cert.pk]}
    )
    assert response.status_code == 302
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert cert.number in page and "Gốm trên đề án" in page
    registry = client.get(reverse("beneficiary-detail", args=[holder.pk])).content.decode()
    assert cert.number in registry and "31/12/2028" in registry


def _independent_count(province_code=None) -> Counter:
    found = Counter()
    for cert in Certificate.objects.select_related("entry__round", "entry__beneficiary__province"):
        if province_code is None or cert.entry.beneficiary.province.code == province_code:
            found[(cert.entry.round.level, cert.issued_on.year)] += 1
    return found


def _measure_count(rows) -> Counter:
    found = Counter()
    for row in rows:
        for level, n in zip(("provincial", "regional", "national"), row["levels"], strict=True):
            if n:
                found[(level, row["year"])] = n
        assert row["total"] == sum(row["levels"])
    return found


def test_dashboard_count_by_level_and_year_agrees_with_an_independent_count(world):
    f.provincial_certificate(1, name="HN 2025", issued_on=D(2025, 6, 1))
    f.provincial_certificate(14, name="SL 2025", issued_on=D(2025, 6, 2))
    old = f.provincial_round(1, year=2024)
    f.certified(f.scored(f.entered(old, name="HN 2024")), issued_on=D(2024, 9, 1))
    regional = f.regional_round("north")
    cert = Certificate.objects.get(entry__name="HN 2025")
    entry = f.entered(
        regional,
        beneficiary=cert.entry.beneficiary,
        name=cert.entry.name,
        qualifying_certificate=cert,
        registered_on=D(2025, 7, 10),
    )
    f.certified(f.scored(entry, {"market": 33, "technical": 25, "culture": 25, "other": 4}))
    national = _measure_count(selectors.certificates_by_level_and_year())
    assert (
        national
        == _independent_count()
        == Counter({("provincial", 2025): 2, ("provincial", 2024): 1, ("regional", 2025): 1})
    )
    assert _measure_count(selectors.certificates_by_level_and_year(province_id=1)) == (
        _independent_count(1)
    )
    sonla = f.provincial_round(14).province
    assert _measure_count(selectors.certificates_by_level_and_year(province_id=sonla.pk)) == (
        Counter({("provincial", 2025): 1})
    )


def test_dashboards_show_the_card(world, client, users):
    f.provincial_certificate(1, name="Trên thống kê", issued_on=D(2025, 6, 1))
    client.force_login(users["ministry"])
    page = client.get(reverse("dashboard-national")).content.decode()
    assert 'data-testid="card-typical-certificates"' in page and 'data-year="2025"' in page
    client.force_login(users["sct-sonla"])
    own = client.get(reverse("dashboard-national")).content.decode()
    assert 'data-testid="card-typical-certificates"' in own
    assert 'data-year="2025"' not in own  # Hà Nội's certificate is not Sơn La's


def test_editing_the_outputs_keeps_the_linked_certificates(world):
    from projects import services as proposal_services

    proposal = make_proposal(1, beneficiaries=1, year=2029)
    holder = proposal.beneficiary_links.get().beneficiary
    cert = f.provincial_certificate(1, name="Giữ liên kết", beneficiary=holder)
    output = _output(proposal)
    services.output_certificates_set(output=output, actor=staff_of(1), certificates=[cert])
    proposal.refresh_from_db()
    indicator = output.indicator
    trainees = Indicator.objects.get(code="trainees")
    proposal_services.proposal_save(
        proposal=proposal,
        actor=staff_of(1),
        expected_version=proposal.version,
        outputs=[(indicator, 3), (trainees, 20)],
    )
    output.refresh_from_db()
    assert output.target_value == 3 and output.achieved_value == 1
    assert list(output.certificate_links.values_list("certificate", flat=True)) == [cert.pk]
    assert proposal.outputs.get(indicator=trainees).target_value == 20
