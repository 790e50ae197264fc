"""Periodic results reports in a real browser (issue 15).

Sơn La's Sở opens Periodic reports from the menu, starts its six-month report of 2026,
reads the figures, writes a section of the narrative in the rich-text editor (typed, one
phrase in bold), marks the report reviewed, records the signed copy with its scan and
records it as sent. The ministry sees on the national view that Sơn La has sent, on time,
and Đắk Lắk has not; it starts the national six-month report, which adds up Sơn La's sent
copy and names the 33 provinces missing. Then the national report's PDF and Word copy is
made by the real Celery worker, and the Word copy, opened with python-docx, carries Sơn
La's paid figure and not Đắk Lắk's.

The money (tests/periodic/scenario.py) is built through the services; everything the
scenario checks is done in the browser. Elements are found by name, id and data-testid;
the status words an official reads are checked as the page prints them. Screenshots at
1366 and 390 px wide go to artifacts/screenshots/periodic-*.png."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from core.formatting import format_number, format_vnd
from periodic import services
from periodic.models import PeriodicReport, ReportVersion
from reports.models import ReportJob, report_path, word_copy_path
from tests.browser.conftest import confirm_in_dialog
from tests.browser.test_login_as_each_role import log_in
from tests.periodic import scenario
from tests.periodic.test_flow import send
from tests.projects.factories import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = ReportVersion.Status
WIDTHS = (1366, 390)
SONLA_PAID = scenario.SONLA_SIX_MONTH_2026["paid"]  # 200 million, to 30/06/2026
DAKLAK_PAID = scenario.DAKLAK_SIX_MONTH_2026["paid_period"]  # 90 million, never sent
TYPED = "Sáu tháng đầu năm, tỉnh hoàn thành các đề án đúng tiến độ. Ưu tiên năm tới: "
TYPED_BOLD = "đào tạo nghề"
# The page's own content fits its width (the wide tables scroll inside their card).
FITS = (
    "(() => { const m = document.querySelector('main'); return m.scrollWidth <= m.clientWidth; })()"
)


def _text(locator) -> str:
    return locator.inner_text().replace("\xa0", " ")


def _vnd(amount: int) -> str:
    return format_vnd(amount).replace("\xa0", " ")


def _status(page) -> str:
    """The status of the version shown, beside its number at the top of the report page."""
    top = page.get_by_test_id("version-number").locator("xpath=..")
    return _text(top.get_by_test_id("version-status"))


def _shoot(page, artifacts_dir, name: str) -> None:
    """Full-page screenshots at the office's screen width and at a phone's; the page's own
    content fits both."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 500 else 768})
        # From the top: the sticky navigation bar is drawn where the page is scrolled to.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts_dir / f"periodic-{name}-{width}.png"), full_page=True)
        assert page.evaluate(FITS), f"{name} at {width} px is wider than the screen"
    page.set_viewport_size({"width": 1366, "height": 768})


def _submit(page, form) -> None:
    """Submit ``form`` with its button and wait for the page the server answers with."""
    asks = form.get_attribute("data-confirm")  # an irreversible step asks first
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
        if asks:
            confirm_in_dialog(page)


def _start(page, kind: str, year: int) -> None:
    form = page.get_by_test_id("start-form")
    form.locator("select[name='kind']").select_option(kind)
    form.locator("select[name='year']").select_option(str(year))
    _submit(page, form)


def _remove(*files) -> None:
    for field in files:
        if field:
            field.storage.delete(field.name)


def test_a_province_sends_its_report_and_the_ministry_consolidates_it(
    world, live_server, page, artifacts_dir
):
    scenario.build()
    base = live_server.url
    try:
        _the_province_sends(page, base, artifacts_dir)
        _the_ministry_consolidates(page, base, artifacts_dir)
    finally:
        _remove(*(v.scan for v in ReportVersion.objects.exclude(scan="")))


