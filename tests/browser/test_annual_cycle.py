"""The annual cycle of national đề án in a real browser (issue 14, "How it is checked"):
Sơn La registers three national đề án against the ministry's call before its deadline and
is refused the fourth after it; the Sở's council of three scores them and the Sở concludes
the grassroots appraisal; the Sở sends them to the ministry as one registration batch; the
Cục's council scores them; the ministry builds the national plan decision from the
candidates, leaves one out and records the Minister's decision, which approves the two
listed; the ministry records the contract of the training đề án entrusting Sơn La's
promotion centre, whose user asks an advance above the activity group's limit and is
refused with the rule cited (Thông tư 36/2013/TT-BCT), then asks exactly the limit.

Set-up (plans, call, drafts, the sheets of the members who do not score in the browser,
the contract) goes through the factories and services; everything the scenario checks is
done in the browser. Elements are found by name, id and data-testid, not by their
(translated) labels."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from accounts.models import Agency
from cycle.models import Call, PlanDecision, Registration, RegistrationBatch
from demo.councils import council_members
from disbursement import services as money
from disbursement.models import Tranche
from programs.models import Activity, AnnualPlan, Program
from programs.services import plan_create, plan_set_budget, plan_transition
from projects.appraisal import stage_result
from projects.catalogue import load_catalogue
from projects.models import AppraisalCouncil, CouncilProposal, Proposal
from reference.models import Province
from tests.browser.conftest import confirm_in_dialog
from tests.browser.test_login_as_each_role import log_in
from tests.cycle.factories import open_call
from tests.projects.factories import PDF, make_proposal, ministry, score_sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Proposal.Status
M = 1_000_000
SUPPORT = 300 * M  # KCQG asked by each đề án (make_proposal's default)
LIMIT_70 = SUPPORT * 70 // 100  # training (group 01): 70 % of the contract's KCQG

# title, activity; the ministry's council scores them (every criterion at this mark).
DRAFTS = [
    ("Đào tạo nghề dệt thổ cẩm cho lao động nông thôn Mộc Châu", "01", 9),
    ("Mô hình trình diễn sấy chè bằng năng lượng mặt trời", "03.1", 8),
    ("Mô hình trình diễn chế biến cà phê Arabica Thuận Châu", "03.1", 7),
    ("Mô hình trình diễn chế biến mận hậu Bắc Yên", "03.1", 8),  # registered too late
]


def national_plan_2026() -> AnnualPlan:
    """The national KCQG plan of 2026, approved with a budget allocated to training (01)
    and demonstration models (03)."""
    program = Program.objects.get(code="kcqg-2026-2030")
    plan = AnnualPlan.objects.filter(program=program, year=2026).first()
    actor = ministry()
    if plan is None:
        plan = plan_create(
            actor=actor, program=program, year=2026, title="Kế hoạch khuyến công quốc gia 2026"
        )
        plan = plan_set_budget(
            plan=plan,
            actor=actor,
            budgets={"kcqg": 5_000 * M},
            allocations=[
                (Activity.objects.get(code="01"), "kcqg", 2_000 * M),
                (Activity.objects.get(code="03"), "kcqg", 3_000 * M),
            ],
            expected_version=plan.version,
        )
    if plan.status == AnnualPlan.Status.DRAFT:
        plan = plan_transition(plan=plan, actor=actor, action="submit")
        plan = plan_transition(
            plan=plan,
            actor=actor,
            action="approve",
            decision_number="3125/QĐ-BCT",
            decision_date=datetime.date(2025, 12, 26),
        )
    return plan


def _as(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, base, username)


def _status(page, status: str) -> None:
    page.locator(f"[data-testid='proposal-status'][data-status='{status}']").wait_for()


def _card(page, proposal: Proposal):
    """The council page's card of ``proposal``."""
    return page.get_by_test_id("council-proposal").filter(
        has=page.locator(f"a[href='/proposals/{proposal.pk}/']")
    )


