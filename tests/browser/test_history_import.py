"""A Sở officer brings in the province's past records in a real browser: downloads the
template, uploads a filled workbook, reads the preview the worker prepared, confirms, and
finds the 2021–2025 đề án in the list, on their pages (with the place as the record
wrote it) and in the statistics of those years."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from history.example import example_rows
from history.workbook import SHEETS, template_workbook
from programs.models import Program
from projects.models import Proposal
from reference.models import Province
from tests.browser.conftest import confirm_in_dialog
from tests.browser.test_login_as_each_role import log_in

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]

SONLA = 14


def test_a_department_officer_imports_the_province_s_past_records(
    world, live_server, page, artifacts_dir, tmp_path, celery_worker_process
):
    province = Province.objects.get(code=SONLA)
    Program.objects.get_or_create(
        code="kcdp-sla-2021-2025",
        defaults={
            "name": "Chương trình khuyến công tỉnh Sơn La giai đoạn 2021 - 2025",
            "level": "local",
            "province": province,
            "start_year": 2021,
            "end_year": 2025,
        },
    )
    base = live_server.url
    log_in(page, base, "sct-sonla")
    page.get_by_role("button", name="Danh mục").click()
    page.get_by_role("link", name="Hồ sơ các năm trước").click()
    page.wait_for_url(f"{base}/history/")

    # 1. The template: one sheet per kind of record, after the instructions.
    with page.expect_download() as download:
        page.get_by_test_id("history-template").click()
    template = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert [s.title for s in SHEETS] == template.sheetnames[1 : len(SHEETS) + 1]

    # 2. The filled workbook (what the officer copied from the province's files).
    rows = example_rows(province, proposals=10, seed=3)
    path = tmp_path / "ho-so-khuyen-cong-2021-2025.xlsx"
    path.write_bytes(template_workbook(catalogue={}, examples=rows))
    page.get_by_label("Tệp Excel đã điền (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()

    # 3. The worker's dry run; the page follows it and shows the preview.
    status = page.get_by_test_id("history-status")
    page.wait_for_selector("[data-testid='history-status'][data-status='ready']", timeout=120_000)
    proposals_row = page.get_by_test_id("history-preview").locator(
        "tbody tr", has=page.get_by_role("rowheader", name="Đề án", exact=True)
    )
    assert proposals_row.locator("td").first.inner_text() == "10"  # new
    assert not Proposal.objects.filter(code__startswith="KC-SLA-").exists()
    page.screenshot(path=str(artifacts_dir / "history-preview.png"), full_page=True)

    # 4. Confirm: the dialog names the consequence; the worker imports.
    page.get_by_test_id("history-confirm").click()
    confirm_in_dialog(page, says="Không gửi thông báo")
    page.wait_for_selector("[data-testid='history-status'][data-status='done']", timeout=120_000)
    assert "Đã nhập" in status.inner_text()
    assert Proposal.objects.filter(code__startswith="KC-SLA-").count() == 10

    # 5. The đề án of 2021–2025 in the list, and one of them with its history.
    old = next(r for r in rows["proposals"] if r["district"])
    page.goto(f"{base}/proposals/?year_from=2021&year_to=2025")
    assert page.get_by_test_id("proposal-link").count() == 10
    page.goto(f"{base}/proposals/?q={old['proposal_code']}")
    page.get_by_role("link", name=old["title"]).click()
    body = page.locator("main").inner_text()
    assert "Nhập từ hồ sơ các năm trước" in body
    assert f"{old['commune']}, {old['district']}" in body
    page.screenshot(path=str(artifacts_dir / "history-proposal.png"), full_page=True)

    # 6. The statistics of those years count them.
    page.goto(f"{base}/statistics/provinces/{province.pk}/?year_from=2021&year_to=2025")
    page.screenshot(path=str(artifacts_dir / "history-dashboard.png"), full_page=True)
    text = page.locator("main").inner_text()
    assert all(str(year) in text for year in range(2021, 2026))
