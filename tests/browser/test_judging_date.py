"""The decision panel re-runs the checks for the decision date being typed: a Sở official
about to record the province's approval sees the checks panel judge the đề án by the rules
in force on that date (a provincial level ending on 20/11/2026 blocks it on that date, not
on the next day), and says which date it judges by."""

import datetime

import pytest

from programs.models import Activity, LegalDocument, SupportCap
from reference.models import Province
from tests.browser.test_login_as_each_role import log_in
from tests.projects.factories import S, advance, make_proposal, tmp_media  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("tmp_media"),
]
M = 1_000_000


def test_typing_the_decision_date_rejudges_the_proposal(world, live_server, page, artifacts_dir):
    sonla = Province.objects.get(code=14)
    document = LegalDocument.objects.create(
        number="12/2026/NQ-HĐND",
        doc_type="resolution",
        title="Mức hỗ trợ khuyến công tỉnh Sơn La (thử nghiệm)",
        issuer="HĐND tỉnh Sơn La",
        signed_on=datetime.date(2026, 1, 5),
        effective_from=datetime.date(2026, 1, 15),
        province=sonla,
    )
    SupportCap.objects.create(
        activity=Activity.objects.get(code="03.1"),
        level="local",
        province=sonla,
        max_percent=30,
        max_amount=200 * M,
        unit="model",
        effective_from=datetime.date(2026, 1, 15),
        effective_to=datetime.date(2026, 11, 20),
        legal_document=document,
        article="Điều 2 khoản 1",
    )
    proposal = advance(make_proposal(14, support=300 * M, counterpart=700 * M), S.APPRAISED)
    log_in(page, live_server.url, "sct-sonla")
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    judged = page.locator("[data-testid=checks-date]")
    assert judged.get_attribute("data-reason") == "today"
    page.locator("[data-testid=action-approve]").click()
    page.locator("[data-testid=decision-date-approve]").fill("20/11/2026")
    page.wait_for_selector("[data-testid=checks-date][data-date='20/11/2026']")
    assert judged.get_attribute("data-reason") == "planned"
    cap = page.locator("[data-testid=check-cap]")
    assert cap.get_attribute("data-state") == "fail"
    assert "Điều 2 khoản 1" in cap.inner_text() and "12/2026/NQ-HĐND" in cap.inner_text()
    page.screenshot(path=artifacts_dir / "judging-date-planned.png", full_page=True)
    page.locator("[data-testid=decision-date-approve]").fill("21/11/2026")
    page.wait_for_selector("[data-testid=checks-date][data-date='21/11/2026']")
    assert cap.get_attribute("data-state") != "fail"  # that level ended the day before
