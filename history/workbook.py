"""The workbook a province fills with its past khuyến công records (issue 19).

One sheet per kind of record, Vietnamese headers, tied together by the đề án's code as the
province wrote it (``Mã đề án``), and inside a đề án by the contract's number. This module
is the one definition of the file: the template and the filled example are written from
``SHEETS``, the reader maps headers back to the same columns, and the errors name the
sheet, row and column the user sees in Excel.

The reader only turns cells into typed values (text, whole đồng, dates, a choice among
named values) and says, per cell, what cannot be read. Whether a row is acceptable (tax
codes, places, money and date rules, eligibility) is decided by the validation that
builds on it, with the same rules the services apply.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.excel import MONEY_FORMAT, header_row, text_columns, workbook_bytes
from core.funding import SOURCES as FUNDING_SOURCES
from core.text import fold

# A file of five years of a province: about 150 đề án, 10,000 at most (the bench).
MAX_ROWS_PER_SHEET = 100_000
MAX_UPLOAD_BYTES = 40 * 1024 * 1024
EXAMPLE_PREFIX = "Ví dụ:"
INSTRUCTIONS_TITLE = "Hướng dẫn"

# Choices as the file writes them (folded for reading) -> stored value.
LEVELS = {"Quốc gia": "national", "Địa phương": "local"}
KINDS = {"Đề án điểm": "pilot", "Đề án nhóm": "group", "Đề án thường": "ordinary"}
TRANCHE_KINDS = {"Tạm ứng": "advance", "Thanh toán": "payment", "Quyết toán": "settlement"}
DECISION_KINDS = {"Phê duyệt": "approval", "Điều chỉnh": "amendment"}
ACCEPTANCE_RESULTS = {"Đạt": "passed", "Đạt một phần": "partial", "Không đạt": "failed"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | code | int | money | date | choice | decimal
    required: bool = False
    help: str = ""
    choices: dict | None = None
    width: int = 16

    @property
    def title(self) -> str:
        return f"{self.header} (*)" if self.required else self.header


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str  # the tab's name
    purpose: str
    columns: tuple[Column, ...]
    # The columns that identify a row within the file (its natural key).
    natural_key: tuple[str, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


PROPOSAL_CODE = Column(
    "proposal_code",
    "Mã đề án",
    "code",
    True,
    "Mã đề án như hồ sơ của tỉnh ghi; nối các trang với nhau. Giữ nguyên khi nhập lại.",
    width=18,
)


def _money(key: str, header: str, required: bool = False, help: str = "") -> Column:
    return Column(key, header, "money", required, help or "Đồng, số nguyên.", width=16)


# The funding sources (core.funding.SOURCES, in its order) as the file names them.
_FILE_SOURCE_NAMES = {
    "kcqg": "KCQG",
    "kcdp": "KCĐP",
    "counterpart": "Đối ứng",
    "other": "Nguồn khác",
}
SOURCE_HEADERS = tuple((source, _FILE_SOURCE_NAMES[source]) for source in FUNDING_SOURCES)
SOURCE_CHOICES = {name: source for source, name in SOURCE_HEADERS}


def _amounts() -> tuple[Column, ...]:
    return tuple(_money(key, f"{name} (đồng)") for key, name in SOURCE_HEADERS)


def _returned() -> tuple[Column, ...]:
    return tuple(
        _money(f"returned_{key}", f"{name} nộp lại (đồng)", help="Số đã nộp lại ngân sách.")
        for key, name in SOURCE_HEADERS
    )


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "plans",
        "Kế hoạch năm",
        "Kế hoạch khuyến công địa phương của mỗi năm, nếu cổng chưa có: quyết định phê duyệt "
        "và kinh phí theo nguồn. Kế hoạch khuyến công quốc gia là của Bộ Công Thương.",
        (
            Column("year", "Năm kế hoạch", "int", True, width=10),
            Column("number", "Số quyết định phê duyệt", "text", True, width=20),
            Column("date", "Ngày quyết định", "date", True, "dd/mm/yyyy", width=13),
            Column("decided_by", "Cơ quan quyết định", "text", False, width=30),
            *(
                _money(key, f"{name} (đồng)")
                for key, name in (
                    ("kcdp", "KCĐP"),
                    ("counterpart", "Đối ứng"),
                    ("other", "Nguồn khác"),
                )
            ),
        ),
        ("year",),
    ),
    Sheet(
        "proposals",
        "Đề án",
        "Mỗi đề án một dòng.",
        (
            PROPOSAL_CODE,
            Column("year", "Năm kế hoạch", "int", True, "Năm của kế hoạch khuyến công.", width=10),
            Column("level", "Cấp", "choice", True, "Quốc gia hoặc Địa phương.", LEVELS, 12),
            Column("kind", "Loại đề án", "choice", True, "", KINDS, 14),
            Column("title", "Tên đề án", "text", True, width=50),
            Column(
                "activity",
                "Mã nội dung",
                "code",
                True,
                "Mã nội dung hoạt động khuyến công (trang Danh mục), ví dụ 03.1.",
                width=12,
            ),
            Column(
                "agency",
                "Đơn vị thực hiện",
                "text",
                True,
                "Tên đơn vị như trong danh sách đơn vị của cổng.",
                width=36,
            ),
            Column(
                "commune",
                "Xã, phường",
                "text",
                True,
                "Như hồ sơ ghi: tên trước hay sau ngày 01/7/2025.",
                width=24,
            ),
            Column(
                "district",
                "Huyện (trước 01/7/2025)",
                "text",
                False,
                "Ghi khi hồ sơ ghi tên xã, phường cũ.",
                width=20,
            ),
            Column("start_date", "Ngày bắt đầu", "date", True, "dd/mm/yyyy", width=13),
            Column("end_date", "Ngày kết thúc", "date", True, "dd/mm/yyyy", width=13),
            Column("objectives", "Mục tiêu", "text", False, width=40),
        ),
        ("proposal_code",),
    ),
    Sheet(
        "beneficiaries",
        "Cơ sở thụ hưởng",
        "Mỗi cơ sở CNNT của một đề án một dòng.",
        (
            PROPOSAL_CODE,
            Column(
                "identifier",
                "Mã số thuế hoặc CCCD",
                "code",
                True,
                "Mã số thuế; hộ kinh doanh, nghệ nhân chưa có mã số thuế: số CCCD của chủ.",
                width=16,
            ),
            Column("name", "Tên cơ sở", "text", True, width=36),
            Column(
                "legal_form", "Loại hình", "text", True, "Mã loại hình (trang Danh mục).", width=12
            ),
            Column(
                "sector", "Ngành nghề", "text", False, "Mã ngành nghề (trang Danh mục).", width=14
            ),
            Column("commune", "Xã, phường", "text", True, "Như hồ sơ ghi.", width=24),
            Column("district", "Huyện (trước 01/7/2025)", "text", width=20),
            _money("support_amount", "Kinh phí hỗ trợ cơ sở (đồng)"),
        ),
        ("proposal_code", "identifier"),
    ),
    Sheet(
        "budget",
        "Dự toán",
        "Các dòng dự toán của đề án, chia theo nguồn.",
        (
            PROPOSAL_CODE,
            Column("item", "Hạng mục", "text", True, width=40),
            Column("unit", "Đơn vị tính", "text", width=12),
            Column("quantity", "Số lượng", "decimal", width=10),
            _money("unit_price", "Đơn giá (đồng)"),
            _money("amount", "Thành tiền (đồng)", True),
            *_amounts(),
        ),
        ("proposal_code", "item"),
    ),
    Sheet(
        "outputs",
        "Kết quả",
        "Chỉ tiêu của đề án: mục tiêu và kết quả đạt được.",
        (
            PROPOSAL_CODE,
            Column("indicator", "Mã chỉ tiêu", "code", True, "Trang Danh mục.", width=16),
            Column("target", "Mục tiêu", "int", True, width=10),
            Column("achieved", "Đạt được", "int", False, width=10),
        ),
        ("proposal_code", "indicator"),
    ),
    Sheet(
        "decisions",
        "Quyết định",
        "Quyết định phê duyệt và các quyết định điều chỉnh, với kinh phí được duyệt theo nguồn.",
        (
            PROPOSAL_CODE,
            Column("kind", "Loại quyết định", "choice", True, "", DECISION_KINDS, 14),
            Column("number", "Số quyết định", "text", True, width=18),
            Column("date", "Ngày quyết định", "date", True, "dd/mm/yyyy", width=13),
            *_amounts(),
        ),
        ("proposal_code", "number"),
    ),
    Sheet(
        "contracts",
        "Hợp đồng",
        "Hợp đồng thực hiện đề án (hợp đồng cuối cùng có hiệu lực).",
        (
            PROPOSAL_CODE,
            Column("number", "Số hợp đồng", "text", True, width=18),
            Column("signed_on", "Ngày ký", "date", True, "dd/mm/yyyy", width=13),
            Column("parties", "Các bên", "text", width=36),
            *_amounts(),
        ),
        ("proposal_code", "number"),
    ),
    Sheet(
        "payments",
        "Thanh toán",
        "Mỗi lần tạm ứng, thanh toán đã chi một dòng.",
        (
            PROPOSAL_CODE,
            Column("contract", "Số hợp đồng", "text", True, width=18),
            Column("kind", "Loại", "choice", True, "", TRANCHE_KINDS, 12),
            Column("source", "Nguồn", "choice", True, "", SOURCE_CHOICES, 10),
            _money("amount", "Số tiền (đồng)", True),
            Column("paid_on", "Ngày chi", "date", True, "dd/mm/yyyy", width=13),
            Column("voucher", "Số chứng từ", "text", True, width=16),
            Column("treasury", "Mã Kho bạc", "text", width=14),
        ),
        ("proposal_code", "voucher", "source"),
    ),
    Sheet(
        "acceptances",
        "Nghiệm thu",
        "Biên bản nghiệm thu của đề án, với kinh phí được nghiệm thu theo nguồn.",
        (
            PROPOSAL_CODE,
            Column("accepted_on", "Ngày nghiệm thu", "date", True, "dd/mm/yyyy", width=13),
            Column("result", "Kết quả", "choice", True, "", ACCEPTANCE_RESULTS, 14),
            Column("council", "Thành phần hội đồng", "text", True, width=36),
            Column("conclusion", "Kết luận", "text", width=36),
            *_amounts(),
        ),
        ("proposal_code",),
    ),
    Sheet(
        "liquidations",
        "Thanh lý hợp đồng",
        "Biên bản thanh lý hợp đồng: giá trị thực hiện và số nộp lại theo nguồn. Cần trước "
        "quyết toán.",
        (
            PROPOSAL_CODE,
            Column("contract", "Số hợp đồng", "text", True, width=18),
            Column("number", "Số biên bản thanh lý", "text", True, width=18),
            Column("liquidated_on", "Ngày thanh lý", "date", True, "dd/mm/yyyy", width=13),
            *_amounts(),
            *_returned(),
        ),
        ("proposal_code",),
    ),
    Sheet(
        "settlements",
        "Quyết toán",
        "Quyết định phê duyệt quyết toán, với kinh phí quyết toán và số nộp lại theo nguồn.",
        (
            PROPOSAL_CODE,
            Column("number", "Số quyết định quyết toán", "text", True, width=20),
            Column("settled_on", "Ngày quyết toán", "date", True, "dd/mm/yyyy", width=13),
            *_amounts(),
            *_returned(),
        ),
        ("proposal_code",),
    ),
)
SHEET_BY_KEY = {sheet.key: sheet for sheet in SHEETS}
# The amounts of a decision, contract, acceptance or settlement, by source, in column order.
AMOUNT_KEYS = tuple(key for key, _name in SOURCE_HEADERS)


# --- Reading ------------------------------------------------------------------------------


class WorkbookError(ValueError):
    """The file as a whole cannot be read (not a workbook, a sheet without its headers)."""


@dataclass(frozen=True)
class CellError:
    sheet: str  # the tab's title
    row: int  # the Excel row number
    column: str  # the column's header ("" for the row as a whole)
    message: str


@dataclass
class ReadRow:
    number: int
    values: dict  # column key -> typed value (None when empty or unreadable)
    written: dict  # column key -> the cell's text as written
    errors: list[CellError] = field(default_factory=list)


def header_key(text) -> str:
    return fold(str(text or "").replace("(*)", "").replace("*", ""))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("Ngày ghi theo dạng dd/mm/yyyy, ví dụ 05/03/2023.")


def _whole(value, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what} là một số nguyên.")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"{what} là số nguyên, không có phần lẻ.")
    text = _text(value).replace(" ", "")
    # "1.250.000" or "1,250,000" as written by hand: separators of thousands only.
    digits = text.replace(".", "").replace(",", "")
    if digits.isdigit() or (digits.startswith("-") and digits[1:].isdigit()):
        return int(digits)
    raise ValueError(f"{what} là một số nguyên, ví dụ 1250000.")


def cell_value(column: Column, value):
    """The typed value of a non-empty cell, or ValueError with the reason in Vietnamese."""
    if column.kind == "date":
        return _date(value)
    if column.kind == "money":
        amount = _whole(value, "Số tiền")
        if amount < 0:
            raise ValueError("Số tiền không âm.")
        return amount
    if column.kind == "int":
        number = _whole(value, "Giá trị")
        if number < 0:
            raise ValueError("Giá trị không âm.")
        return number
    if column.kind == "decimal":
        text = _text(value).replace(",", ".")
        try:
            return float(text) if not isinstance(value, (int, float)) else value
        except ValueError:
            raise ValueError("Ghi một số, ví dụ 2 hoặc 1,5.") from None
    if column.kind == "choice":
        wanted = fold(_text(value))
        for label, stored in (column.choices or {}).items():
            if fold(label) == wanted or fold(stored) == wanted:
                return stored
        raise ValueError("Chọn một trong: " + ", ".join(column.choices or {}) + ".")
    if column.kind == "code" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(value)


def read_sheet(sheet_spec: Sheet, worksheet) -> tuple[list[ReadRow], list[CellError]]:
    """The typed rows of one sheet. Rows whose code begins with "Ví dụ:" and empty rows are
    skipped. Returns the rows and the errors of the sheet as a whole (missing headers)."""
    rows_iter = worksheet.iter_rows(values_only=True)
    header = next(rows_iter, None) or ()
    lookup = {header_key(c.header): c for c in sheet_spec.columns}
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        column = lookup.get(header_key(text))
        if column and column.key not in positions:
            positions[column.key] = index
    missing = [c.title for c in sheet_spec.columns if c.required and c.key not in positions]
    if missing:
        return [], [
            CellError(
                sheet_spec.title,
                1,
                "",
                "Thiếu cột bắt buộc: " + "; ".join(missing) + ". Dùng đúng tệp mẫu của cổng.",
            )
        ]
    rows: list[ReadRow] = []
    for number, cells in enumerate(rows_iter, start=2):
        if not any(_text(v) for v in cells):
            continue
        written = {
            key: _text(cells[index]) if index < len(cells) else ""
            for key, index in positions.items()
        }
        if written.get("proposal_code", "").startswith(EXAMPLE_PREFIX):
            continue
        if len(rows) >= MAX_ROWS_PER_SHEET:
            return rows, [
                CellError(
                    sheet_spec.title,
                    number,
                    "",
                    f"Mỗi trang tối đa {MAX_ROWS_PER_SHEET:,} dòng; chia thành nhiều tệp.".replace(
                        ",", "."
                    ),
                )
            ]
        row = ReadRow(number=number, values={}, written=written)
        for column in sheet_spec.columns:
            index = positions.get(column.key)
            raw = cells[index] if index is not None and index < len(cells) else None
            if not _text(raw):
                row.values[column.key] = None
                if column.required:
                    row.errors.append(
                        CellError(sheet_spec.title, number, column.header, "Cột này bắt buộc.")
                    )
                continue
            try:
                row.values[column.key] = cell_value(column, raw)
            except ValueError as exc:
                row.values[column.key] = None
                row.errors.append(CellError(sheet_spec.title, number, column.header, str(exc)))
        rows.append(row)
    return rows, []


@dataclass
class ReadWorkbook:
    rows: dict[str, list[ReadRow]]  # sheet key -> rows
    errors: list[CellError]  # of sheets as a whole

    @property
    def cell_errors(self) -> list[CellError]:
        return self.errors + [e for rows in self.rows.values() for r in rows for e in r.errors]


def read_workbook(data: bytes) -> ReadWorkbook:
    """Every sheet of the template found in the file, by its tab's title (accents and case
    ignored). A sheet left out of the file means no records of that kind; the đề án sheet
    is required. Raises WorkbookError when the file is not a workbook."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkbookError(
            f"Tệp lớn hơn {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; chia thành nhiều tệp."
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds for a bad file
        raise WorkbookError("Không đọc được tệp như một bảng tính Excel (.xlsx).") from exc
    try:
        by_title = {fold(ws.title): ws for ws in workbook.worksheets}
        result = ReadWorkbook(rows={}, errors=[])
        for spec in SHEETS:
            worksheet = by_title.get(fold(spec.title))
            if worksheet is None:
                result.rows[spec.key] = []
                if spec.key == "proposals":
                    raise WorkbookError(
                        f"Tệp không có trang “{spec.title}”. Tải tệp mẫu và chép dữ liệu vào."
                    )
                continue
            rows, errors = read_sheet(spec, worksheet)
            result.rows[spec.key] = rows
            result.errors += errors
        return result
    finally:
        workbook.close()


