"""The periodic report as an official document: the PDF and its Word copy carry the same
header, number and figures; a signed version prints its own number, date and signer and
the figures frozen at signing; a draft says it is a draft; the national report names the
provincial versions it added up and the provinces missing."""

from __future__ import annotations

import pytest

from core.formatting import format_number
from periodic import services
from reports.documents.docx import build_docx
from tests.periodic import scenario
from tests.periodic.test_flow import send
from tests.reports.documents_support import render, save_artifacts
from tests.reports.test_docx import Word, assert_same_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _document(user, version, title="Báo cáo"):
    rendered = render(
        user, "periodic", {"version": version.pk}, title=title, number=version.document_number
    )
    return rendered, Word(build_docx(rendered.job))


def test_a_signed_province_report_in_pdf_and_word(world, users, media):
    scenario.build()
    sct = users["sct-sonla"]
    report = services.report_start(
        actor=sct, kind="six_month", province=sct.agency.province, year=2026
    )
    version = report.versions.get()
    services.version_update(
        version=version,
        actor=sct,
        sections={"assessment": "<p>Hoàn thành <b>kế hoạch</b> 6 tháng.</p>"},
    )
    sent = send(report, sct, number="35/BC-SCT")
    pdf, word = _document(sct, sent)
    save_artifacts("periodic-six-month", pdf, pages=(1, 2))
    assert_same_document(word, pdf, landscape=True)
    expected = scenario.SONLA_SIX_MONTH_2026
    for figure in ("paid_period", "approved_kcdp", "counterpart", "prev_paid_period"):
        text = format_number(expected[figure])
        assert text in pdf.flat, figure
        assert text in word.flat, figure
    assert "Số: 35/BC-SCT" in word.header_text and "35/BC-SCT" in pdf.flat
    assert "ngày 10 tháng 7 năm 2026" in pdf.flat  # the date signed, not the day printed
    assert "Nguyễn Văn Giám Đốc" in pdf.flat and "Nguyễn Văn Giám Đốc" in word.flat
    assert "6 THÁNG ĐẦU NĂM 2026" in pdf.flat.upper()
    assert "Hoàn thành kế hoạch 6 tháng." in pdf.flat and "Hoàn thành kế hoạch" in word.flat
    assert "TỒN TẠI, HẠN CHẾ" in pdf.flat and "DỰ THẢO" not in pdf.flat
    # A payment recorded after signing does not change the signed copy.
    scenario._pay(scenario_b(), 10 * scenario.M, scenario.D(2026, 6, 2), "kcdp")
    again, _word = _document(sct, sent)
    assert format_number(expected["paid_period"]) in again.flat
    assert format_number(expected["paid_period"] + 10 * scenario.M) not in again.flat


def scenario_b():
    from projects.models import Proposal

    return Proposal.objects.get(title="Đề án B")


def test_a_draft_national_report_names_who_sent_and_who_did_not(world, users, media):
    scenario.build()
    sct = users["sct-sonla"]
    sonla = services.report_start(actor=sct, kind="annual", province=sct.agency.province, year=2026)
    sent = send(sonla, sct, number="90/BC-SCT")
    national = services.report_start(
        actor=users["ministry"], kind="annual", province=None, year=2026
    )
    pdf, word = _document(users["ministry"], national.versions.get())
    save_artifacts("periodic-national-annual", pdf, pages=(1, 2, 3))
    assert_same_document(word, pdf, landscape=True)
    assert "DỰ THẢO" in pdf.flat and "DỰ THẢO" in word.flat
    assert "90/BC-SCT" in pdf.flat and "90/BC-SCT" in word.flat
    assert sent.report.province.name in pdf.flat
    assert "Địa phương chưa gửi báo cáo (33)" in pdf.flat
    assert "Đắk Lắk" in pdf.flat
    assert format_number(scenario.SONLA_ANNUAL_2026["paid_period"]) in pdf.flat
    # The draft text lists the provinces that have not sent, for the Cục to rewrite.
    assert "Các địa phương chưa gửi báo cáo" in national.versions.get().sections["shortcomings"]


def test_a_period_summary_document(world, users, media):
    scenario.build()
    sct = users["sct-sonla"]
    program = services.default_program(sct.agency.province, 2026)
    report = services.report_start(
        actor=sct, kind="period_summary", province=sct.agency.province, year=0, program=program
    )
    pdf, word = _document(sct, report.versions.get())
    assert_same_document(word, pdf, landscape=True)
    assert f"GIAI ĐOẠN {program.start_year}–{program.end_year}" in pdf.flat.upper()
    assert "Kết quả theo năm của giai đoạn" in pdf.flat
    assert "Chỉ tiêu đầu ra đạt được theo năm" in pdf.flat
    assert format_number(460 * scenario.M) in pdf.flat
