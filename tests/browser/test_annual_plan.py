"""A Sở Công Thương user creates an annual plan with allocations in a real browser,
sees the live totals catch an over-allocation, fixes it, submits and records approval."""

import pytest

from programs.models import AnnualPlan
from tests.browser.conftest import confirm_in_dialog
from tests.browser.test_login_as_each_role import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_user_creates_and_approves_an_annual_plan(world, live_server, page, artifacts_dir):
    base = live_server.url
    log_in(page, base, "sct-sonla")
    page.goto(f"{base}/programs/plans/")
    page.get_by_role("link", name="Tạo kế hoạch năm").click()
    page.get_by_label("Chương trình").select_option(
        label="Chương trình khuyến công tỉnh Sơn La giai đoạn 2026 - 2030"
    )
    page.get_by_label("Năm").fill("2028")
    page.get_by_label("Tên kế hoạch").fill("Kế hoạch khuyến công địa phương năm 2028")
    page.get_by_role("button", name="Tạo và nhập kinh phí").click()
    page.wait_for_url("**/edit/")

    page.get_by_label("Kinh phí khuyến công địa phương (KCĐP)").fill("2000000000")
    rows = page.locator("tr.allocation-row")
    rows.nth(0).locator("select[name$='-activity']").select_option(
        label="01. Đào tạo nghề, truyền nghề và phát triển nghề"
    )
    rows.nth(0).locator("input[name$='-amount']").fill("500.000.000")
    page.get_by_role("button", name="Thêm dòng").click()
    rows.nth(1).locator("select[name$='-activity']").select_option(
        label="03.1. Xây dựng mô hình trình diễn kỹ thuật"
    )
    rows.nth(1).locator("input[name$='-amount']").fill("1.600.000.000")
    remaining = page.locator("#live-totals tr[data-source='kcdp'] .remaining")
    assert remaining.inner_text().replace("\xa0", " ") == "-100.000.000 ₫"
    assert "text-danger" in remaining.get_attribute("class")
    page.screenshot(path=str(artifacts_dir / "plan-over-allocated.png"), full_page=True)

    # The server refuses it too, with the reason next to the form.
    page.get_by_role("button", name="Lưu lại").click()
    assert "vượt" in page.get_by_test_id("budget-errors").inner_text()
    page.locator("tr.allocation-row").nth(1).locator("input[name$='-amount']").fill("1.500.000.000")
    page.get_by_role("button", name="Lưu lại").click()
    page.wait_for_url("**/programs/plans/*/")
    summary = page.get_by_test_id("budget-summary").inner_text()
    assert "2.000.000.000 ₫" in summary

    page.get_by_role("button", name="Trình phê duyệt").click()
    confirm_in_dialog(page, "Kế hoạch được gửi cấp phê duyệt")
    page.get_by_role("button", name="Ghi nhận phê duyệt").first.click()
    page.get_by_label("Số quyết định").fill("245/QĐ-UBND")
    page.get_by_label("Ngày quyết định").fill("20/11/2026")
    page.locator("#approve-form").get_by_role("button", name="Ghi nhận phê duyệt").click()
    confirm_in_dialog(page, "Kế hoạch được phê duyệt theo quyết định này")
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts_dir / "plan-approved.png"), full_page=True)
    plan = AnnualPlan.objects.get(year=2028, province__code=14)
    assert plan.status == "approved" and plan.decision_number == "245/QĐ-UBND"
    assert sum(plan.allocations.values_list("amount", flat=True)) == 2_000_000_000
