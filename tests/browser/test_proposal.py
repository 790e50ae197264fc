"""A Sở Công Thương official enters a đề án nhóm in a real browser: three establishments
picked through the autocomplete, a budget whose programme support exceeds the province's
cap (the checks panel says so, citing the resolution), fixes it, attaches the dossier,
submits, has its appraisal council score it and conclude (the chair scoring in the browser),
concludes the appraisal and records the province's approval.

Elements are found by name, id and data-testid, not by their (translated) labels."""

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from accounts.models import Agency
from demo.councils import council_members
from programs.models import AnnualPlan
from projects.appraisal import stage_result
from projects.catalogue import load_catalogue
from projects.checks import required_documents
from projects.models import Appraisal, AppraisalCouncil, Proposal
from reference.models import Province
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.browser.conftest import confirm_in_dialog
from tests.browser.test_accessibility import AXE, AXE_RUN
from tests.browser.test_login_as_each_role import log_in
from tests.programs.factories import local_cap
from tests.projects.factories import PDF, score_sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = [
    "Hợp tác xã Chè Shan tuyết Tà Xùa",
    "Hợp tác xã Sấy nông sản Mộc Châu",
    "Hộ kinh doanh Chế biến chè Bản Áng",
]


def _pick(page, row: int, query: str, beneficiary_id: int) -> None:
    page.locator(f"input[name='ben-{row}-label']").fill(query)
    page.locator(f"[data-testid='beneficiary-option'][data-id='{beneficiary_id}']").click()
    assert page.locator(f"input[name='ben-{row}-beneficiary']").input_value() == str(beneficiary_id)


