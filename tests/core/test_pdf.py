"""WeasyPrint with a Vietnamese font: the text we put in is the text we read back."""

import datetime
import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from core.formatting import place_date_line
from core.pdf import render_pdf

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def _context(rows):
    return {
        "title": "Báo cáo thử nghiệm định dạng văn bản",
        "parent_agency": "UBND tỉnh Đắk Lắk",
        "issuing_agency": "Sở Công Thương",
        "number": "12/BC-SCT",
        "place_date": place_date_line("Đắk Lắk", datetime.date(2026, 3, 5)),
        "paragraphs": ["Hỗ trợ cơ sở công nghiệp nông thôn ứng dụng máy móc thiết bị tiên tiến."],
        "rows": rows,
        "total": sum(amount for _, amount in rows),
        "signer_role": "Giám đốc",
        "signer_name": "Nguyễn Thị Hương",
    }


@pytest.fixture(scope="module")
def pdf_bytes():
    rows = [(f"Đề án số {i}: trình diễn kỹ thuật dệt thổ cẩm Ê Đê", 125_000_000) for i in range(60)]
    return render_pdf("pdf/sample_document.html", _context(rows))


def test_vietnamese_text_reads_back_from_the_pdf(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    first = reader.pages[0].extract_text()
    assert MOTTO in first
    assert "Độc lập - Tự do - Hạnh phúc" in first
    assert "Số: 12/BC-SCT" in first
    assert "Đắk Lắk, ngày 05 tháng 3 năm 2026" in first
    assert "dệt thổ cẩm Ê Đê" in first
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Tổng cộng: 7.500.000.000 ₫" in text
    assert "Bằng chữ: Bảy tỷ năm trăm triệu đồng" in text


def test_the_font_is_embedded_tinos(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("Tinos" in name for name in fonts), fonts


def test_long_tables_span_pages_with_numbers_from_page_two(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) >= 2
    second = reader.pages[1].extract_text()
    assert "2" in second.splitlines()  # the page number, alone in its margin box
    assert second.startswith("STT Nội dung")  # the table header is repeated
    assert "1" not in reader.pages[0].extract_text().splitlines()  # no number on page 1


def test_a_png_of_the_first_page_is_kept_as_an_artifact(pdf_bytes, artifacts_dir):
    pdf_path = artifacts_dir.parent / "pdf" / "sample_document.pdf"
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.write_bytes(pdf_bytes)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf_path),
            str(pdf_path.with_suffix("")),
        ],
        check=True,
    )
    assert list(pdf_path.parent.glob("sample_document*.png"))