# --- Writing the template -----------------------------------------------------------------


def template_workbook(*, catalogue: dict[str, list[tuple[str, str]]], examples=None) -> bytes:
    """The template: an instructions sheet, one sheet per kind of record (headers, types,
    choice lists), and the catalogue sheet (``catalogue``: title -> [(code, name)], e.g.
    the activities, indicators, legal forms and sectors). ``examples`` (sheet key -> rows
    of values by column key) fills the sheets: the filled example of the README."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = INSTRUCTIONS_TITLE
    header_row(guide, ["Trang", "Cột", "Bắt buộc", "Cách ghi"], [18, 30, 10, 80])
    for spec in SHEETS:
        guide.append([spec.title, "", "", spec.purpose])
        guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
        for column in spec.columns:
            how = column.help
            if column.choices:
                how = (how + " " if how else "") + "Một trong: " + ", ".join(column.choices) + "."
            guide.append(["", column.header, "x" if column.required else "", how])
    guide.append([])
    guide.append(
        [
            "Lưu ý",
            "",
            "",
            "Mã đề án nối các trang với nhau; trong một đề án, số hợp đồng nối trang Thanh "
            "toán với trang Hợp đồng. Nhập lại cùng tệp không thay đổi gì; tệp đã sửa chỉ "
            "cập nhật những gì đã đổi. Dòng có mã bắt đầu bằng “Ví dụ:” không được nhập.",
        ]
    )
    for row in guide.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")

    for spec in SHEETS:
        sheet = workbook.create_sheet(spec.title)
        header_row(sheet, [c.title for c in spec.columns], [c.width for c in spec.columns])
        for values in (examples or {}).get(spec.key, []):
            sheet.append([values.get(c.key) for c in spec.columns])
        for index, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(index)
            if column.kind == "money":
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = MONEY_FORMAT
            if column.kind == "date":
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "DD/MM/YYYY"
            if column.choices:
                rule = DataValidation(
                    type="list",
                    formula1='"{}"'.format(",".join(column.choices)),
                    allow_blank=not column.required,
                )
                rule.add(f"{letter}2:{letter}{MAX_ROWS_PER_SHEET + 1}")
                sheet.add_data_validation(rule)
        text_columns(sheet, [i for i, c in enumerate(spec.columns, start=1) if c.kind == "code"])

    codes = workbook.create_sheet("Danh mục")
    header_row(codes, ["Mã", "Tên"], [16, 70])
    for title, entries in catalogue.items():
        codes.append([title])
        codes.cell(row=codes.max_row, column=1).font = Font(bold=True)
        for code, name in entries:
            codes.append([code, name])
        codes.append([])
    return workbook_bytes(workbook)


def issues_workbook(issues) -> bytes:
    """The problems of a dry run, one per row, to fix the file by."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Lỗi"
    header_row(sheet, ["Mức", "Trang", "Dòng", "Cột", "Nội dung"], [10, 20, 8, 26, 100])
    for issue in issues:
        level = "Lỗi" if issue.severity == "error" else "Lưu ý"
        sheet.append([level, issue.sheet, issue.row, issue.column, issue.message])
    return workbook_bytes(workbook)
