"""Excel files of the money of đề án: the tranche ledger of a đề án and the execution of a
plan, with Vietnamese headings whatever the page's language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.excel import MONEY_FORMAT, header_row, number_columns, workbook_bytes
from core.formatting import format_date
from core.funding import SOURCE_SHORT, FundingSource
from core.measures import EXCEL_PERCENT_FORMAT, label, measure

__all__ = ["execution_workbook", "ledger_workbook", "rate_heading"]

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


def rate_heading(key: str) -> str:
    """A rate's name with its denominator: "Tỷ lệ giải ngân (÷ kinh phí khuyến công được
    duyệt)" — the page, the Excel export and the PDF name the same base."""
    denominator = str(measure(key).denominator_label)
    return f"{label(key)} (÷ {denominator[:1].lower()}{denominator[1:]})"


def execution_headers() -> list[tuple[str, int]]:
    """The columns of the execution table, named as on the page (core.measures), in the
    active language."""
    return [
        ("STT", 6),
        (str(_("Activity")), 48),
        (str(_("Funding source")), 14),
        (f"{label('allocated')} (đồng)", 20),
        (f"{label('approved')} (đồng)", 20),
        (f"{label('contracted')} (đồng)", 20),
        (f"{label('paid')} (đồng)", 20),
        (rate_heading("rate"), 22),
        (rate_heading("rate_allocated"), 22),
    ]


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def ledger_workbook(proposal, tranches, summary) -> bytes:
    """One row per tranche (reversals as negative rows), then the khuyến công funds paid,
    then the money paid from each other source on a line of its own (never added in)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sổ giải ngân"
    header_row(sheet, [h for h, _w in LEDGER_HEADERS], [w for _h, w in LEDGER_HEADERS])
    with translation.override("vi"):
        for number, t in enumerate(tranches, start=1):
            sheet.append(
                [
                    number,
                    str(t.get_kind_display()),
                    str(SOURCE_SHORT[t.source]),
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
        sheet.append(["", f"{label('paid')} – {_KC_NAME}", "", summary["total"]["paid"]])
        sheet.cell(row=sheet.max_row, column=2).font = Font(bold=True)
        for row in summary["rows"]:
            if not row["kc"] and row["paid"]:
                sheet.append(
                    ["", f"{label('paid')} – {SOURCE_SHORT[row['source']]}", "", row["paid"]]
                )
    number_columns(sheet, [4], MONEY_FORMAT)
    sheet.insert_rows(1)
    sheet["A1"] = f"{proposal.code} · {proposal.title}"
    sheet["A1"].font = Font(bold=True)
    sheet.freeze_panes = "A3"
    return workbook_bytes(workbook)


_KC_NAME = "kinh phí khuyến công (KCQG + KCĐP)"


def execution_workbook(title: str, table: dict, *, note: str = "") -> bytes:
    """One row per activity and khuyến công source, the khuyến công total (the sum of the
    rows), then the counterpart and other sources on lines of their own, outside the
    total. Amounts are whole đồng; rate cells hold the exact ratio with a percent format."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tình hình giải ngân"
    with translation.override("vi"):
        headers = execution_headers()
        header_row(sheet, [h for h, _w in headers], [w for _h, w in headers])
        for number, r in enumerate(table["rows"], start=1):
            sheet.append(
                [
                    number,
                    f"{r['activity'].code}. {r['activity'].name}",
                    str(r["source_label"]),
                    r["allocated"],
                    r["approved"],
                    r["contracted"],
                    r["paid"],
                    r["rate_ratio"],
                    r["rate_allocated_ratio"],
                ]
            )
        t = table["total"]
        sheet.append(
            [
                "",
                f"Tổng cộng {_KC_NAME}",
                "",
                t["allocated"],
                t["approved"],
                t["contracted"],
                t["paid"],
                t["rate_ratio"],
                t["rate_allocated_ratio"],
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for line in table["beside"]:
            sheet.append(
                [
                    "",
                    f"{FundingSource(line['source']).label} (không cộng vào tổng cộng)",
                    str(line["source_label"]),
                    line.get("allocated", 0),
                    line["approved"],
                    line["contracted"],
                    line["paid"],
                ]
            )
    number_columns(sheet, range(4, 8), MONEY_FORMAT)
    number_columns(sheet, (8, 9), EXCEL_PERCENT_FORMAT)
    sheet.insert_rows(1)
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True)
    if note:
        sheet.append([])
        sheet.append(["", note])
    sheet.freeze_panes = "A3"
    return workbook_bytes(workbook)
