"""The dashboard pages: filters in the URL, errors next to the field, a constant number
of queries whatever the data, exports that open in openpyxl with the page's figures."""

import io
import re

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.context_processors import NAVIGATION
from core.measures import label
from demo.scale import seed_scale
from reference.models import Province, Region
from tests.dashboards.conftest import Truth, core

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_statistics_is_in_the_navigation(world, client, users):
    assert ("dashboard-national", "dashboard.view") in [(n[1], n[2]) for n in NAVIGATION]
    for username in ("ministry", "sct-hanoi", "ttkc-sonla"):
        client.force_login(users[username])
        page = client.get(reverse("home")).content.decode()
        assert f'href="{reverse("dashboard-national")}"' in page, username


def test_query_counts_do_not_grow_with_the_data(
    world, client, users, django_assert_max_num_queries
):
    client.force_login(users["ministry"])
    hanoi = Province.objects.get(code=1)
    urls = [
        reverse("dashboard-national"),
        reverse("dashboard-national") + "?region=1&year_from=2022&source=kcdp&measure=count",
        reverse("dashboard-province", args=[hanoi.pk]),
        reverse("dashboard-province", args=[hanoi.pk]) + "?year_from=2023&kind=group",
        reverse("dashboard-national-export"),
        reverse("dashboard-province-export", args=[hanoi.pk]),
        reverse("proposal-list") + "?region=1&year_from=2022&stage=funded&findings=open",
    ]
    seed_scale(seed=3, scale=0.003)
    small = {url: _queries(client, url) for url in urls}
    seed_scale(seed=3, scale=0.03, replace=True)
    large = {url: _queries(client, url) for url in urls}
    assert small == large
    # 18 and 20, plus the choices of the priority filter (priorities app) and the typical
    # products' certificates card (typical_products app), issue 18.
    with django_assert_max_num_queries(20):
        client.get(urls[0])
    with django_assert_max_num_queries(22):
        client.get(urls[2])


def test_national_page_shows_the_figures(scale_data, client, users):
    client.force_login(users["ministry"])
    region = Region.objects.get(code="dbscl")
    response = client.get(reverse("dashboard-national"), {"region": region.pk, "year_to": 2025})
    assert response.status_code == 200
    page = response.content.decode()
    expected = Truth().measures(Truth().select({"region": region, "year_to": 2025}))
    total_count = re.search(r'data-testid="total-count">([\d.]+)<', page).group(1)
    assert int(total_count.replace(".", "")) == expected.count
    # The five provinces of the Mekong delta carry figures, the others show zero.
    table = page.split('data-testid="table-provinces"')[1].split("</table>")[0]
    values = {
        int(key): int(value)
        for key, value in re.findall(
            r'<tr data-key="(\d+)">.*?data-measure="approved" data-value="(\d+)"', table, re.S
        )
    }
    assert sum(values.values()) == expected.approved
    mekong = set(Province.objects.filter(region=region).values_list("pk", flat=True))
    assert {k for k, v in values.items() if v} <= mekong
    # 34 tiles, each linking to its province's dashboard with the same filters.
    assert page.count('data-testid="tile"') == 34
    assert f"/statistics/provinces/{Province.objects.get(code=96).pk}/?year_to=2025" in page
    # The filters are in the URL of every drill-down link.
    assert "/proposals/?year_to=2025&amp;region=" in page


