"""The phone layout (issue 17, point 4) in a real Chromium at 390 px, against the same pages at
1366 px: a list keeps its main columns and shows the others, under their headings, one tap
away; the inspection checklist answers by thumb; the national statistics fold their long
tables behind their headings. Screenshots land in artifacts/screenshots/phone-layout-*.png."""

import pytest

from accounts.models import User
from inspections.models import Inspection
from tests.browser.conftest import watch_csp
from tests.browser.test_login_as_each_role import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def _page(browser, live_server, username, viewport):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused = watch_csp(page)
    log_in(page, live_server.url, username)
    return context, page, refused


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_inspector_lists_and_checklist_on_a_phone(demo_data, live_server, browser, artifacts_dir):
    province = User.objects.get(username="inspector-hanoi").agency.province
    planned = Inspection.objects.filter(status="planned", proposal__province=province).first()
    assert planned is not None
    context, page, refused = _page(browser, live_server, "inspector-hanoi", PHONE)

    # The list: proposal, inspection and status; the planned date waits behind Details.
    page.goto(live_server.url + "/inspections/")
    table = page.get_by_test_id("inspection-table")
    planned_heading = table.locator("thead th.col-more").first
    assert planned_heading.is_hidden()
    box = table.locator("xpath=..")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth + 1")
    _fits(page)
    row = table.locator("tbody tr[data-testid='inspection-row']").first
    toggle = row.locator(".row-more-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    detail = page.locator("#" + toggle.get_attribute("aria-controls"))
    assert detail.is_visible()
    terms = detail.locator("dt").all_inner_texts()
    assert planned_heading.text_content().strip() in terms, terms
    page.screenshot(path=str(artifacts_dir / "phone-layout-inspections.png"), full_page=True)
    toggle.click()
    assert detail.is_hidden()

    # The checklist: the results are large buttons across the card, the findings box too.
    page.goto(live_server.url + f"/inspections/{planned.pk}/")
    answer = page.get_by_test_id("answer").first
    width = answer.bounding_box()["width"]
    for label in answer.locator(".btn-group label").all():
        button = label.bounding_box()
        assert button["height"] >= 44 and button["width"] > 0.8 * width, button
    note = answer.locator("textarea")
    assert note.bounding_box()["width"] > 0.8 * width
    assert answer.locator("label.label-phone").is_visible()  # the box has its own label
    answer.locator(".btn-group label").nth(1).click()
    assert answer.locator("input[type=radio]").nth(1).is_checked()
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "phone-layout-checklist.png"), full_page=True)
    context.close()
    assert not refused, refused

    # At 1366 px nothing changes: every column, no Details button.
    context, page, refused = _page(browser, live_server, "inspector-hanoi", DESKTOP)
    page.goto(live_server.url + "/inspections/")
    table = page.get_by_test_id("inspection-table")
    assert table.locator("thead th.col-more").first.is_visible()
    assert not any(b.is_visible() for b in table.locator(".row-more-toggle").all())
    assert table.locator("tr.row-more").count() == 0
    context.close()
    assert not refused, refused


def test_national_statistics_fold_on_a_phone(demo_data, live_server, browser, artifacts_dir):
    context, page, refused = _page(browser, live_server, "ministry", PHONE)
    page.goto(live_server.url + "/statistics/")
    provinces = page.get_by_test_id("table-provinces")
    assert provinces.is_hidden()
    height = page.evaluate("document.body.scrollHeight")
    card = page.locator(".phone-collapse", has=provinces)
    toggle = card.locator(".phone-collapse-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("#" + toggle.get_attribute("aria-labelledby")).inner_text().strip()
    toggle.click()
    assert provinces.is_visible()
    assert page.evaluate("document.body.scrollHeight") > height
    # Its rows keep the province, the approved amount and the rate; the rest one tap away.
    assert provinces.locator("thead th:visible").count() == 3
    row = provinces.locator("tbody tr").first
    row.locator(".row-more-toggle").click()
    assert page.locator("tr.row-more:visible dt").count() >= 5
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "phone-layout-statistics.png"), full_page=True)
    context.close()
    assert not refused, refused

    context, page, refused = _page(browser, live_server, "ministry", DESKTOP)
    page.goto(live_server.url + "/statistics/")
    provinces = page.get_by_test_id("table-provinces")
    assert provinces.is_visible()
    assert provinces.locator("thead th:visible").count() >= 9
    assert not any(t.is_visible() for t in page.locator(".phone-collapse-toggle").all())
    context.close()
    assert not refused, refused
