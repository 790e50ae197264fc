"""WCAG 2.1 AA and valid HTML on the pages every demo role uses (issue 17).

For one demo account of each role (ROLE_ACCOUNTS), at 1366 px and at 390 px, Chromium
opens every page the account's navigation links to and the first record each of those
pages lists, runs axe-core on it (any *serious* or *critical* violation fails: contrast,
names of controls, ARIA, scrolling regions reachable by keyboard …) and keeps the HTML the
server sent; the Nu HTML checker (vnu-jar, the W3C validator) then checks every page once,
and any error fails. Both tools come from npm (package.json) and run here, on the machine;
nothing is fetched."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.test_login_as_each_role import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
WIDTHS = (1366, 390)
# One account of each demo role (the other provinces' accounts of a role see the same
# pages with other rows), and Sơn La's Sở for a second province's data (its reports, cycle
# and councils are in other states than Hà Nội's).
ROLE_ACCOUNTS = ("admin", "ministry", "sct-hanoi", "sct-sonla", "ttkc-hanoi", "inspector-hanoi")
# PAGE_SCREENSHOTS=1: a full-page screenshot of every page crawled, per account and width,
# in artifacts/screenshots/pages/ (for looking at them; off in the suite, it adds minutes).
SCREENSHOTS = (
    Path(settings.BASE_DIR) / "artifacts" / "screenshots" / "pages"
    if os.environ.get("PAGE_SCREENSHOTS")
    else None
)
if SCREENSHOTS:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
# Pages left out of the crawl: leaving, switching language, Django's admin (its own markup).
SKIPPED = ("/logout", "/i18n/", "/admin/")
# The pages each role must reach, so that a broken navigation cannot pass by finding none.
EXPECTED = {
    "ministry": {"/", "/statistics/", "/proposals/", "/inspections/", "/reports/", "/periodic/"},
    "sct-hanoi": {"/", "/statistics/", "/proposals/", "/beneficiaries/", "/periodic/"},
    "ttkc-hanoi": {"/", "/proposals/", "/inspections/"},
    "inspector-hanoi": {"/", "/inspections/"},
}
# At 390 px: open the first row's hidden cells and the first folded card, then measure the
# page's width and each phone-layout table that is wider than its box.
PHONE_OPEN = """() => {
  const shown = (el) => el.offsetParent !== null;
  const row = Array.from(document.querySelectorAll('main .row-more-toggle')).find(shown);
  if (row) row.click();
  const card = Array.from(document.querySelectorAll('main .phone-collapse-toggle')).find(shown);
  if (card) card.click();
  return {row: !!row, card: !!card,
          shownRow: !row || shown(document.getElementById(row.getAttribute('aria-controls')))};
}"""
PHONE_FIT = """() => ({
  page: document.documentElement.scrollWidth,
  tables: Array.from(document.querySelectorAll('main table'))
    .filter((t) => t.offsetParent !== null && t.querySelector('.col-more'))
    .map((t) => [t.dataset.testid || t.id || t.className, t.parentElement])
    .filter(([, box]) => box.scrollWidth > box.clientWidth + 1)
    .map(([name, box]) => `${name}: ${box.scrollWidth} px in ${box.clientWidth} px`),
})"""
AXE_RUN = """
axe.run(document, {resultTypes: ['violations']}).then(result => result.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))
"""


def _navigation(page) -> list[str]:
    """The pages the navigation links to (the home page first)."""
    links = page.eval_on_selector_all(
        "header a[href^='/'], nav a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
    )
    return [url for url in dict.fromkeys(["/", *links]) if not url.startswith(SKIPPED)]


def _first_record(page) -> list[str]:
    """The first record the page lists (a link in its main table), if any."""
    first = page.eval_on_selector_all(
        "main table a[href^='/']", "els => els.slice(0, 1).map(e => e.getAttribute('href'))"
    )
    return [url for url in first if not url.startswith(SKIPPED)]


# A few minutes: every page of six accounts at two widths, then one run of the checker
# (a few minutes on two CPUs; 17 for nine accounts under a heavy shared load, hence the
# margin).
@pytest.mark.timeout(2400)
def test_every_page_passes_axe_and_the_nu_checker(demo_data, live_server, browser, tmp_path):
    java = shutil.which("java")
    if not (AXE.exists() and VNU.exists() and java):
        pytest.fail("axe-core and vnu-jar (npm ci) and java are needed: `make test` installs them")
    axe = AXE.read_text()
    violations, html, seen, overflow, opened = [], {}, {}, [], 0
    for username in ROLE_ACCOUNTS:
        for width in WIDTHS:
            # axe is injected as a script: this context lets it past the portal's CSP (the
            # other browser tests check that the portal itself needs no exception).
            context = browser.new_context(
                viewport={"width": width, "height": 900}, bypass_csp=True, locale="vi-VN"
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            log_in(page, live_server.url, username)
            urls = _navigation(page)
            navigation = set(urls)
            for url in urls:  # grows with the first record of each navigation page
                response = page.goto(live_server.url + url)
                assert response is not None and response.ok, (username, url, response)
                if SCREENSHOTS:
                    slug = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"
                    page.screenshot(
                        path=str(SCREENSHOTS / f"{username}-{width}-{slug}.png"), full_page=True
                    )
                if url in navigation:
                    urls += [r for r in _first_record(page) if r not in urls]
                if width == WIDTHS[-1]:
                    state = page.evaluate(PHONE_OPEN)
                    opened += state["row"]
                    assert state["shownRow"], (username, url, "Details shows no row")
                    fit = page.evaluate(PHONE_FIT)
                    if fit["page"] > width or fit["tables"]:
                        overflow.append(f"{username} {url}: page {fit['page']} px {fit['tables']}")
                page.evaluate(axe)
                for v in page.evaluate(AXE_RUN):
                    violations.append(
                        f"{username} {width}px {url}: {v['id']} ({v['impact']}) "
                        f"{v['help']} — {v['nodes']}"
                    )
                if width == WIDTHS[0]:
                    html[(username, url)] = page.request.get(live_server.url + url).text()
            seen.setdefault(username, set()).update(urls)
            context.close()

    for username, expected in EXPECTED.items():
        assert expected <= seen[username], (username, expected - seen[username])
    assert len(html) >= 100, len(html)
    assert not overflow, "Wider than a 390 px phone:\n" + "\n".join(overflow)
    assert opened >= 20, opened  # the phone layout's Details buttons were there to open

    files = {}
    for i, (key, text) in enumerate(html.items()):
        path = tmp_path / f"page-{i}.html"
        path.write_text(text, encoding="utf-8")
        files[path.name] = key
    command = [java, "-jar", str(VNU), "--format", "json", "--errors-only"]
    checked = subprocess.run(
        [*command, *map(str, sorted(tmp_path.glob("*.html")))],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1])}: {m['message']} "
        f"(line {m.get('lastLine')})"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert not violations, "\n".join(violations)
    assert not errors, "\n".join(errors)
