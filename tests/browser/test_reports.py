"""In Chromium, against the live server and a real Celery worker: ask for a report, watch
its card follow the progress without reloading the page (HTMX polling), download the PDF,
check it on the public verification page; the pages fit 1366 px and a phone."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from reports.models import ReportJob

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium(browser):
    """The session's Chromium (tests/browser/conftest.py): one Playwright per test run,
    since a second sync Playwright cannot start while the first one's loop runs."""
    return browser


# The page's own content fits its width (the navigation bar shared by every page is
# checked by tests/browser/test_login_as_each_role.py).
FITS = (
    "(() => { const m = document.querySelector('main'); return m.scrollWidth <= m.clientWidth; })()"
)


def logged_in_context(browser, base_url, username, **options):
    """A browser context with the user's session (logged in as the login page would)."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    context = browser.new_context(locale="vi-VN", accept_downloads=True, **options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    return context


@pytest.mark.timeout(600)
def test_ask_follow_download_and_verify_a_report(
    world, live_server, chromium, celery_worker_process, artifacts_dir, tmp_path
):
    context = logged_in_context(
        chromium, live_server.url, "sct-hanoi", viewport={"width": 1366, "height": 768}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/reports/new/?kind=compliance")
    page.locator("#id_date_from").fill("01/01/2026")
    page.locator("#id_date_to").fill("30/11/2026")
    page.get_by_test_id("submit").click()
    page.wait_for_url(f"{live_server.url}/reports/*/")
    job = ReportJob.objects.get()
    try:
        # A marker on the window survives HTMX swaps, not a reload.
        page.evaluate("window.__notReloaded = true")
        card = page.get_by_test_id("report-progress")
        card.and_(page.locator('[data-status="done"]')).wait_for(timeout=180_000)
        assert page.evaluate("window.__notReloaded") is True
        assert page.evaluate(FITS)
        page.screenshot(path=str(artifacts_dir / "report-detail-done.png"), full_page=True)
        job.refresh_from_db()
        assert page.get_by_test_id("sha256").inner_text() == job.sha256

        with page.expect_download() as download_info:
            page.get_by_test_id("download").click()
        download = download_info.value
        saved = tmp_path / "report.pdf"
        download.save_as(saved)
        assert download.suggested_filename.endswith(f"({job.verification_code}).pdf")
        assert download.suggested_filename.startswith("Báo cáo tình hình sử dụng kinh phí")
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == job.sha256

        page.goto(f"{live_server.url}/reports/")
        assert page.get_by_test_id("report-link").count() == 1
        assert page.evaluate(FITS)
        page.screenshot(path=str(artifacts_dir / "report-list.png"), full_page=True)

        # Anyone, without logging in, checks the downloaded file against its code.
        public = chromium.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
        visitor = public.new_page()
        visitor.goto(f"{live_server.url}/reports/verify/")
        visitor.locator("#id_code").fill(job.verification_code.lower())
        visitor.locator("#id_pdf").set_input_files(str(saved))
        visitor.get_by_test_id("verify").click()
        visitor.get_by_test_id("verify-match").wait_for()
        assert job.sha256 in visitor.get_by_test_id("verify-sha256").inner_text()
        assert visitor.evaluate("document.documentElement.scrollWidth") <= 390  # no menu: all
        visitor.screenshot(path=str(artifacts_dir / "report-verify-phone.png"), full_page=True)
        public.close()
    finally:
        context.close()
        job.refresh_from_db()
        if job.file:
            job.file.storage.delete(job.file.name)
