"""Playwright on Debian's Chromium (/usr/bin/chromium), never a browser downloaded by Playwright."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# test itself (fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def watch_csp(page) -> list[str]:
    """The Content-Security-Policy violations Chromium reports on ``page`` (an inline script
    or handler, a file from elsewhere): the list fills as the page runs."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused = watch_csp(page)
    yield page
    context.close()
    assert not refused, f"Content-Security-Policy violations: {refused}"


def confirm_in_dialog(page, says: str = "") -> str:
    """Confirm the irreversible action the page asks about (core.confirm): the dialog opens
    with the focus on "go back", names the consequence (``says``, when given), and its
    confirm button sends the form. Returns the consequence it named."""
    dialog = page.get_by_test_id("confirm-dialog")
    dialog.wait_for(state="visible")
    text = dialog.inner_text()
    if says:
        assert says in text, text
    assert page.evaluate("document.activeElement.dataset.testid") == "confirm-dialog-cancel"
    dialog.get_by_test_id("confirm-dialog-ok").click()
    return text
