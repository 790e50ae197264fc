"""A province role never sees another province's figures: not on its dashboard, not in
the exports, not through the drill-down or a hand-made URL."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Agency
from dashboards import selectors
from programs.models import Program
from projects.models import Proposal
from reference.models import Commune, Province
from tests.dashboards.conftest import Truth, core

pytestmark = pytest.mark.django_db


def _workbook_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(v) for s in workbook.worksheets for row in s.iter_rows(values_only=True) for v in row
    )


@pytest.mark.parametrize("username", ["sct-hanoi", "ttkc-hanoi", "inspector-hanoi"])
def test_province_roles_see_only_their_province(scale_data, client, users, username):
    user = users[username]
    client.force_login(user)
    hanoi, sonla = Province.objects.get(code=1), Province.objects.get(code=14)
    truth = Truth()
    own = truth.measures(truth.select({"province": hanoi}))
    assert own.count and truth.measures(truth.select({"province": sonla})).count

    # Another province's dashboard and export do not exist for them.
    assert client.get(reverse("dashboard-province", args=[sonla.pk])).status_code == 404
    assert client.get(reverse("dashboard-province-export", args=[sonla.pk])).status_code == 404
    # The national page is their province's, whatever the query string asks for.
    for query in ({}, {"province": sonla.pk}, {"region": sonla.region_id}):
        response = client.get(reverse("dashboard-national"), query)
        assert response.status_code == 200
        assert core(response.context["data"]["total"]) == core(own), query
    # A programme of another province is refused as a filter (not a way in).
    foreign_program = Program.objects.filter(province=sonla).first()
    response = client.get(reverse("dashboard-national"), {"program": foreign_program.pk})
    assert "program" in response.context["form"].errors
    assert core(response.context["data"]["total"]) == core(own)
    # The selectors themselves stay inside the province, even when asked for another.
    data = selectors.province_dashboard(user=user, province=sonla, filters={})
    assert data["total"].count == 0
    data = selectors.national_dashboard(user=user, filters={})
    assert {r.key for r in data["provinces"]} == {hanoi.pk}

    # Exports: Hà Nội's figures, nothing of Sơn La.
    markers = list(Agency.objects.filter(province=sonla).values_list("name", flat=True))
    # Commune names repeat across provinces: only those Hà Nội has none of are markers.
    hanoi_names = set(Commune.objects.filter(province=hanoi).values_list("name", flat=True))
    markers += [
        name
        for name in Commune.objects.filter(province=sonla, proposals__isnull=False)
        .distinct()
        .values_list("name", flat=True)
        if name not in hanoi_names
    ]
    markers += list(Proposal.objects.filter(province=sonla).values_list("code", flat=True)[:50])
    for url in (
        reverse("dashboard-national-export"),
        reverse("dashboard-national-export") + f"?province={sonla.pk}",
        reverse("dashboard-province-export", args=[hanoi.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        text = _workbook_text(response.content)
        assert not [m for m in markers if m in text], url
        summary = load_workbook(io.BytesIO(response.content))["Tổng hợp"]
        assert summary["B2"].value == own.count
    # Pages: no Sơn La marker either (commune names are checked on the whole page).
    page = client.get(reverse("dashboard-province", args=[hanoi.pk])).content.decode()
    assert not [m for m in markers if m in page]

    # The drill-down list: another province in the query string changes nothing.
    response = client.get(reverse("proposal-list"), {"province": sonla.pk, "stage": "funded"})
    shown = re.search(r'data-testid="result-count">\s*([\d.]+)', response.content.decode())
    assert int(shown.group(1).replace(".", "")) == own.funded
    response = client.get(reverse("proposal-export"), {"province": sonla.pk, "stage": "funded"})
    text = _workbook_text(response.content)
    assert not [m for m in markers if m in text]


def test_the_ministry_sees_every_province(scale_data, client, users):
    client.force_login(users["ministry"])
    for code in (1, 14, 96):
        province = Province.objects.get(code=code)
        response = client.get(reverse("dashboard-province", args=[province.pk]))
        assert response.status_code == 200
        assert response.context["province"] == province
