"""The dashboards' priority filter: the figures of the đề án that meet the priority, summed
with the same measures as the unfiltered page (per-đề án cells instead of the rollups),
checked against an independent count (tests/dashboards/conftest.Truth)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboards import selectors
from priorities.models import BeneficiaryDeclaration
from projects.models import ProposalBeneficiary
from tests.dashboards.conftest import Truth, core, issues, money
from tests.priorities.factories import priority


def _page(users, filters, *, per_proposal=None, monkeypatch=None):
    if per_proposal is not None:
        monkeypatch.setattr(selectors, "_per_proposal", lambda f: per_proposal)
    return selectors.national_dashboard(user=users["ministry"], filters=filters)


def _same(a, b):
    assert core(a["total"]) == core(b["total"])
    assert money(a["total"]) == money(b["total"])
    assert issues(a["total"]) == issues(b["total"])
    assert a["total"].beneficiaries == b["total"].beneficiaries
    for name in ("provinces", "regions", "years", "activities", "kinds", "levels"):
        assert [(r.key, core(r.m), money(r.m)) for r in a[name]] == [
            (r.key, core(r.m), money(r.m)) for r in b[name]
        ], name
    assert [(r.key, r.m.beneficiaries, issues(r.m)) for r in a["provinces"]] == [
        (r.key, r.m.beneficiaries, issues(r.m)) for r in b["provinces"]
    ]
    assert a["by_source"] == b["by_source"]
    assert a["statuses"] == b["statuses"]
    assert [(o["indicator"].pk, o["planned"], o["achieved"]) for o in a["outputs"]] == [
        (o["indicator"].pk, o["planned"], o["achieved"]) for o in b["outputs"]
    ]


@pytest.mark.django_db
def test_without_a_priority_the_per_proposal_cells_give_the_rollups_figures(
    demo_data, users, monkeypatch
):
    from_rollups = _page(users, {})
    assert from_rollups["total"].count > 0
    _same(from_rollups, _page(users, {}, per_proposal=True, monkeypatch=monkeypatch))
    # And under another filter (a province, a source) too.
    for filters in ({"source": "kcdp"}, {"year_from": 2026}):
        _same(
            _page(users, filters),
            _page(users, filters, per_proposal=True, monkeypatch=monkeypatch),
        )


@pytest.mark.django_db
def test_a_declared_priority_restricts_the_figures_to_its_proposals(demo_data, users):
    export = priority("export")
    declared = set(
        BeneficiaryDeclaration.objects.filter(
            priority=export, withdrawn_at__isnull=True
        ).values_list("beneficiary_id", flat=True)
    )
    assert declared  # demo declarations in Hà Nội and Sơn La
    meeting = {
        link.proposal_id
        for link in ProposalBeneficiary.objects.all()
        if link.beneficiary_id in declared
    }
    assert meeting
    truth = Truth()
    rows = [r for r in truth.select({}) if r["id"] in meeting]
    expected = truth.measures(rows)
    page = _page(users, {"priority": export})
    assert core(page["total"]) == core(expected)
    assert money(page["total"]) == money(expected)
    assert issues(page["total"]) == issues(expected)
    assert page["total"].beneficiaries == len(expected.beneficiaries)
    assert page["total"].count < _page(users, {})["total"].count


@pytest.mark.django_db
def test_a_computed_priority_filters_by_the_registry(demo_data, users):
    woman = priority("woman_owned")
    from beneficiaries.models import Beneficiary

    owners = set(Beneficiary.objects.filter(woman_owned=True).values_list("pk", flat=True))
    meeting = {
        link.proposal_id
        for link in ProposalBeneficiary.objects.all()
        if link.beneficiary_id in owners
    }
    truth = Truth()
    expected = truth.measures([r for r in truth.select({}) if r["id"] in meeting])
    page = _page(users, {"priority": woman})
    assert core(page["total"]) == core(expected)
    assert money(page["total"]) == money(expected)


@pytest.mark.django_db
def test_the_filter_is_on_the_pages_and_their_drill_down(demo_data, client, users):
    export = priority("export")
    client.force_login(users["ministry"])
    body = client.get(reverse("dashboard-national"), {"priority": export.pk}).content.decode()
    assert export.name in body
    assert f"priority={export.pk}" in body  # the drill-down links carry it
    listing = client.get(reverse("proposal-list"), {"priority": export.pk})
    assert listing.status_code == 200
    # The Excel export follows the filter and says so on its first sheet.
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(
        io.BytesIO(
            client.get(reverse("dashboard-national-export"), {"priority": export.pk}).content
        )
    )
    cells = [str(c.value) for row in workbook["Bộ lọc"].iter_rows() for c in row]
    assert export.name in cells
    client.force_login(users["sct-sonla"])
    assert client.get(reverse("dashboard-national"), {"priority": export.pk}).status_code == 200
