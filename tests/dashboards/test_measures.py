"""The dashboards publish the measures of core.measures: money on khuyến công funds with
the counterpart beside it (never added in), rates with two decimals rounded half-up and
named with their denominator, Excel cells holding the exact ratio, and tables whose rows
add up to their total (an "unassigned" row and a "several communes" row where needed)."""

import html
import io
import random
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core.measures import EXCEL_PERCENT_FORMAT, MEASURES, label
from dashboards import selectors
from dashboards.selectors import DASHBOARD_MEASURES, Measures
from dashboards.templatetags import dashboards as dashboard_tags
from projects.models import Proposal
from reference.models import Commune, Province
from tests.dashboards.conftest import percent_half_up
from tests.disbursement.factories import approved, contracted, pay

pytestmark = pytest.mark.django_db
M = 1_000_000
PCT = "\u00a0%"  # the non-breaking space before the percent sign

# Tables of rows that add up to the selection's total, per dashboard.
NATIONAL_TABLES = ("provinces", "regions", "years", "activities", "kinds", "levels")
PROVINCE_TABLES = ("agencies", "communes", "years", "activities", "kinds", "levels")
MEASURE_SHEETS = {
    "provinces": "Theo tỉnh",
    "regions": "Theo vùng",
    "agencies": "Theo đơn vị thực hiện",
    "communes": "Theo xã, phường",
    "years": "Theo năm",
    "activities": "Theo nội dung",
    "kinds": "Theo loại đề án",
    "levels": "Theo cấp",
}


def test_a_rate_is_rounded_half_up_to_two_decimals():
    m = Measures(approved=100_000, paid=91_365)
    assert m.rate == Decimal("91.37")  # 91,365 % -> 91,37 % (a float would give 91,36)
    assert Measures(approved=100_000, paid=91_364).rate == Decimal("91.36")
    assert Measures(approved=0, paid=0).rate is None
    assert Measures(inspected=3, compliant=2).compliance_rate == Decimal("66.67")
    page = Template("{{ m.rate|percent }}").render(Context({"m": m}))
    assert page == "91,37" + PCT
    # The same as the independent integer computation of the tests, on many pairs.
    rng = random.Random(5)
    for _ in range(2000):
        whole = rng.randint(1, 10**12)
        part = rng.randint(0, whole)
        assert Measures(approved=whole, paid=part).rate == percent_half_up(part, whole)


def test_the_dashboards_have_no_rounding_of_their_own():
    """One percent filter (the builtin of core.templatetags.vn), no one-decimal rates."""
    assert "percent" not in dashboard_tags.register.filters
    from pathlib import Path

    folder = Path(dashboard_tags.__file__).parents[1] / "templates" / "dashboards"
    for template in folder.rglob("*.html"):
        text = template.read_text()
        assert "floatformat:1" not in text, template
        assert not re.search(r"floatformat:\"?-?[12]\"? ?%", text), template


def _sonla_scenario():
    """Sơn La: one KCĐP đề án (100 million approved, counterpart 250 million), paid 91,365
    million of KCĐP: the rate is exactly on a half-up boundary."""
    proposal = approved(14, support=100 * M, counterpart=250 * M)
    contracted(proposal)
    pay(proposal, 91_365_000, source="kcdp")
    return Province.objects.get(code=14), proposal


