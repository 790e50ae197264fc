"""The actions that need more than a link or a button, from the keyboard alone (issue 17,
WCAG 2.1.1): the establishment autocomplete of the đề án form and the tile map of the
dashboard. The checklist's answers are radio buttons (native keyboard use) and the
confirmations are dialogs; both are exercised where they are used.

Elements are found by name, id and data-testid, not by their (translated) labels."""

import re

import pytest

from dashboards.tiles import TILE_POSITIONS
from reference.models import Province
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.browser.test_login_as_each_role import log_in
from tests.projects.factories import make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page, attribute: str) -> str | None:
    return page.evaluate(f"document.activeElement.getAttribute('{attribute}')")


def test_the_beneficiary_autocomplete_from_the_keyboard(world, live_server, page):
    proposal = make_proposal(14, kind="group", beneficiaries=1)
    commune = Province.objects.get(code=14).communes.filter(division_type="xa").first()
    first, second = (
        BeneficiaryFactory(name=f"Hợp tác xã Chè Tà Xùa {n}", commune=commune) for n in (1, 2)
    )
    base = live_server.url
    log_in(page, base, "sct-sonla")
    page.goto(f"{base}/proposals/{proposal.pk}/edit/")

    page.get_by_test_id("add-beneficiary").focus()
    page.keyboard.press("Enter")  # a new row; the focus goes to its search box
    name = _focused(page, "name")
    assert re.fullmatch(r"ben-\d+-label", name)
    row = name.split("-")[1]
    search = page.locator(f"input[name='{name}']")
    assert search.get_attribute("role") == "combobox"
    assert search.get_attribute("aria-expanded") == "false"
    page.keyboard.type("che ta xua")
    options = page.locator("#" + search.get_attribute("aria-controls") + " [role=option]")
    options.first.wait_for()
    assert search.get_attribute("aria-expanded") == "true"
    assert options.count() >= 2

    # Down into the list, down again, up again: the focus and aria-selected follow.
    page.keyboard.press("ArrowDown")
    assert _focused(page, "role") == "option"
    assert options.nth(0).get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowDown")
    assert options.nth(1).get_attribute("aria-selected") == "true"
    assert options.nth(0).get_attribute("aria-selected") == "false"
    page.keyboard.press("ArrowUp")
    # Escape closes the list and returns to the search box.
    page.keyboard.press("Escape")
    assert _focused(page, "name") == name
    assert options.count() == 0 and search.get_attribute("aria-expanded") == "false"

    # Open it again, go to the second match and pick it with Enter.
    page.keyboard.type(" ")
    options.first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    picked = options.last.get_attribute("data-id")
    page.keyboard.press("Enter")
    assert page.locator(f"input[name='ben-{row}-beneficiary']").input_value() == picked
    assert picked in {str(first.pk), str(second.pk)}
    assert _focused(page, "name") == f"ben-{row}-support_amount"  # on to the share
    assert search.get_attribute("aria-expanded") == "false"


def test_the_tile_map_from_the_keyboard(world, live_server, page):
    base = live_server.url
    log_in(page, base, "ministry")
    page.goto(f"{base}/statistics/")
    tiles = page.get_by_test_id("tile")
    tiles.first.wait_for()
    # One stop in the tab order, the first province in reading order (north-west first).
    assert page.locator("a.tile[tabindex='0']").count() == 1
    assert tiles.count() == 34
    codes = [int(c) for c in tiles.evaluate_all("ts => ts.map(t => t.dataset.code)")]
    assert codes == sorted(codes, key=lambda c: TILE_POSITIONS[c])
    # The last control before the map (the "colour by" buttons), then Tab.
    page.get_by_test_id("tile-map").locator("[data-testid^='measure-']").last.focus()
    page.keyboard.press("Tab")
    assert int(_focused(page, "data-code")) == codes[0]  # Lai Châu (0, 1)

    def at() -> tuple[int, int]:
        return TILE_POSITIONS[int(_focused(page, "data-code"))]

    page.keyboard.press("ArrowDown")  # Lai Châu → Sơn La, just below
    assert at() == (1, 1)
    page.keyboard.press("ArrowRight")
    assert at() == (1, 2)
    page.keyboard.press("ArrowDown")
    assert at() == (2, 2)  # Hà Nội
    page.keyboard.press("ArrowLeft")  # nothing to the west on this row: the nearest one
    row, col = at()
    assert col < 2
    page.keyboard.press("End")
    assert int(_focused(page, "data-code")) == codes[-1]
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    code = int(_focused(page, "data-code"))
    # The tab order keeps the tile last reached; Enter opens its province.
    assert page.locator("a.tile[tabindex='0']").get_attribute("data-code") == str(code)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/statistics/provinces/\d+/.*"))
    assert (
        Province.objects.get(code=code).short_name
        in page.get_by_test_id("province-title").inner_text()
    )
