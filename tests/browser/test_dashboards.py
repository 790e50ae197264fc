"""A ministry official, in a real browser: opens the national statistics, narrows them to
a region, opens a province, drills down to its đề án and exports the list to Excel.
Screenshots land in artifacts/screenshots/dashboard-*.png.

Elements are found by name, id and data-testid, not by their (translated) labels."""

import io
import re

import pytest
from openpyxl import load_workbook

from demo.scale import seed_scale
from reference.models import Province, Region
from tests.browser.test_login_as_each_role import log_in
from tests.dashboards.conftest import Truth

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def test_ministry_filters_drills_down_and_exports(world, live_server, page, artifacts_dir):
    seed_scale(seed=21, scale=0.01)
    mekong = Region.objects.get(code="dbscl")
    can_tho = Province.objects.get(code=92)
    truth = Truth()
    expected = truth.measures(truth.select({"province": can_tho}))
    since_2023 = truth.measures(truth.select({"province": can_tho, "year_from": 2023}))
    assert 0 < since_2023.count < expected.count
    base = live_server.url

    log_in(page, base, "ministry")
    # The navigation bar still fits one line of the 1366-pixel screen with its new entry.
    header = page.locator("header.navbar").bounding_box()
    assert header["height"] < 70
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.locator("header a[href='/statistics/']").click()
    page.wait_for_url(f"{base}/statistics/")
    page.get_by_test_id("tile-map").wait_for()
    assert page.get_by_test_id("tile").count() == 34
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length === 3")
    page.screenshot(path=str(artifacts_dir / "dashboard-national.png"), full_page=True)

    # 1. Filter to the Mekong delta: the URL carries the filter, the table follows.
    page.locator("select[name='region']").select_option(str(mekong.pk))
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url(re.compile(rf".*region={mekong.pk}.*"))
    rows = page.locator("[data-testid='table-provinces'] tbody tr")
    nonzero = [
        rows.nth(i).get_attribute("data-key")
        for i in range(rows.count())
        if _number(rows.nth(i).locator("[data-measure='count']").inner_text()) > 0
    ]
    assert set(map(int, nonzero)) == set(
        Province.objects.filter(region=mekong).values_list("pk", flat=True)
    )
    page.get_by_test_id("measure-approved").click()
    page.wait_for_url(re.compile(r".*measure=approved.*"))
    page.screenshot(path=str(artifacts_dir / "dashboard-region.png"), full_page=True)

    # 2. Click a province: its own dashboard, same filters.
    page.locator(f"[data-testid='table-provinces'] tr[data-key='{can_tho.pk}'] a").first.click()
    page.wait_for_url(re.compile(rf".*/statistics/provinces/{can_tho.pk}/.*"))
    page.get_by_test_id("province-title").wait_for()
    assert _number(page.get_by_test_id("total-count").inner_text()) == expected.count
    page.screenshot(path=str(artifacts_dir / "dashboard-province.png"), full_page=True)

    # 3. From 2023 on, then drill down to the province's đề án: the list with the same
    # filters (the period shows as a removable filter from the statistics).
    page.locator("select[name='year_from']").select_option("2023")
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url(re.compile(r".*year_from=2023.*"))
    assert _number(page.get_by_test_id("total-count").inner_text()) == since_2023.count
    page.get_by_test_id("province-proposals").click()
    page.wait_for_url(re.compile(r".*/proposals/\?.*"))
    page.get_by_test_id("drill-filters").wait_for()
    assert page.locator("[data-testid='drill-filters'] [data-filter='year_from']").count() == 1
    count = _number(page.get_by_test_id("result-count").inner_text().split("đề án")[0])
    assert count == since_2023.count
    page.screenshot(path=str(artifacts_dir / "dashboard-drilldown.png"), full_page=True)

    # 4. Export it: the workbook lists the same đề án.
    with page.expect_download() as download_info:
        page.get_by_test_id("export").click()
    workbook = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read()))
    codes = [r[1] for r in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert len(codes) == count
    assert all("-CTO-" in code for code in codes)
