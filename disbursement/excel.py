"""Excel files of the money of đề án: the tranche ledger of a đề án and the execution of a
plan, with Vietnamese headings whatever the page's language."""

from __future__ import annotations

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from beneficiaries.excel import XLSX_CONTENT_TYPE, _header, _save
from core.formatting import format_date

__all__ = ["XLSX_CONTENT_TYPE", "execution_workbook", "ledger_workbook"]

MONEY_FORMAT = "#,##0"
SOURCE_NAMES = {"kcqg": "KCQG", "kcdp": "KCĐP", "counterpart": "Vốn đối ứng", "other": "Nguồn khác"}
LEDGER_HEADERS = [
    ("STT", 6),
    ("Loại", 22),
    ("Nguồn kinh phí", 14),
    ("Số tiền (đồng)", 18),
    ("Trạng thái", 16),
    ("Ngày dự kiến", 13),
    ("Ngày chi", 13),
    ("Số chứng từ", 16),
    ("Số tham chiếu Kho bạc Nhà nước", 20),
    ("Người ghi nhận", 22),
    ("Người duyệt", 22),
    ("Ghi chú", 36),
]
EXECUTION_HEADERS = [
    ("STT", 6),
    ("Nội dung hoạt động", 48),
    ("Nguồn kinh phí", 14),
    ("Kế hoạch phân bổ (đồng)", 20),
    ("Đề án được duyệt (đồng)", 20),
    ("Đã ký hợp đồng (đồng)", 20),
    ("Đã giải ngân (đồng)", 20),
    ("Tỷ lệ giải ngân (%)", 14),
]


def _money(sheet, columns) -> None:
    for index in columns:
        letter = get_column_letter(index)
        for row in range(2, sheet.max_row + 1):
            sheet[f"{letter}{row}"].number_format = MONEY_FORMAT


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def ledger_workbook(proposal, tranches, summary) -> bytes:
    """One row per tranche (reversals as negative rows), then the total paid."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sổ giải ngân"
    _header(sheet, [h for h, _ in LEDGER_HEADERS], [w for _, w in LEDGER_HEADERS])
    with translation.override("vi"):
        for number, t in enumerate(tranches, start=1):
            sheet.append(
                [
                    number,
                    str(t.get_kind_display()),
                    SOURCE_NAMES[t.source],
                    t.amount,
                    str(t.get_status_display()),
                    format_date(t.due_on),
                    format_date(t.paid_on),
                    t.voucher_number,
                    t.treasury_reference,
                    _person(t.recorded_by),
                    _person(t.approved_by),
                    t.note,
                ]
            )
    sheet.append(["", "Tổng đã giải ngân", "", summary["total"]["paid"]])
    sheet.cell(row=sheet.max_row, column=2).font = Font(bold=True)
    _money(sheet, [4])
    sheet.insert_rows(1)
    sheet["A1"] = f"{proposal.code} · {proposal.title}"
    sheet["A1"].font = Font(bold=True)
    sheet.freeze_panes = "A3"
    return _save(workbook)


def _rate(value) -> float | None:
    # A percentage for the spreadsheet (display only, never money).
    return float(value) if value is not None else None


def execution_workbook(title: str, table: dict) -> bytes:
    """One row per activity and funding source, then the total row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tình hình giải ngân"
    _header(sheet, [h for h, _ in EXECUTION_HEADERS], [w for _, w in EXECUTION_HEADERS])
    for number, r in enumerate(table["rows"], start=1):
        sheet.append(
            [
                number,
                f"{r['activity'].code}. {r['activity'].name}",
                SOURCE_NAMES[r["source"]],
                r["allocated"],
                r["approved"],
                r["contracted"],
                r["paid"],
                _rate(r["rate"]),
            ]
        )
    t = table["total"]
    sheet.append(
        [
            "",
            "Tổng cộng",
            "",
            t["allocated"],
            t["approved"],
            t["contracted"],
            t["paid"],
            _rate(t["rate"]),
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    _money(sheet, range(4, 8))
    sheet.insert_rows(1)
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True)
    sheet.freeze_panes = "A3"
    return _save(workbook)
