"""Excel files of the registry: the export of a list, the import template, and the rows an
import refused. Headers are the fixed Vietnamese ones of the template (see imports.py)."""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from beneficiaries.imports import (
    COLUMNS,
    ERROR_HEADER,
    EXAMPLE_PREFIX,
    LEGAL_FORM_CODES,
    LEGAL_FORM_NAMES,
    MAX_ROWS,
)
from beneficiaries.models import LegalForm
from beneficiaries.validators import tax_code_check_digit
from core.excel import HEADER_FILL, header_row, text_columns, workbook_bytes
from core.formatting import format_number

_ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")


def _legal_form_name(value) -> str:
    return LEGAL_FORM_NAMES[LegalForm(value)]


def _yes(value: bool) -> str:
    return "x" if value else ""


EXPORT_HEADERS = [
    ("STT", 6),
    ("Tên cơ sở", 42),
    ("Loại hình", 24),
    ("Mã số thuế", 16),
    ("Số CCCD chủ hộ", 16),
    ("Mã xã/phường", 10),
    ("Tên xã/phường", 24),
    ("Tỉnh/thành phố", 20),
    ("Địa chỉ", 32),
    ("Ngành nghề", 26),
    ("Sản phẩm chính", 30),
    ("Số lao động", 10),
    ("Chủ cơ sở là nữ", 10),
    ("Chủ cơ sở là người dân tộc thiểu số", 14),
    ("Làng nghề", 28),
    ("Người đại diện", 24),
    ("Điện thoại", 14),
    ("Email", 26),
]


def export_workbook(beneficiaries, *, full_citizen_id: bool) -> bytes:
    """The given establishments, one row each, in the given order. The owner's CCCD is
    written whole only for users who keep the registry (``full_citizen_id``)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cơ sở CNNT"
    header_row(sheet, [h for h, _ in EXPORT_HEADERS], [w for _, w in EXPORT_HEADERS])
    for number, b in enumerate(beneficiaries, start=1):
        sheet.append(
            [
                number,
                b.name,
                _legal_form_name(b.legal_form),
                b.tax_code or "",
                (b.citizen_id if full_citizen_id else b.masked_citizen_id) or "",
                f"{b.commune.code:05d}",
                b.commune.name,
                b.province.name,
                b.address,
                b.sector.name,
                b.product_line,
                b.workers,
                _yes(b.woman_owned),
                _yes(b.ethnic_minority_owned),
                getattr(b, "village_name", None) or "",
                b.representative,
                b.phone,
                b.email,
            ]
        )
    sheet.auto_filter.ref = sheet.dimensions
    return workbook_bytes(workbook)


def example_tax_code(prefix: str = "550012345") -> str:
    """A tax code that passes the check digit, for the template's example row."""
    number = int(prefix)
    while True:
        digits = f"{number:09d}"
        check = tax_code_check_digit(digits)
        if check is not None:
            return f"{digits}{check}"
        number += 1


def template_workbook(*, commune, sectors) -> bytes:
    """The import template: headers, one example row (in ``commune``), a second sheet
    with the codes of the legal forms and sectors."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cơ sở CNNT"
    header_row(sheet, [c.header for c in COLUMNS], [c.width for c in COLUMNS])
    example = {
        "name": f"{EXAMPLE_PREFIX} Hợp tác xã Dệt thổ cẩm Bản Mòng",
        "legal_form": LEGAL_FORM_CODES[LegalForm.COOPERATIVE],
        "tax_code": example_tax_code(),
        "citizen_id": "",
        "commune_code": f"{commune.code:05d}" if commune else "",
        "commune_name": commune.name if commune else "",
        "address": "Bản Mòng",
        "sector": sectors[0].code if sectors else "",
        "product_line": "Khăn, túi, váy thổ cẩm",
        "workers": 25,
        "woman_owned": "x",
        "ethnic_minority_owned": "x",
        "representative": "Lò Thị Hoa",
        "phone": "0912345678",
        "email": "",
    }
    sheet.append([example[c.key] for c in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        sheet.cell(row=2, column=index).font = Font(italic=True, color="555555")
    text_columns(sheet, [i for i, c in enumerate(COLUMNS, start=1) if c.text])
    legal_column = get_column_letter([c.key for c in COLUMNS].index("legal_form") + 1)
    codes = DataValidation(
        type="list",
        formula1='"{}"'.format(",".join(LEGAL_FORM_CODES.values())),
        allow_blank=True,
    )
    codes.add(f"{legal_column}2:{legal_column}{MAX_ROWS + 1}")
    sheet.add_data_validation(codes)

    catalogue = workbook.create_sheet("Danh mục")
    header_row(catalogue, ["Mã loại hình", "Loại hình"], [14, 34])
    for form in LegalForm:
        catalogue.append([LEGAL_FORM_CODES[form], _legal_form_name(form.value)])
    catalogue.append([])
    start = catalogue.max_row + 1
    catalogue.append(["Mã ngành nghề", "Ngành nghề"])
    for index in (1, 2):
        catalogue.cell(row=start, column=index).font = Font(bold=True)
        catalogue.cell(row=start, column=index).fill = HEADER_FILL
    for sector in sectors:
        catalogue.append([sector.code, sector.name])
    catalogue.column_dimensions["A"].width = 26
    catalogue.column_dimensions["B"].width = 40
    catalogue.append([])
    catalogue.append(
        [
            "Ghi chú",
            "Cột có (*) là bắt buộc. Dòng có tên bắt đầu bằng “Ví dụ:” không được nhập. "
            "Ghi mã số thuế, hoặc số CCCD của chủ hộ với hộ kinh doanh, nghệ nhân chưa có "
            "mã số thuế. Xã/phường: ghi mã hoặc tên. "
            "Cột có/không: ghi x nếu có, để trống nếu không. "
            f"Tối đa {format_number(MAX_ROWS)} dòng mỗi tệp.",
        ]
    )
    return workbook_bytes(workbook)


def errors_workbook(rows: Iterable[dict]) -> bytes:
    """The refused rows as written in the upload, with a "Lỗi" column: fix and upload again.
    ``rows`` are ``{"row": n, "values": [...per COLUMNS], "errors": [...]}``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Dòng lỗi"
    header_row(
        sheet,
        [c.header for c in COLUMNS] + [ERROR_HEADER, "Dòng trong tệp gốc"],
        [c.width for c in COLUMNS] + [60, 10],
    )
    error_column = len(COLUMNS) + 1
    for row in rows:
        sheet.append([*row["values"], "\n".join(row["errors"]), row["row"]])
        cell = sheet.cell(row=sheet.max_row, column=error_column)
        cell.fill = _ERROR_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    text_columns(sheet, [i for i, c in enumerate(COLUMNS, start=1) if c.text])
    return workbook_bytes(workbook)