def _the_province_sends(page, base, artifacts_dir):
    # 1. From the menu: Reports → Periodic reports.
    log_in(page, base, "sct-sonla")
    page.get_by_test_id("nav-menu-file-earmark-text").click()
    page.locator(".dropdown-menu.show a[href='/periodic/']").click()
    page.wait_for_url(f"{base}/periodic/")
    # The six-month report of 2026 is past its deadline (15/07) and not started: listed.
    due = page.get_by_test_id("report-due").filter(has_text="Báo cáo 6 tháng 2026")
    assert "Chưa lập" in _text(due) and "hạn 15/07/2026" in _text(due)
    assert "ngày chậm" in _text(due)
    _shoot(page, artifacts_dir, "list")

    _start(page, "six_month", 2026)
    report = PeriodicReport.objects.get(province__code=scenario.SONLA, kind="six_month")
    assert page.url == f"{base}/periodic/{report.pk}/"
    assert (
        _text(page.get_by_test_id("report-title"))
        == "Kết quả thực hiện công tác khuyến công 6 tháng đầu năm 2026"
    )
    assert _status(page) == "Dự thảo"
    page.get_by_test_id("live-note").wait_for()
    # The figures, as the scenario's own arithmetic has them.
    assert _text(page.get_by_test_id("total-paid")) == _vnd(SONLA_PAID)
    total = page.get_by_test_id("total-row").locator("td")
    assert _text(total.nth(1)) == str(scenario.SONLA_SIX_MONTH_2026["funded"])
    assert _text(total.nth(3)) == _vnd(scenario.SONLA_SIX_MONTH_2026["approved_kcdp"])
    assert _text(total.nth(6)) == _vnd(scenario.SONLA_SIX_MONTH_2026["paid_period"])
    assert _text(total.nth(-1)) == _vnd(scenario.SONLA_SIX_MONTH_2026["prev_paid_period"])
    _shoot(page, artifacts_dir, "report")

    # 2. The narrative: typed into the editor of "Kiến nghị, đề xuất", one phrase in bold.
    page.get_by_test_id("edit-narrative").click()
    page.wait_for_url("**/narrative/")
    editor = page.locator("#id_recommendations-editor")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(TYPED)
    bold = page.locator(
        ".richtext-toolbar[aria-controls='id_recommendations-editor'] [data-command='bold']"
    )
    bold.click()
    assert bold.get_attribute("aria-pressed") == "true"
    page.keyboard.type(f"{TYPED_BOLD}.")
    # The hidden textarea the form posts holds the editor's HTML as it is typed.
    held = page.locator("textarea[name='recommendations']").input_value()
    assert f"<b>{TYPED_BOLD}.</b>" in held
    _shoot(page, artifacts_dir, "narrative")
    _submit(page, page.get_by_test_id("narrative-form"))
    section = page.locator("[data-section='recommendations'] .narrative")
    assert TYPED.strip() in _text(section)
    assert _text(section.locator("b")) == f"{TYPED_BOLD}."
    version = report.versions.get()
    assert version.sections["recommendations"] == f"<p>{TYPED}<b>{TYPED_BOLD}.</b></p>"

    # 3. Reviewed; the signed copy recorded (number, date, signer, scan); sent.
    with page.expect_navigation():
        page.get_by_test_id("step-review").click()
    assert _status(page) == "Đã rà soát"
    sign = page.get_by_test_id("sign-form")
    sign.locator("[name='document_number']").fill("35/BC-SCT")
    sign.locator("[name='signed_on']").fill("10/07/2026")
    sign.locator("[name='signer']").fill("Nguyễn Văn Giám Đốc")
    sign.locator("[name='signer_title']").fill("Giám đốc Sở Công Thương")
    sign.locator("input[name='scan']").set_input_files(
        {"name": "bao-cao-6-thang-ky.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    _submit(page, sign)
    page.get_by_test_id("frozen-note").wait_for()
    signed = _text(page.get_by_test_id("signed-line"))
    assert "35/BC-SCT" in signed and "10/07/2026" in signed and "Nguyễn Văn Giám Đốc" in signed
    page.screenshot(path=str(artifacts_dir / "periodic-report-signed-1366.png"), full_page=True)
    send_form = page.get_by_test_id("send-form")
    send_form.locator("[name='sent_on']").fill("14/07/2026")
    _submit(page, send_form)
    assert _status(page) == "Đã gửi Bộ"
    page.get_by_test_id("reopen-form").wait_for(state="attached")  # the only step left
    version.refresh_from_db()
    assert version.status == S.SENT and version.sent_on.isoformat() == "2026-07-14"
    assert version.figures["totals"]["paid"] == SONLA_PAID
    assert version.scan.read() == PDF
    _shoot(page, artifacts_dir, "report-sent")

    # The list: the report's row says sent, with its number and date.
    page.goto(f"{base}/periodic/")
    row = page.get_by_test_id("report-row")
    assert row.count() == 1
    assert "Đã gửi Bộ" in _text(row) and "35/BC-SCT · 10/07/2026" in _text(row)


def _the_ministry_consolidates(page, base, artifacts_dir):
    page.context.clear_cookies()
    log_in(page, base, "ministry")

    # 4. The national view of 2026: Sơn La sent on 14/07 (on time), Đắk Lắk nothing (late).
    page.goto(f"{base}/periodic/national/?year=2026")
    matrix = page.get_by_test_id("national-matrix")
    sonla = matrix.locator(f"tr[data-province='{scenario.SONLA}'] td[data-kind='six_month']")
    assert "Đã gửi Bộ" in _text(sonla) and "đã gửi 14/07/2026" in _text(sonla)
    assert sonla.get_by_test_id("late").count() == 0
    daklak = matrix.locator(f"tr[data-province='{scenario.DAKLAK}'] td[data-kind='six_month']")
    assert _text(daklak.get_by_test_id("version-status")) == "Chưa lập"
    assert daklak.get_by_test_id("late").count() == 1  # 15/07/2026 has passed
    count = _text(page.get_by_test_id("count-six_month"))
    assert "15/07/2026" in count and "Đã gửi: 1 · chưa gửi: 33" in count
    _shoot(page, artifacts_dir, "national")

    # 5. The national six-month report, started from the list page.
    page.goto(f"{base}/periodic/")
    _start(page, "six_month", 2026)
    national = PeriodicReport.objects.get(province__isnull=True, kind="six_month", year=2026)
    assert page.url == f"{base}/periodic/{national.pk}/"
    consolidated = page.get_by_test_id("consolidated-province")
    assert consolidated.count() == 1
    assert _text(consolidated) == "Sơn La — phiên bản 1, Số 35/BC-SCT, gửi ngày 14/07/2026"
    missing = _text(page.get_by_test_id("missing-provinces"))
    assert missing.startswith("33 ") and "Đắk Lắk" in missing and "Sơn La" not in missing
    # Only the sent copy is added up: Sơn La's 200 million, not Đắk Lắk's 90.
    assert _text(page.get_by_test_id("total-paid")) == _vnd(SONLA_PAID)
    _shoot(page, artifacts_dir, "national-report")


@pytest.mark.celery
def test_the_national_report_s_word_copy_adds_up_what_was_sent(
    world, users, live_server, page, celery_worker_process
):
    scenario.build()
    sct = users["sct-sonla"]
    sent = send(
        services.report_start(actor=sct, kind="six_month", province=sct.agency.province, year=2026),
        sct,
    )
    national = services.report_start(
        actor=users["ministry"], kind="six_month", province=None, year=2026
    )
    base = live_server.url
    job = None
    try:
        log_in(page, base, "ministry")
        page.goto(f"{base}/periodic/{national.pk}/")
        with page.expect_navigation():
            page.get_by_test_id("make-document").click()
        assert page.url.startswith(f"{base}/reports/"), page.locator(".alert").all_inner_texts()
        job = ReportJob.objects.get(kind="periodic")
        assert page.url == f"{base}/reports/{job.pk}/"
        progress = page.locator("[data-testid='report-progress'][data-status='done']")
        progress.wait_for(timeout=120_000)
        with page.expect_download() as caught:
            page.get_by_test_id("download-docx").click()
        assert caught.value.suggested_filename.endswith(".docx")
        word = Document(io.BytesIO(Path(caught.value.path()).read_bytes()))
    finally:
        _remove(sent.scan)
        if job is not None:
            storage = ReportJob._meta.get_field("file").storage
            storage.delete(report_path(job, None))
            storage.delete(word_copy_path(job))
    rows = [
        [" ".join(cell.text.split()) for cell in row.cells]
        for table in word.tables
        for row in table.rows
    ]
    text = " ".join(p.text for p in word.paragraphs)
    # The total paid is Sơn La's sent figure; Đắk Lắk's money (not sent) is not in it.
    total = next(r for r in rows if r and r[0] == "Tổng cộng")
    assert format_number(SONLA_PAID) in total
    assert format_number(SONLA_PAID + DAKLAK_PAID) not in str(rows)
    assert ["1", "Sơn La", "1", "35/BC-SCT", "10/07/2026"] in rows
    assert "Địa phương chưa gửi báo cáo (33)" in text
    assert "(Bằng chữ: Hai trăm triệu đồng)" in text