def test_counterpart_money_is_beside_never_in_approved_paid_or_rate(world, client, users):
    sonla, proposal = _sonla_scenario()
    data = selectors.province_dashboard(user=users["ministry"], province=sonla, filters={})
    total = data["total"]
    assert (total.approved, total.paid, total.counterpart) == (100 * M, 91_365_000, 250 * M)
    assert total.rate == Decimal("91.37") and total.remaining == 8_635_000
    by_source = data["by_source"]
    assert by_source["kc_total"]["approved"] == 100 * M
    beside = {r["source"]: r["approved"] for r in by_source["beside"]}
    assert beside == {"counterpart": 250 * M, "other": 0}
    # The national dashboard: the same figures on the province's row and the headline.
    national = selectors.national_dashboard(user=users["ministry"], filters={})
    row = next(r for r in national["provinces"] if r.key == sonla.pk)
    assert (row.m.approved, row.m.paid, row.m.rate, row.m.counterpart) == (
        100 * M,
        91_365_000,
        Decimal("91.37"),
        250 * M,
    )

    client.force_login(users["ministry"])
    page = client.get(reverse("dashboard-province", args=[sonla.pk])).content.decode()
    assert re.search(r'data-testid="total-approved" data-value="100000000">100\.000\.000 ₫<', page)
    assert re.search(r'data-testid="total-counterpart" data-value="250000000">250\.000\.000', page)
    assert re.search(r'data-testid="total-rate"[^>]*>91,37' + PCT + "<", page)
    # The rate names its denominator, the labels are the catalogue's.
    assert html.escape(str(MEASURES["rate"].definition)) in page
    for key in ("approved", "paid", "counterpart", "rate", "remaining"):
        assert html.escape(str(label(key))) in page, key
    sources = page.split('data-testid="table-sources"')[1].split("</table>")[0]
    total_row = sources.split('data-key="kc-total"')[1].split("</tr>")[0]
    assert 'data-value="100000000"' in total_row and "91,37" + PCT in total_row
    assert "250.000.000" not in total_row
    national_page = client.get(reverse("dashboard-national")).content.decode()
    table = national_page.split('data-testid="table-provinces"')[1].split("</table>")[0]
    sonla_row = table.split(f'<tr data-key="{sonla.pk}">')[1].split("</tr>")[0]
    assert 'data-value="100000000"' in sonla_row and "91,37" + PCT in sonla_row

    # The map may abbreviate (billions of đồng) only with the full amount in the tile's
    # title and in the text a screen reader reads (the abbreviation hidden from it); the
    # legend of a rate is written like every rate.
    tiles = client.get(reverse("dashboard-national"), {"measure": "approved"}).content.decode()
    tile = re.search(r'<a class="tile[^>]*data-code="14"[^>]*>.*?</a>', tiles, re.S).group(0)
    assert re.search(r'title="[^"]*100\.000\.000 ₫"', tile)
    assert re.search(r'<span class="visually-hidden">[^<]*100\.000\.000 ₫</span>', tile)
    assert '<span class="tile-value" aria-hidden="true">0,1</span>' in tile
    tile = re.search(r'<a class="tile[^>]*data-code="14"[^>]*>.*?</a>', national_page, re.S).group(
        0
    )
    assert "91,37" + PCT in tile
    assert html.escape(str(MEASURES["rate"].definition)) in tile

    # Chosen source: the amounts are that source's, and the page says so.
    page = client.get(
        reverse("dashboard-province", args=[sonla.pk]), {"source": "kcdp"}
    ).content.decode()
    assert 'data-testid="source-note"' in page
    assert re.search(r'data-testid="total-approved" data-value="100000000"', page)
    # Counterpart money is no filter: a rate on it would not be a khuyến công rate. The
    # value is refused next to the field and the khuyến công figures stay.
    page = client.get(
        reverse("dashboard-province", args=[sonla.pk]), {"source": "counterpart"}
    ).content.decode()
    assert 'data-testid="source-note"' not in page
    assert "invalid-feedback" in page or "is-invalid" in page
    assert re.search(r'data-testid="total-approved" data-value="100000000"', page)


