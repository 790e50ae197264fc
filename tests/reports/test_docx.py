"""The editable Word copy (.docx) of every kind of official report, opened again with
python-docx: the Nghị định 30 header (motto, issuer, number, place-date line), the same
figures and table rows as the PDF of the same job (read back with pypdf), the
verification line, the page (A4, landscape where the PDF is), and the download URL
(scoped like the PDF's, only for a finished report, a bounded number of queries)."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.conf import settings
from django.test import override_settings
from docx import Document
from docx.shared import Mm

from accounts.models import User
from bench.datasets import compliance_dataset
from core.formatting import amount_in_words, format_number
from demo import seeding
from projects.models import Proposal
from reference.models import Province
from reports.documents import render_html, render_parts
from reports.documents.docx import MOTTO_IDEAL, MOTTO_NATION, build_docx
from tests.reports.documents_support import ARTIFACTS, Rendered, render, rolled_back
from tests.reports.test_documents import inspection_with_everything

pytestmark = pytest.mark.django_db

PERIOD = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?%?$")


class Word:
    """A .docx read back: header cells, body paragraphs, data tables and the footer."""

    def __init__(self, content: bytes):
        self.document = Document(io.BytesIO(content))
        tables = self.document.tables
        self.header = [[cell.text for cell in row.cells] for row in tables[0].rows]
        self.tables = [
            [[cell.text for cell in row.cells] for row in table.rows]
            for table in tables[1:]
            if table.style is not None and table.style.name == "Table Grid"
        ]
        self.paragraphs = [p.text for p in self.document.paragraphs]
        closing = [t for t in tables[1:] if t.style is None or t.style.name != "Table Grid"]
        self.closing = " ".join(c.text for t in closing for row in t.rows for c in row.cells)
        self.footer = self.document.sections[0].footer.paragraphs[0].text
        every = [*self.paragraphs, self.closing]
        every += [" ".join(c for row in t for c in row) for t in self.tables]
        self.flat = " ".join(" ".join(every).split())

    @property
    def header_text(self) -> str:
        return " ".join(" ".join(c for row in self.header for c in row).split())

    def numbers(self) -> set[str]:
        """Every figure printed in a table cell."""
        return {
            cell.strip()
            for table in self.tables
            for row in table
            for cell in row
            if NUMBER.match(cell.strip()) and len(cell.strip()) >= 4
        }


def assert_same_document(word: Word, pdf: Rendered, *, landscape: bool) -> None:
    """The Word copy shows the header, number, figures and rows the PDF shows."""
    job = pdf.job
    header = word.header_text
    assert MOTTO_NATION in header and MOTTO_IDEAL in header
    assert MOTTO_NATION in pdf.flat
    number = re.search(r"Số: (\S+)", pdf.flat)
    if number:
        assert f"Số: {number.group(1)}" in header
    else:
        assert "Số:" not in header
    place_date = re.search(r"[^,.]+, ngày \d{2} tháng \d{1,2} năm \d{4}", pdf.flat).group(0)
    assert place_date.split()[-7:] == word.header[1][1].split()[-7:]
    issuer = word.header[0][0].split("\n")
    assert all(" ".join(line.split()) in pdf.flat.upper() for line in issuer if line.strip("―"))
    # Every figure of the Word tables is in the PDF, and the PDF's total lines are in Word.
    figures = word.numbers()
    assert figures, "the tables carry figures"
    missing = [figure for figure in figures if figure not in pdf.flat]
    assert not missing, missing
    for total in re.findall(r"Bằng chữ: [^)]+\)", pdf.flat):
        assert total in word.flat
    # The verification line, and the note that the PDF is the verified copy.
    assert f"Mã xác thực: {job.verification_code}" in word.footer
    assert "bản PDF có mã xác thực là bản được xác thực" in word.footer
    # The page: A4, landscape where the PDF is.
    section = word.document.sections[0]
    size = sorted([round(section.page_width / Mm(1)), round(section.page_height / Mm(1))])
    assert size == [210, 297]
    assert (section.page_width > section.page_height) == landscape
    width, height = pdf.page_size_mm()
    assert (width > height) == landscape
    # Times New Roman 13 pt, the header rows of the tables repeated on every page.
    normal = word.document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13
    tag = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
    repeated = [
        table
        for table in word.document.tables[1:]
        if table.rows[0]._tr.trPr is not None and table.rows[0]._tr.trPr.find(tag) is not None
    ]
    assert len(repeated) == render_html(job).count("<thead>") > 0


@pytest.fixture(scope="module")
def docs(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    with (
        rolled_back(django_db_blocker),
        override_settings(STORAGES=storages, PORTAL_BASE_URL="https://khuyencong.example.vn"),
    ):
        seeding.seed_all(seed=2026, beneficiaries=False)
        users = {u.username: u for u in User.objects.select_related("agency__province")}
        hanoi, sonla = Province.objects.get(code=1), Province.objects.get(code=14)
        data = compliance_dataset(
            provinces=[hanoi, sonla], per_province=14, actor=users["admin"], seed=11
        )
        first = (
            Proposal.objects.filter(province=hanoi, contracts__active=True, code__startswith="KCĐP")
            .order_by("code")
            .first()
        )
        inspection = inspection_with_everything(first, users["inspector-hanoi"])
        pdfs = {
            "compliance": render(
                users["sct-hanoi"],
                "compliance",
                {"province": None, **PERIOD},
                title="Báo cáo tình hình sử dụng kinh phí khuyến công năm 2026",
                number="15/BC-SCT",
            ),
            "compliance_national": render(
                users["ministry"], "compliance", {"province": None, **PERIOD}, number="3/BC-CĐMST"
            ),
            "disbursement": render(
                users["ttkc-hanoi"], "disbursement", {"plan": data.plans[0].pk}, number="21/BC-TTKC"
            ),
            "program_results": render(
                users["sct-sonla"], "program_results", {"program": data.programs[1].pk}
            ),
            "inspection_record": render(
                users["inspector-hanoi"], "inspection_record", {"inspection": inspection.pk}
            ),
        }
        words, timings = {}, {}
        for name, pdf in pdfs.items():
            started = time.perf_counter()
            render_parts(pdf.job)  # the data and HTML alone, to tell the two apart
            middle = time.perf_counter()
            content = build_docx(pdf.job)
            timings[name] = (middle - started, time.perf_counter() - middle)
            words[name] = Word(content)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / f"{name}.docx").write_bytes(content)  # to open in Word
        print(
            "seconds (data+HTML, whole docx):",
            {k: [round(t, 3) for t in v] for k, v in timings.items()},
        )
        yield {"pdfs": pdfs, "words": words, "users": users, "proposal": first}


LANDSCAPE = {
    "compliance": True,
    "compliance_national": True,
    "disbursement": True,
    "program_results": True,
    "inspection_record": False,
}


@pytest.mark.parametrize("name", sorted(LANDSCAPE))
def test_the_word_copy_is_the_same_document_as_the_pdf(docs, name):
    assert_same_document(docs["words"][name], docs["pdfs"][name], landscape=LANDSCAPE[name])


def test_the_compliance_word_copy_rows_and_totals(docs):
    word, pdf = docs["words"]["compliance"], docs["pdfs"]["compliance"]
    hanoi = Proposal.objects.filter(province__code=1, code__startswith="KCĐP")
    approved = sum(p.approved_kcqg + p.approved_kcdp for p in hanoi)
    assert f"TỔNG CỘNG ({hanoi.count()} đề án)" in word.flat
    assert f"TỔNG CỘNG ({hanoi.count()} đề án)" in pdf.flat
    line = f"Tổng kinh phí khuyến công được duyệt: {format_number(approved)} đồng"
    assert line in word.flat and line in pdf.flat
    assert f"(Bằng chữ: {amount_in_words(approved)})" in word.flat
    # One row per đề án in the main table, as in the PDF.
    codes = [p.code for p in hanoi]
    main = max(word.tables, key=len)
    listed = [code for code in codes if any(code in " ".join(row) for row in main)]
    assert sorted(listed) == sorted(codes)
    assert f"{min(codes)} — " in word.flat
    assert all(code in pdf.flat.replace(" ", "") or code in pdf.flat for code in codes)
    assert "Bổ sung hóa đơn giá trị gia tăng của đợt thanh toán thứ hai" in word.flat
    assert "Nơi nhận:" in word.closing
    # Room to sign and stamp above the signer's name.
    closing = [
        t for t in word.document.tables[1:] if t.style is None or t.style.name != "Table Grid"
    ]
    sign = closing[-1].rows[0].cells[-1]
    assert sign.paragraphs[0].text == "GIÁM ĐỐC"
    assert any(p.paragraph_format.space_before for p in sign.paragraphs[1:])
    assert "Số: 15/BC-SCT" in word.header_text


def test_the_inspection_record_word_copy_keeps_its_two_signatures(docs):
    word, pdf = docs["words"]["inspection_record"], docs["pdfs"]["inspection_record"]
    # The words of a paragraph with inline bold keep their spaces, as in the PDF.
    conclusion = re.search(r"Kết luận chung: [^.]+\.", pdf.flat).group(0)
    assert conclusion in word.flat
    assert "BIÊN BẢN" in word.flat
    assert "Đại diện đơn vị được kiểm tra".upper() in word.closing
    assert "Trưởng đoàn kiểm tra".upper() in word.closing
    assert "Máy sấy năng lượng mặt trời, góc chụp 1" in word.flat
    # The photos are in the Word copy too.
    assert len(word.document.inline_shapes) == 2