def test_province_user_enters_appraises_and_approves_a_group_proposal(
    world, live_server, page, artifacts_dir
):
    # A transactional test before this one may have flushed the catalogue the migration
    # loaded (criteria, dossier checklist): put it back (idempotent).
    load_catalogue(django_apps)
    sonla = Province.objects.get(code=14)
    cap = local_cap(sonla, activity_code="03.1")  # 50 %, at most 100 million per đề án
    communes = list(sonla.communes.filter(division_type="xa").order_by("code")[:3])
    beneficiaries = [
        BeneficiaryFactory(name=name, commune=commune)
        for name, commune in zip(NAMES, communes, strict=True)
    ]
    sonla_department = Agency.objects.get(kind="department", province=sonla)
    plan = AnnualPlan.objects.get(province=sonla, year=2026)
    assert plan.status == AnnualPlan.Status.APPROVED
    base = live_server.url
    log_in(page, base, "sct-sonla")

    # 1. The draft: what, who and when.
    page.goto(f"{base}/proposals/")
    page.get_by_test_id("create").click()
    page.locator("select[name='plan']").select_option(str(plan.pk))
    page.locator("input[name='title']").fill("Mô hình sấy chè bằng năng lượng mặt trời")
    page.locator("select[name='kind']").select_option("group")
    page.locator("select[name='activity']").select_option(
        label="03.1. Xây dựng mô hình trình diễn kỹ thuật"
    )
    page.locator("input[name='start_date']").fill("01/03/2026")
    page.locator("input[name='end_date']").fill("30/11/2026")
    page.get_by_test_id("create-submit").click()
    page.wait_for_url("**/edit/")
    proposal = Proposal.objects.get(title="Mô hình sấy chè bằng năng lượng mặt trời")

    # 2. Three establishments through the autocomplete (by name, without accents, and
    # by tax code), their shares, and a budget line asking more than the cap allows.
    _pick(page, 0, "shan tuyet ta xua", beneficiaries[0].pk)
    page.get_by_test_id("add-beneficiary").click()
    _pick(page, 1, "Mộc Châu", beneficiaries[1].pk)
    page.get_by_test_id("add-beneficiary").click()
    _pick(page, 2, beneficiaries[2].tax_code, beneficiaries[2].pk)
    for row in range(3):
        page.locator(f"input[name='ben-{row}-support_amount']").fill("50.000.000")
    page.locator("input[name='line-0-item']").fill("Hệ thống sấy năng lượng mặt trời")
    page.locator("input[name='line-0-unit']").fill("hệ thống")
    page.locator("input[name='line-0-quantity']").fill("1")
    page.locator("input[name='line-0-unit_price']").fill("400.000.000")
    page.locator("input[name='line-0-kcdp']").fill("150.000.000")
    page.locator("input[name='line-0-counterpart']").fill("200.000.000")
    # The amount is computed while typing, and the sources do not add up yet.
    amount = page.locator("#line-table tr.line-row").first.get_by_test_id("line-amount")
    assert amount.inner_text().replace("\xa0", " ") == "400.000.000 ₫"
    assert "text-danger" in page.get_by_test_id("sources-hint").get_attribute("class")
    page.locator("input[name='line-0-counterpart']").fill("250.000.000")
    assert "text-success" in page.get_by_test_id("sources-hint").get_attribute("class")
    assert page.get_by_test_id("total-kcdp").inner_text().replace("\xa0", " ") == "150.000.000 ₫"
    page.locator("input[name='out-target_models']").fill("1")
    page.screenshot(path=str(artifacts_dir / "proposal-form.png"), full_page=True)
    page.get_by_test_id("save").click()
    page.wait_for_url("**/edit/#checks")

    # 3. The checks panel (loaded by HTMX after saving) shows the cap exceeded, citing
    # the province's resolution.
    cap_check = page.get_by_test_id("check-cap")
    cap_check.wait_for()
    assert cap_check.get_attribute("data-state") == "fail"
    assert cap.legal_document.number in cap_check.inner_text()
    page.locator("#checks").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "proposal-cap-warning.png"))

    # 4. Fix the amount to the cap and the shares with it.
    page.locator("input[name='line-0-kcdp']").fill("100.000.000")
    page.locator("input[name='line-0-counterpart']").fill("300.000.000")
    for row, share in enumerate(["40.000.000", "30.000.000", "30.000.000"]):
        page.locator(f"input[name='ben-{row}-support_amount']").fill(share)
    page.get_by_test_id("save").click()
    page.wait_for_url("**/edit/#checks")
    page.locator("[data-testid='check-cap'][data-state='ok']").wait_for()
    assert page.get_by_test_id("check-beneficiaries").count() == 0  # shares add up now

    # 5. The dossier: a PDF for each required document, chosen together and sent in one
    # upload (htmx, no page load). Each file lands in a row with the document its name names
    # (chosen in the reverse of the checklist's order here). The first try has a renamed
    # program among them: nothing is kept, the error names it next to its row, and the
    # files that passed stay chosen; that one chosen again, the upload goes through.
    documents = list(required_documents(proposal))
    assert len(documents) == 4
    files = [
        {"name": f"{d.code}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        for d in reversed(documents)
    ]
    bad = {**files[0], "buffer": b"MZ\x90\x00 a program"}
    page.get_by_test_id("attach-many").set_input_files([bad, *files[1:]])
    rows = page.get_by_test_id("attach-row")
    assert rows.count() == 4
    for i, document in enumerate(reversed(documents)):
        assert rows.nth(i).locator("select").input_value() == str(document.pk)
    page.get_by_test_id("attach-submit").click()
    errors = page.get_by_test_id("attach-errors")
    errors.wait_for()
    assert f"“{bad['name']}”" in errors.inner_text()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.attach-row input[type=file]')]"
        ".map((i) => i.files.length).join() === '0,1,1,1'"
    )
    assert rows.nth(0).locator("input[type=file]").get_attribute("class").count("is-invalid")
    page.screenshot(path=str(artifacts_dir / "proposal-upload-refused.png"), full_page=True)
    page.evaluate(AXE.read_text())  # the rows, the refusal and the controls shown by script
    assert page.evaluate(AXE_RUN) == []
    rows.nth(0).locator("input[type=file]").set_input_files(files[0])
    page.get_by_test_id("attach-submit").click()
    page.get_by_test_id("attach-status").wait_for()
    assert page.url.endswith("/edit/#checks")  # the card was replaced in place
    page.locator("[data-testid='check-documents'][data-state='ok']").wait_for()

    # 6. Submit from the detail page.
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.get_by_test_id("action-submit").click()
    confirm_in_dialog(page, "Đề án sẽ được gửi Sở Công Thương thẩm định")
    page.locator("[data-testid='proposal-status'][data-status='submitted']").wait_for()
    page.screenshot(path=str(artifacts_dir / "proposal-submitted.png"), full_page=True)

    # 7. The Sở sets up its appraisal council (the drafter organises it, does not sit on
    # it); the chair scores in the browser, the weighted score computed by the server while
    # typing; the other members score; the chair records the conclusion; the Sở concludes
    # the appraisal stage.
    (chair, _), (secretary, _), (member, _) = council_members(sonla_department)
    page.goto(f"{base}/proposals/councils/")
    page.get_by_test_id("council-create").click()
    form = page.get_by_test_id("council-form")
    form.locator("input[name='decision_number']").fill("15/QĐ-SCT")
    form.locator("input[name='decision_date']").fill(timezone.localdate().strftime("%d/%m/%Y"))
    form.locator("input[name='meeting_date']").fill(timezone.localdate().strftime("%d/%m/%Y"))
    form.locator("input[name='meeting_place']").fill("Phòng họp Sở Công Thương")
    form.locator("select[name='chair']").select_option(str(chair.pk))
    form.locator("select[name='secretary']").select_option(str(secretary.pk))
    form.locator(f"input[name='members'][value='{member.pk}']").check()
    form.locator(f"input[name='proposals'][value='{proposal.pk}']").check()
    page.get_by_test_id("council-save").click()
    page.get_by_test_id("council-members").wait_for()
    council = AppraisalCouncil.objects.get()
    page.context.clear_cookies()
    log_in(page, base, chair.username)
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.get_by_test_id("appraise").click()
    page.wait_for_url("**/sheets/*/")
    scores = page.locator("input.score")
    for i in range(scores.count()):
        scores.nth(i).fill("8")
    # The weighted score of what is typed, computed by the server (htmx), before saving.
    page.locator("[data-testid='weighted-live']", has_text="80,00").wait_for()
    page.locator("input[name='recommendation'][value='approve']").check()
    page.get_by_test_id("appraisal-save").click()
    page.wait_for_url(f"**/proposals/councils/{council.pk}/#proposals")
    page.screenshot(path=str(artifacts_dir / "proposal-appraisal.png"), full_page=True)
    link = council.proposal_links.get()
    for user in (secretary, member):
        score_sheet(link, user)
    page.reload()
    page.get_by_test_id("conclude").click()
    # The form opens with Bootstrap's collapse: act once it is shown, not while it slides
    # open (a click during the transition can land beside the moving button).
    page.locator(f"#conclude-{link.pk}.collapse.show").wait_for()
    page.locator("input[name$='recommendation'][value='approve']").check()
    page.get_by_test_id("confirm-conclude").click()
    page.get_by_test_id("council-conclusion").wait_for()
    assert page.get_by_test_id("council-average").first.inner_text() == "80,00"
    page.screenshot(path=str(artifacts_dir / "council-concluded.png"), full_page=True)
    page.context.clear_cookies()
    log_in(page, base, "sct-sonla")
    page.goto(f"{base}/proposals/{proposal.pk}/")
    assert page.get_by_test_id("stage-score").inner_text() == "80,00"
    page.get_by_test_id("action-appraise").click()
    confirm_in_dialog(page, "Kết thúc thẩm định")
    page.locator("[data-testid='proposal-status'][data-status='appraised']").wait_for()

    # 8. The province's decision, recorded by the Sở.
    today = timezone.localdate()
    page.get_by_test_id("action-approve").click()
    page.locator("#approve-number").fill("245/QĐ-UBND")
    page.locator("#approve-date").fill(today.strftime("%d/%m/%Y"))
    # The panel names the consequence above its button: it is the confirmation step.
    assert (
        "Đề án được phê duyệt theo quyết định này" in page.locator("#action-approve").inner_text()
    )
    page.get_by_test_id("confirm-approve").click()
    page.locator("[data-testid='proposal-status'][data-status='approved']").wait_for()
    page.screenshot(path=str(artifacts_dir / "proposal-approved.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED
    assert proposal.kind == "group" and proposal.code == "KCĐP-SLA-2026-001"
    assert (proposal.decision_number, proposal.decision_date) == ("245/QĐ-UBND", today)
    assert (proposal.approved_kcdp, proposal.approved_counterpart) == (100_000_000, 300_000_000)
    assert {
        (link.beneficiary_id, link.support_amount) for link in proposal.beneficiary_links.all()
    } == {
        (beneficiaries[0].pk, 40_000_000),
        (beneficiaries[1].pk, 30_000_000),
        (beneficiaries[2].pk, 30_000_000),
    }
    assert proposal.attachments.count() == 4
    appraisal = Appraisal.objects.get(proposal=proposal, appraiser=chair)
    assert appraisal.weighted_score == 80 and appraisal.council == council
    assert stage_result(proposal, "province").score == 80
    actions = list(proposal.events.order_by("created_at", "id").values_list("action", flat=True))
    assert actions[0] == "create"
    assert actions[-3:] == ["council_conclusion", "appraise", "approve"]
    assert "submit" in actions and actions.count("attach") == 4