def _create_council(page, base, members, proposals, number: str) -> AppraisalCouncil:
    (chair, _), (secretary, _), (member, _) = members
    today = timezone.localdate().strftime("%d/%m/%Y")
    page.goto(f"{base}/proposals/councils/")
    page.get_by_test_id("council-create").click()
    form = page.get_by_test_id("council-form")
    form.locator("input[name='decision_number']").fill(number)
    form.locator("input[name='decision_date']").fill(today)
    form.locator("input[name='meeting_date']").fill(today)
    form.locator("input[name='meeting_place']").fill("Phòng họp số 1")
    form.locator("select[name='chair']").select_option(str(chair.pk))
    form.locator("select[name='secretary']").select_option(str(secretary.pk))
    form.locator(f"input[name='members'][value='{member.pk}']").check()
    for proposal in proposals:
        form.locator(f"input[name='proposals'][value='{proposal.pk}']").check()
    page.get_by_test_id("council-save").click()
    page.get_by_test_id("council-members").wait_for()
    return AppraisalCouncil.objects.get(decision_number=number)


def _chair_scores_in_browser(page, base, council, proposal, mark: str, shown: str) -> None:
    """The chair's sheet on ``proposal``: every criterion at ``mark``; the weighted score
    computed by the server while typing (htmx) reads ``shown``."""
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.get_by_test_id("appraise").click()
    page.wait_for_url("**/sheets/*/")
    scores = page.locator("input.score")
    for i in range(scores.count()):
        scores.nth(i).fill(mark)
    page.locator("[data-testid='weighted-live']", has_text=shown).wait_for()
    page.locator("input[name='recommendation'][value='approve']").check()
    page.get_by_test_id("appraisal-save").click()
    page.wait_for_url(f"**/proposals/councils/{council.pk}/#proposals")


def _conclude_in_browser(page, base, council, proposals, artifacts_dir) -> None:
    for proposal in proposals:
        page.goto(f"{base}/proposals/councils/{council.pk}/")
        card = _card(page, proposal)
        card.get_by_test_id("conclude").click()
        # The form opens with Bootstrap's collapse: act once it is shown, not while it
        # slides open (a click during the transition may be lost).
        link = CouncilProposal.objects.get(council=council, proposal=proposal)
        page.locator(f"#conclude-{link.pk}.collapse.show").wait_for()
        card.locator("input[name$='recommendation'][value='approve']").check()
        with page.expect_navigation():
            card.get_by_test_id("confirm-conclude").click()
        concluded = _card(page, proposal).get_by_test_id("council-conclusion")
        if not concluded.count():  # what the page says instead, for whoever reads the failure
            page.screenshot(
                path=str(artifacts_dir / "cycle-conclusion-refused.png"), full_page=True
            )
        concluded.wait_for()


