"""A long report laid out in sections (reports.documents.sections) is the same document as
one laid out whole: the same pages with the same text, the page numbers running on
across the cuts, the official header on the first page only, the verification code and
the table header on every page, every row once and in order."""

from __future__ import annotations

import io
import re

import pytest
from django.test import override_settings
from pypdf import PdfReader

from bench.datasets import compliance_dataset
from reference.models import Province
from reports import services
from reports.documents import limits, render_report
from reports.documents.sections import html_to_pdf_sections, long_tables
from reports.models import ReportJob
from tests.reports.documents_support import check_deferred_constraints
from tests.reports.test_jobs_factories import use_report_media

pytestmark = pytest.mark.django_db

PERIOD = {"province": None, "date_from": "2026-01-01", "date_to": "2026-12-31"}
TABLE_HEADER = "STT Đề án (mã, tên, quyết định phê duyệt)"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
CODE = re.compile(r"KCĐP-(HNI|SLA)-2026-\d{4}")


def top_line(page) -> str:
    """The text printed in the top margin of a page (where the page number is)."""
    height = float(page.mediabox.height)
    parts: list[str] = []

    def visit(text, cm, tm, _font, _size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # from the bottom of the page
        if y > height - 20 * 72 / 25.4 and text.strip():
            parts.append(text.strip())

    page.extract_text(visitor_text=visit)
    return " ".join(parts)


def pages_of(pdf: bytes) -> tuple[list, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader.pages, [" ".join(p.extract_text().split()) for p in reader.pages]


@pytest.fixture
def long_job(world, users):
    hanoi, sonla = Province.objects.get(code=1), Province.objects.get(code=14)
    data = compliance_dataset(
        provinces=[hanoi, sonla], per_province=30, actor=users["ministry"], seed=16
    )
    check_deferred_constraints()
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.COMPLIANCE,
        params=PERIOD,
        title="Báo cáo tình hình sử dụng kinh phí khuyến công năm 2026",
        number="16/BC-CĐMST",
        requested_by=users["ministry"],
    )
    return job, data


def test_a_long_report_in_sections_is_the_report_laid_out_whole(long_job):
    job, data = long_job
    with override_settings(REPORT_SECTION_ROWS=10_000):
        whole = render_report(job, progress=lambda _p: None)
    calls: list[float] = []
    with override_settings(REPORT_SECTION_ROWS=15):
        sectioned = render_report(job, progress=calls.append)

    # Several sections: 60 đề án in tables cut every 15 rows.
    assert data.proposals == 60
    assert len([c for c in calls if 45 < c < 95]) >= 4, calls
    assert sectioned.page_count == whole.page_count > 8
    pages, texts = pages_of(sectioned.pdf)
    assert len(pages) == sectioned.page_count
    assert texts == pages_of(whole.pdf)[1]

    # Page numbers 2..N at the top, none on the first page (Nghị định 30/2020/NĐ-CP).
    assert [top_line(p) for p in pages] == [""] + [str(n) for n in range(2, len(pages) + 1)]
    # The official header on the first page only; the code and, while the table lasts,
    # its header on every page.
    assert MOTTO in texts[0] and all(MOTTO not in t for t in texts[1:])
    for number, text in enumerate(texts, start=1):
        assert f"Mã xác thực: {job.verification_code}" in text, number
    last_table_page = max(i for i, t in enumerate(texts) if "TỔNG CỘNG" in t)
    for text in texts[1 : last_table_page + 1]:
        assert text.startswith(TABLE_HEADER) or text.startswith("II. CHI TIẾT"), text[:80]
    # Every đề án once, in the table's order (province, code), numbered 1..60.
    table = " ".join(texts[: last_table_page + 1])
    codes = [m.group(0) for m in CODE.finditer(table)]
    assert codes == sorted(codes, key=lambda c: ("SLA" in c, c)) and len(codes) == 60
    assert len(set(codes)) == 60
    assert "TỔNG CỘNG (60 đề án)" in " ".join(texts)


def test_a_short_document_is_laid_out_whole():
    html = "<html><body><table><tbody><tr><td>1</td></tr></tbody></table></body></html>"
    assert long_tables(lxml_body(html), 15) == []
    assert html_to_pdf_sections(html, rows_per_section=15).page_count == 1


def lxml_body(html: str):
    import lxml.html

    return lxml.html.document_fromstring(html).find("body")


def test_a_job_over_the_memory_ceiling_is_refused_before_it_is_rendered(
    world, users, settings, tmp_path
):
    use_report_media(settings, tmp_path)
    hanoi, sonla = Province.objects.get(code=1), Province.objects.get(code=14)
    compliance_dataset(provinces=[hanoi, sonla], per_province=10, actor=users["ministry"], seed=7)
    check_deferred_constraints()
    # A ceiling that holds 15 đề án: the national report lists 20.
    settings.REPORT_MEMORY_CEILING_MB = limits.BASE_MB + 15 * limits.PER_ROW_KB // 1024 + 1
    assert limits.max_rows() == 15
    job = services.report_request(actor=users["ministry"], kind="compliance", params=PERIOD)
    assert services.report_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and job.attempts == 1 and not job.file
    assert job.error == (
        "Báo cáo này sẽ liệt kê 20 đề án, vượt quá số một báo cáo có thể chứa (tối đa 15). "
        "Hãy thu hẹp kỳ báo cáo hoặc yêu cầu báo cáo theo từng tỉnh."
    )
    # One province's report fits: it is produced.
    settings.REPORT_MEMORY_CEILING_MB = limits.memory_estimate_mb(10)
    job = services.report_request(
        actor=users["ministry"], kind="compliance", params={**PERIOD, "province": hanoi.pk}
    )
    assert services.report_run(job.pk) == "done"
