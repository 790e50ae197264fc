"""The promotion centre of Sơn La follows the money of an approved đề án in a real browser:
records the signed contract, an advance and a payment, tries to pay more than the contract
leaves and reads why it is refused, records the acceptance and the settlement (with the
money to return).

Elements are found by name, id and data-testid, not by their (translated) labels."""

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from disbursement.models import Contract, Tranche
from projects.catalogue import load_catalogue
from projects.models import Proposal
from tests.browser.conftest import confirm_in_dialog
from tests.browser.test_login_as_each_role import log_in
from tests.projects.factories import advance, make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(page, form: str, values: dict) -> None:
    for name, value in values.items():
        field = page.locator(f"[name='{form}-{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    asks = page.get_by_test_id(f"form-{form}").get_attribute("data-confirm")
    page.get_by_test_id(f"submit-{form}").click()
    if asks:  # an irreversible step asks first
        confirm_in_dialog(page)


def test_centre_records_contract_payments_acceptance_and_settlement(
    world, live_server, page, artifacts_dir
):
    load_catalogue(django_apps)  # a transactional test before may have flushed it
    proposal = advance(make_proposal(14), "approved")
    assert (proposal.approved_kcdp, proposal.approved_counterpart) == (300_000_000, 700_000_000)
    today = timezone.localdate().strftime("%d/%m/%Y")
    base = live_server.url
    log_in(page, base, "ttkc-sonla")
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.get_by_test_id("money-link").click()
    page.wait_for_url(f"**/disbursement/proposals/{proposal.pk}/")

    # 1. The signed contract, for the approved amounts (prefilled). Recording it asks first,
    # naming what it does; Esc closes the question, the focus returns, nothing is recorded.
    page.locator("[name='contract-number']").fill("12/2026/HĐ-TTKC")
    page.get_by_test_id("submit-contract").click()
    dialog = page.get_by_test_id("confirm-dialog")
    dialog.wait_for(state="visible")
    assert "đề án chuyển sang thực hiện" in dialog.inner_text()
    page.screenshot(path=str(artifacts_dir / "confirm-dialog-contract.png"))
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.dataset.testid") == "submit-contract"
    assert not Contract.objects.filter(proposal=proposal).exists()
    _fill(page, "contract", {"number": "12/2026/HĐ-TTKC", "signed_on": today})
    page.get_by_test_id("contract-number").wait_for()
    assert "12/2026/HĐ-TTKC" in page.get_by_test_id("contract-number").inner_text()
    page.locator("[data-testid='proposal-status'][data-status='in_implementation']").wait_for()
    page.screenshot(path=str(artifacts_dir / "disbursement-contract.png"), full_page=True)

    # 2. An advance and a payment the State Treasury has made.
    payment = {
        "kind": "advance",
        "source": "kcdp",
        "amount": "150.000.000",
        "paid_on": today,
        "voucher_number": "PC-001",
        "treasury_reference": "KBNN-SL-01",
    }
    _fill(page, "payment", payment)
    page.locator("[data-testid='tranche'][data-kind='advance']").wait_for()
    _fill(
        page,
        "payment",
        {**payment, "kind": "payment", "amount": "100.000.000", "voucher_number": "PC-002"},
    )
    page.locator("[data-testid='tranche'][data-kind='payment']").wait_for()
    assert page.get_by_test_id("paid-kcdp").inner_text().replace("\xa0", " ") == "250.000.000 ₫"

    # 3. More than the contract leaves: refused, with what is left (50 million).
    _fill(
        page,
        "payment",
        {**payment, "kind": "payment", "amount": "80.000.000", "voucher_number": "PC-003"},
    )
    errors = page.get_by_test_id("form-errors")
    errors.wait_for()
    text = errors.inner_text().replace("\xa0", " ")
    assert "80.000.000 ₫" in text and "50.000.000 ₫" in text and "300.000.000 ₫" in text
    assert page.locator("[name='payment-amount'].is-invalid").count() == 1
    page.locator("#payment").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "disbursement-overpay.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    # 4. The acceptance: the contracted amounts accepted (prefilled) and the outputs.
    page.goto(f"{base}/disbursement/proposals/{proposal.pk}/")
    achieved = {
        name.removeprefix("acceptance-"): "1"
        for name in page.locator("[name^='acceptance-achieved_']").evaluate_all(
            "els => els.map(e => e.name)"
        )
    }
    _fill(
        page,
        "acceptance",
        {
            "accepted_on": today,
            "council": "Hội đồng nghiệm thu tỉnh Sơn La",
            "result": "passed",
            **achieved,
        },
    )
    page.locator("[data-testid='proposal-status'][data-status='accepted']").wait_for()

    # 5. The contract's liquidation: 240 million of work done from KCĐP, 10 million to
    # return; then the settlement (nghiệm thu → thanh lý hợp đồng → quyết toán).
    _fill(
        page,
        "liquidation",
        {"number": "05/2026/TLHĐ", "liquidated_on": today, "kcdp": "240.000.000"},
    )
    to_return = page.get_by_test_id("liquidation-returned-kcdp")
    to_return.wait_for()
    assert to_return.inner_text().replace("\xa0", " ") == "10.000.000 ₫"
    page.locator("[data-testid='proposal-status'][data-status='accepted']").wait_for()
    _fill(
        page,
        "settlement",
        {"settled_on": today, "decision_number": "35/QĐ-SCT", "kcdp": "240.000.000"},
    )
    page.get_by_test_id("settled").wait_for()
    returned = page.get_by_test_id("returned-kcdp").inner_text().replace("\xa0", " ")
    assert returned == "10.000.000 ₫"
    assert page.locator("[data-testid^='reverse-']").count() == 0  # settled: no more changes
    page.screenshot(path=str(artifacts_dir / "disbursement-settled.png"), full_page=True)

    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.status == Proposal.Status.CLOSED
    contract = Contract.objects.get(proposal=proposal, active=True)
    assert (contract.number, contract.kcdp, contract.counterpart) == (
        "12/2026/HĐ-TTKC",
        300_000_000,
        700_000_000,
    )
    tranches = list(Tranche.objects.filter(proposal=proposal).order_by("id"))
    assert [(t.kind, t.amount, t.status, t.voucher_number) for t in tranches] == [
        ("advance", 150_000_000, "paid", "PC-001"),
        ("payment", 100_000_000, "paid", "PC-002"),
    ]
    assert tranches[0].treasury_reference == "KBNN-SL-01"
    assert proposal.acceptance.kcdp == 300_000_000 and proposal.acceptance.result == "passed"
    assert (proposal.settlement.kcdp, proposal.settlement.returned_kcdp) == (
        240_000_000,
        10_000_000,
    )
    assert proposal.settlement.decision_number == "35/QĐ-SCT"