def test_a_province_and_the_ministry_run_the_national_cycle(
    world, live_server, page, artifacts_dir
):
    # A transactional test before this one may have flushed the catalogue the migration
    # loaded (criteria, dossier checklist, advance limits): put it back (idempotent).
    load_catalogue(django_apps)
    base = live_server.url
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    sonla = Province.objects.get(code=14)
    assert AnnualPlan.objects.get(province=sonla, year=2026).status == AnnualPlan.Status.APPROVED
    plan = national_plan_2026()
    call = open_call(plan, deadline=today + datetime.timedelta(days=3))
    assert (call.status, call.late_policy) == (Call.Status.OPEN, Call.LatePolicy.REFUSE)
    drafts = [
        make_proposal(14, national=True, plan=plan, activity_code=code, title=title)
        for title, code, _mark in DRAFTS
    ]
    training, tea, coffee, late = drafts
    on_time = [training, tea, coffee]
    assert all(p.status == S.DRAFT and p.level == "national" for p in drafts)

    # 1. Sơn La's Sở registers three đề án against the call with the registration card's
    # "Submit", the deadline three days ahead.
    log_in(page, base, "sct-sonla")
    for proposal in on_time:
        page.goto(f"{base}/proposals/{proposal.pk}/")
        card = page.get_by_test_id("registration-card")
        row = card.get_by_test_id("call-row")
        row.wait_for()
        assert call.deadline.strftime("%d/%m/%Y") in row.inner_text()
        assert card.get_by_test_id("days-left").inner_text() == "còn 3 ngày"
        assert card.get_by_test_id("missing-documents").count() == 0
        if proposal is training:
            page.screenshot(path=str(artifacts_dir / "cycle-registration-card.png"), full_page=True)
        card.locator("select[name='call']").select_option(str(call.pk))
        card.get_by_test_id("action-submit").click()
        confirm_in_dialog(page, "Đề án sẽ được gửi Sở Công Thương thẩm định")
        _status(page, "submitted")
        page.get_by_test_id("registration-card").wait_for()
        assert call.title in page.get_by_test_id("registration-card").inner_text()

    # 2. The deadline passes. The live server runs on the real clock (it cannot be moved
    # from the test, freezegun does not reach its thread's requests reliably), so the
    # call's deadline is moved to yesterday in the database instead.
    Call.objects.filter(pk=call.pk).update(deadline=yesterday)
    page.goto(f"{base}/proposals/{late.pk}/")
    card = page.get_by_test_id("registration-card")
    # The page offers no button that would only lead to the refusal: it says why instead
    # (the service's own refusal of a late POST is tested in tests/cycle/test_services.py).
    closed = card.get_by_test_id("registration-closed")
    assert (
        f"Hạn đăng ký của thông báo này là {yesterday:%d/%m/%Y}: không nhận đăng ký sau hạn."
        in closed.inner_text()
    )
    assert card.get_by_test_id("action-submit").count() == 0
    _status(page, "draft")
    page.screenshot(path=str(artifacts_dir / "cycle-registration-refused.png"), full_page=True)
    assert Registration.objects.filter(call=call).count() == 3
    assert not Registration.objects.filter(proposal=late).exists()
    assert Proposal.objects.get(pk=late.pk).status == S.DRAFT

    # 3. The Sở's council of three (its leader and inspectors, who drafted none of them:
    # the drafter, sct-sonla, organises the council and sits on none of its seats).
    department = Agency.objects.get(kind="department", province=sonla)
    members = council_members(department)
    assert "sct-sonla" not in {user.username for user, _seat in members}
    council = _create_council(page, base, members, on_time, "21/QĐ-SCT")
    assert council.stage == "province"
    assert council.members.count() == 3 and council.proposal_links.count() == 3
    chair = members[0][0]
    _as(page, base, chair.username)
    _chair_scores_in_browser(page, base, council, training, "8", "80,00")
    for link in CouncilProposal.objects.filter(council=council).select_related("proposal"):
        for user, _seat in members:
            if not (user == chair and link.proposal_id == training.pk):
                score_sheet(link, user)
    _conclude_in_browser(page, base, council, on_time, artifacts_dir)
    assert _card(page, training).get_by_test_id("council-average").inner_text() == "80,00"
    page.screenshot(path=str(artifacts_dir / "cycle-so-council.png"), full_page=True)

    # The Sở concludes the grassroots appraisal of each and puts it into the batch.
    _as(page, base, "sct-sonla")
    for proposal in on_time:
        page.goto(f"{base}/proposals/{proposal.pk}/")
        assert page.get_by_test_id("stage-score").inner_text() == "80,00"
        page.get_by_test_id("action-appraise").click()
        confirm_in_dialog(page)
        _status(page, "appraised")
        page.get_by_test_id("action-batch-add").click()
        page.wait_for_url("**/cycle/batches/*/")

    # 4. The batch, sent from its page with the report's number and the copy to the UBND.
    batch = RegistrationBatch.objects.get(call=call, province=sonla)
    assert page.get_by_test_id("batch-items").locator("tbody tr").count() == 3
    form = page.get_by_test_id("batch-form")
    form.locator("[name='reference']").fill("125/BC-SCT")
    form.locator("[name='previous_year_results']").fill("Năm 2025 thực hiện 6 đề án KCQG.")
    form.locator("[name='current_year_progress']").fill("Các đề án 2026 đúng tiến độ.")
    form.locator("[name='next_year_direction']").fill("Ưu tiên đào tạo nghề, mô hình trình diễn.")
    form.locator("[name='ubnd_copy_reference']").fill("125/BC-SCT (bản sao gửi UBND tỉnh)")
    form.locator("[name='ubnd_copy_date']").fill(today.strftime("%d/%m/%Y"))
    page.get_by_test_id("batch-send").click()
    confirm_in_dialog(page, "Hồ sơ đăng ký được gửi Bộ Công Thương")
    page.locator("[data-testid='batch-status']", has_text="Đã gửi Bộ").wait_for()
    page.screenshot(path=str(artifacts_dir / "cycle-batch-sent.png"), full_page=True)
    batch.refresh_from_db()
    assert batch.status == RegistrationBatch.Status.SENT and batch.reference == "125/BC-SCT"
    assert {p.status for p in Proposal.objects.filter(pk__in=[p.pk for p in on_time])} == {
        S.FORWARDED
    }
    assert set(batch.items.values_list("score", flat=True)) == {80}

    # 5. The Cục's council scores them: its chair in the browser for the training đề án,
    # the others through the services; the chair concludes in the browser.
    cuc = Agency.objects.get(kind="ministry_department")
    cuc_members = council_members(cuc)
    _as(page, base, "ministry")
    cuc_council = _create_council(page, base, cuc_members, on_time, "210/QĐ-ĐMST")
    assert cuc_council.stage == "ministry"
    cuc_chair = cuc_members[0][0]
    _as(page, base, cuc_chair.username)
    _chair_scores_in_browser(page, base, cuc_council, training, "9", "90,00")
    marks = {p.pk: mark for p, (_t, _c, mark) in zip(drafts, DRAFTS, strict=True)}
    for link in CouncilProposal.objects.filter(council=cuc_council):
        for user, _seat in cuc_members:
            if not (user == cuc_chair and link.proposal_id == training.pk):
                score_sheet(link, user, score=marks[link.proposal_id])
    _conclude_in_browser(page, base, cuc_council, on_time, artifacts_dir)
    assert stage_result(Proposal.objects.get(pk=coffee.pk), "ministry").score == 70

    # The ministry builds the national plan decision from the candidates, leaves out the
    # lowest scored and records the Minister's decision with its scan.
    _as(page, base, "ministry")
    page.goto(f"{base}/cycle/")
    page.get_by_test_id("decision-create").locator("select[name='plan']").select_option(
        str(plan.pk)
    )
    page.get_by_test_id("decision-create-submit").click()
    page.wait_for_url("**/cycle/decisions/*/")
    items = page.get_by_test_id("decision-items")
    assert items.locator("input[name='include']").count() == 3
    # Sorted by score (the default): the training đề án (90) first, the coffee one last.
    assert items.locator("input[name='include']").evaluate_all(
        "els => els.map(e => Number(e.value))"
    ) == [training.pk, tea.pk, coffee.pk]
    items.locator(f"input[name='include'][value='{training.pk}']").check()
    items.locator(f"input[name='include'][value='{tea.pk}']").check()
    items.locator(f"input[name='include'][value='{coffee.pk}']").uncheck()
    # The plan's money as the list is filled (computed in the page, then by the server).
    assert page.get_by_test_id("proposed").inner_text().replace("\xa0", " ") == "600.000.000 ₫"
    assert page.get_by_test_id("remaining").inner_text().replace("\xa0", " ") == ("4.400.000.000 ₫")
    form = page.get_by_test_id("decision-form")
    form.locator("[name='number']").fill("1520/QĐ-BCT")
    form.locator("[name='date']").fill(today.strftime("%d/%m/%Y"))
    form.locator("[name='signer']").fill("Bộ trưởng Bộ Công Thương")
    form.locator("input[name='scan']").set_input_files(
        {"name": "qd-1520.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.screenshot(path=str(artifacts_dir / "cycle-plan-decision-draft.png"), full_page=True)
    page.get_by_test_id("decision-record").click()
    confirm_in_dialog(page, "quyết định không sửa được nữa")
    page.locator("[data-testid='decision-status']", has_text="Đã ghi nhận quyết định").wait_for()
    page.screenshot(path=str(artifacts_dir / "cycle-plan-decision-recorded.png"), full_page=True)
    decision = PlanDecision.objects.get(plan=plan)
    assert decision.status == PlanDecision.Status.RECORDED and decision.scan
    for proposal in (training, tea):
        proposal.refresh_from_db()
        assert proposal.status == S.APPROVED
        assert (proposal.decision_number, proposal.decision_date) == ("1520/QĐ-BCT", today)
        assert proposal.approved_kcqg == SUPPORT
    coffee.refresh_from_db()
    assert coffee.status == S.FORWARDED and coffee.decision_number == ""

    # The left-out đề án is told so on its timeline (and stays forwarded).
    _as(page, base, "sct-sonla")
    page.goto(f"{base}/proposals/{coffee.pk}/")
    _status(page, "forwarded")
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Không có trong danh mục quyết định" in timeline
    assert f"Không có trong danh mục Quyết định 1520/QĐ-BCT ngày {today:%d/%m/%Y}" in timeline
    page.get_by_test_id("timeline").screenshot(path=str(artifacts_dir / "cycle-left-out.png"))

    # 6. The ministry department records the training đề án's contract, entrusting Sơn La's
    # promotion centre (Thông tư 36/2013/TT-BCT), whose users then record its money.
    centre = Agency.objects.get(kind="promotion_centre", province=sonla)
    training.refresh_from_db()
    money.contract_sign(
        proposal=training,
        actor=ministry(),
        number="15/2026/HĐ-KCQG",
        signed_on=today,
        parties="Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công; Trung tâm Khuyến công "
        "Sơn La",
        amounts={"kcqg": training.approved_kcqg, "counterpart": training.approved_counterpart},
        signing_agency=centre,
    )
    _as(page, base, "ttkc-sonla")
    page.goto(f"{base}/disbursement/proposals/{training.pk}/")
    request = {"kind": "advance", "source": "kcqg", "amount": "250.000.000"}
    for name, value in request.items():
        field = page.locator(f"[name='request-{name}']")
        if name == "amount":
            field.fill(value)
        else:
            field.select_option(value)
    page.get_by_test_id("submit-request").click()
    errors = page.get_by_test_id("form-errors")
    errors.wait_for()
    text = errors.inner_text().replace("\xa0", " ")
    assert "Tạm ứng từ" in text and "tối đa 210.000.000 ₫" in text
    assert "70 %" in text and "36/2013/TT-BCT" in text
    assert page.locator("[name='request-amount'].is-invalid").count() == 1
    page.locator("#request").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "cycle-advance-refused.png"))
    assert not Tranche.objects.filter(proposal=training).exists()

    # At the limit: accepted (requested, awaiting approval and payment).
    page.locator("[name='request-amount']").fill("210.000.000")
    page.get_by_test_id("submit-request").click()
    page.locator("[data-testid='tranche'][data-kind='advance']").wait_for()
    assert page.get_by_test_id("form-errors").count() == 0
    tranche = Tranche.objects.get(proposal=training)
    assert (tranche.kind, tranche.source, tranche.amount, tranche.status) == (
        "advance",
        "kcqg",
        LIMIT_70,
        "requested",
    )
    assert tranche.recorded_by.username == "ttkc-sonla"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