def test_excel_rate_cells_hold_the_exact_ratio(world, client, users):
    sonla, _proposal = _sonla_scenario()
    client.force_login(users["ministry"])
    response = client.get(reverse("dashboard-province-export", args=[sonla.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    with translation.override("vi"):
        rate, approved_heading = str(label("rate")), f"{label('approved')} (đồng)"
        counterpart_heading = f"{label('counterpart')} (đồng)"
    summary = {row[0].value: row[1] for row in workbook["Tổng hợp"].iter_rows(min_row=2)}
    assert summary[rate].value == 0.91365  # not 91.37, not 91.4
    assert summary[rate].number_format == EXCEL_PERCENT_FORMAT
    assert summary[approved_heading].value == 100 * M
    assert summary[approved_heading].number_format == "#,##0"
    assert summary[counterpart_heading].value == 250 * M
    sheet = workbook["Theo năm"]
    headings = [c.value for c in sheet[1]]
    for line in sheet.iter_rows(min_row=2):
        cells = dict(zip(headings, line, strict=True))
        if cells[approved_heading].value:
            assert cells[rate].value == 0.91365
            assert cells[rate].number_format == EXCEL_PERCENT_FORMAT
            assert cells[counterpart_heading].value == 250 * M
            assert isinstance(cells[approved_heading].value, int)


# Tables that show findings and warnings (the others show the money and counts only).
WITH_ISSUES = {"provinces", "regions", "agencies"}
ISSUES = ("findings", "overdue", "flags")


def _additive(m, issues=True) -> tuple:
    return tuple(getattr(m, name) for name in Measures.ADDITIVE if issues or name not in ISSUES)


def _sum(rows, issues=True) -> tuple:
    return tuple(
        sum(values) for values in zip(*(_additive(r.m, issues) for r in rows), strict=True)
    )


def test_every_table_adds_up_to_its_total(scale_data, client, users):
    hanoi = Province.objects.get(code=1)
    for filters in ({}, {"source": "kcqg"}, {"year_from": 2023, "kind": "group"}):
        national = selectors.national_dashboard(user=users["ministry"], filters=filters)
        for name in NATIONAL_TABLES:
            issues = name in WITH_ISSUES
            assert _sum(national[name], issues) == _additive(national["total"], issues), (
                filters,
                name,
            )
        province = selectors.province_dashboard(
            user=users["ministry"], province=hanoi, filters=filters
        )
        for name in PROVINCE_TABLES:
            issues = name in WITH_ISSUES
            assert _sum(province[name], issues) == _additive(province["total"], issues), (
                filters,
                name,
            )
        for data in (national, province):
            kc = data["by_source"]["kc"]
            assert data["by_source"]["kc_total"]["approved"] == sum(r["approved"] for r in kc)
    # The communes of the province: some đề án in several communes, counted once.
    communes = {r.key: r for r in province["communes"]}
    assert "several" in communes and communes["several"].m.count > 0

    # The exports: every measure table ends with a total row equal to the sum of its rows.
    client.force_login(users["ministry"])
    with translation.override("vi"):
        additive_headings = {
            str(label("proposals")),
            str(label("funded")),
            *(f"{label(k)} (đồng)" for k in ("approved", "paid", "remaining")),
            *(f"{label(k)} (đồng)" for k in ("counterpart", "other")),
            str(label("inspected")),
            str(label("compliant")),
            str(label("open_findings")),
            str(label("overdue_findings")),
            "Cảnh báo giải ngân",
        }
        rate_headings = {str(label("rate")), str(label("compliance_rate"))}
    checked = set()
    for url in (
        reverse("dashboard-national-export"),
        reverse("dashboard-province-export", args=[hanoi.pk]),
    ):
        workbook = load_workbook(io.BytesIO(client.get(url).content))
        for key, title in MEASURE_SHEETS.items():
            if title not in workbook.sheetnames:
                continue
            sheet = workbook[title]
            headings = [c.value for c in sheet[1]]
            lines = [dict(zip(headings, r, strict=True)) for r in sheet.iter_rows(min_row=2)]
            *body, total = lines
            assert total[headings[1]].value == "Tổng cộng", title
            summed = [h for h in headings if h in additive_headings]
            assert len(summed) >= 9, title
            for heading in summed:
                column = [line[heading].value for line in body]
                assert total[heading].value == sum(column), (title, heading)
            for line in (*body, total):
                for heading in rate_headings:
                    cell = line[heading]
                    assert cell.value is None or 0 <= cell.value <= 1.5, (title, heading)
                    assert cell.number_format == EXCEL_PERCENT_FORMAT, (title, heading)
            with translation.override("vi"):
                paid, approved_ = f"{label('paid')} (đồng)", f"{label('approved')} (đồng)"
                rate = str(label("rate"))
            for line in (*body, total):
                whole, part = line[approved_].value, line[paid].value
                assert line[rate].value == (part / whole if whole else None), (title, line)
            checked.add(key)
    assert checked == set(MEASURE_SHEETS)


def test_unassigned_rows_keep_the_tables_adding_up(world, users):
    """A đề án without a commune, one in several communes and a national đề án without a
    province each land in a row of their own."""
    sonla, proposal = _sonla_scenario()
    other = approved(14, support=120 * M, counterpart=300 * M)
    two = list(Commune.objects.filter(province=sonla).order_by("code")[:2])
    other.communes.set(two)
    proposal.communes.clear()
    data = selectors.province_dashboard(user=users["ministry"], province=sonla, filters={})
    rows = {r.key: r for r in data["communes"]}
    assert rows[None].m.approved == 100 * M and rows[None].label == selectors.UNASSIGNED["commune"]
    assert rows["several"].m.approved == 120 * M
    assert _sum(data["communes"], False) == _additive(data["total"], False)

    national = approved(14, national=True, support=150 * M, counterpart=400 * M)
    Proposal.objects.filter(pk=national.pk).update(province=None)
    data = selectors.national_dashboard(user=users["ministry"], filters={})
    nowhere = [r for r in data["provinces"] if r.key is None]
    assert len(nowhere) == 1 and nowhere[0].m.approved == 150 * M
    assert _sum(data["provinces"]) == _additive(data["total"])
    assert _sum(data["regions"]) == _additive(data["total"])
    assert len(selectors.map_tiles(data["provinces"], "rate")["tiles"]) == 34


def test_the_explanation_lists_the_catalogue(world, client, users):
    client.force_login(users["ministry"])
    page = client.get(reverse("dashboard-national")).content.decode()
    block = page.split('data-testid="definitions-measures"')[1].split("</dl>")[0]
    for key in DASHBOARD_MEASURES:
        measure = MEASURES[key]
        assert f'data-measure="{key}">{html.escape(str(measure.label))}<' in block, key
        assert html.escape(str(measure.definition)) in block, key
