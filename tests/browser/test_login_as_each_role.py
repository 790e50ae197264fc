"""Log in as each demo account in a real Chromium, look at the home page, keep a screenshot."""

import pytest

from accounts.models import Agency
from demo.seeding import DEMO_PASSWORD
from tests.browser.conftest import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNTS = [
    ("admin", None),
    ("ministry", None),
    ("sct-hanoi", "Hà Nội"),
    ("ttkc-hanoi", "Hà Nội"),
    ("inspector-hanoi", "Hà Nội"),
    ("sct-sonla", "Sơn La"),
    ("ttkc-sonla", "Sơn La"),
    ("sct-daklak", "Đắk Lắk"),
    ("ttkc-daklak", "Đắk Lắk"),
]


def log_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/")


def test_each_demo_account_logs_in_and_sees_its_own_province(
    world, live_server, browser, artifacts_dir
):
    agencies = {
        a.name: a.province.short_name if a.province else None
        for a in Agency.objects.select_related("province")
    }
    for username, province in ACCOUNTS:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.set_default_timeout(15_000)
        refused = watch_csp(page)
        log_in(page, live_server.url, username)
        badge = page.get_by_test_id("scope-badge").inner_text()
        if province is None:
            assert "34" in badge, (username, badge)
        else:
            assert province in badge, (username, badge)
            shown = page.get_by_test_id("home-agencies").locator("a").all_inner_texts()
            assert shown, username
            assert all(agencies.get(name) == province for name in shown), (username, shown)
        # The navigation fits a 1366-pixel office screen: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, username
        page.screenshot(path=str(artifacts_dir / f"home-{username}.png"), full_page=True)
        # The user menu names the account and logs out.
        page.get_by_test_id("user-menu").click()
        page.get_by_role("button", name="Đăng xuất").click()
        page.wait_for_url(f"{live_server.url}/login/")
        context.close()
        assert not refused, (username, refused)


def test_wrong_password_and_language_switch(world, live_server, page, artifacts_dir):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Tên đăng nhập").fill("sct-sonla")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_role("alert").inner_text().startswith("Vui lòng điền")
    page.screenshot(path=str(artifacts_dir / "login-error.png"))
    with page.expect_navigation():
        page.get_by_label("Ngôn ngữ").select_option("en")
    assert page.get_by_role("button", name="Log in").is_visible()


def test_the_home_page_reads_well_on_a_phone(world, live_server, browser, artifacts_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server.url, "ttkc-daklak")
    assert page.get_by_test_id("scope-badge").is_visible()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "home-ttkc-daklak-phone.png"), full_page=True)
    context.close()