def test_bad_filters_are_explained_next_to_the_field(world, client, users):
    client.force_login(users["ministry"])
    response = client.get(
        reverse("dashboard-national"), {"year_from": 2026, "year_to": 2022, "program": "x"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-year_to"' in page
    assert 'data-testid="error-program"' in page
    form = response.context["form"]
    assert "year_to" in form.errors and "program" in form.errors
    mekong, hanoi = Region.objects.get(code="dbscl"), Province.objects.get(code=1)
    response = client.get(
        reverse("dashboard-national"), {"region": mekong.pk, "province": hanoi.pk}
    )
    assert "province" in response.context["form"].errors


def test_a_province_user_lands_on_the_province_dashboard(scale_data, client, users):
    client.force_login(users["sct-hanoi"])
    response = client.get(reverse("dashboard-national"))
    assert response.status_code == 200
    assert response.templates[0].name == "dashboards/province.html"
    assert response.context["province"].code == 1
    hanoi = Truth().measures(Truth().select({"province": Province.objects.get(code=1)}))
    assert core(response.context["data"]["total"]) == core(hanoi)


def _sheet(workbook, title) -> list[tuple]:
    return list(workbook[title].iter_rows(min_row=2, values_only=True))


def _headings(workbook, title) -> list[str]:
    return [c.value for c in workbook[title][1]]


def test_exports_open_in_openpyxl_with_the_same_figures(scale_data, client, users):
    client.force_login(users["ministry"])
    filters = {"year_from": 2022, "year_to": 2026}
    response = client.get(reverse("dashboard-national-export"), filters)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    truth = Truth()
    rows = truth.select(filters)
    expected = truth.measures(rows)
    assert workbook.sheetnames[0] == "Bộ lọc"
    with translation.override("vi"):
        approved = f"{label('approved')} (đồng)"
        paid = f"{label('paid')} (đồng)"
        counterpart = f"{label('counterpart')} (đồng)"
        rate, proposals = str(label("rate")), str(label("proposals"))
    summary = dict(_sheet(workbook, "Tổng hợp"))
    assert summary[proposals] == expected.count
    assert summary[approved] == expected.approved  # khuyến công funds only
    assert summary[paid] == expected.paid
    assert summary[counterpart] == expected.counterpart > 0
    assert summary[rate] == expected.paid / expected.approved  # the exact ratio
    assert summary["Cơ sở CNNT được hỗ trợ (đếm không trùng)"] == len(expected.beneficiaries)
    headings = _headings(workbook, "Theo tỉnh")
    with translation.override("vi"):
        assert headings[:12] == [
            "STT",
            "Tỉnh, thành phố",
            "Vùng",
            proposals,
            str(label("funded")),
            approved,
            paid,
            f"{label('remaining')} (đồng)",
            rate,
            counterpart,
            f"{label('other')} (đồng)",
            str(label("inspected")),
        ]
    column = {h: i for i, h in enumerate(headings)}
    provinces = _sheet(workbook, "Theo tỉnh")
    assert len(provinces) == 35  # 34 provinces and the total row
    by_province = truth.by(rows, lambda r: r["province_id"])
    names = {p.name: p.pk for p in Province.objects.all()}
    for row in provinces[:-1]:
        name = row[1]
        e = by_province.get(names[name])
        got = tuple(row[column[h]] for h in (proposals, approved, paid, counterpart))
        assert got == ((e.count, e.approved, e.paid, e.counterpart) if e else (0, 0, 0, 0)), name
        ratio = row[column[rate]]
        assert ratio == (e.paid / e.approved if e and e.approved else None), name
    years = {r[1]: r[2:6] for r in _sheet(workbook, "Theo năm")}
    by_year = truth.by(rows, lambda r: r["plan__year"])
    expected_years = {str(y): core(by_year[y])[:4] for y in range(2022, 2027)}
    assert years == {**expected_years, "Tổng cộng": core(expected)[:4]}
    # One table on its own.
    one = client.get(reverse("dashboard-national-export"), {**filters, "table": "regions"})
    assert load_workbook(io.BytesIO(one.content)).sheetnames == ["Bộ lọc", "Theo vùng"]
    assert client.get(reverse("dashboard-national-export"), {"table": "nope"}).status_code == 404

    hanoi = Province.objects.get(code=1)
    response = client.get(reverse("dashboard-province-export", args=[hanoi.pk]), filters)
    workbook = load_workbook(io.BytesIO(response.content))
    assert {"Theo đơn vị thực hiện", "Theo xã, phường", "Cảnh báo giải ngân"} <= set(
        workbook.sheetnames
    )
    summary = dict(_sheet(workbook, "Tổng hợp"))
    assert summary[proposals] == truth.measures(truth.select({**filters, "province": hanoi})).count
