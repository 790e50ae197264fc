"""What every Excel file of the portal shares: the content type, the heading row, the number
formats of money and counts, identifier columns kept as text, and the bytes of a workbook.

The registry, đề án, money and dashboard exports all build on these, so a heading or a
money cell looks the same in every file. A rate cell's value and format belong to the
measure it shows (``core.measures.excel_ratio`` and ``EXCEL_PERCENT_FORMAT``, declared
with the rate's rounding), not here."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Whole đồng and counts, with Excel's thousands separator (shown as 1.250.000 in Vietnamese).
MONEY_FORMAT = "#,##0"
COUNT_FORMAT = "#,##0"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def header_row(sheet, headers: list[str], widths: list[int]) -> None:
    """The first row: bold headings on a tinted fill, wrapped, the columns at ``widths``,
    and frozen so it stays visible while scrolling."""
    sheet.append(headers)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def number_columns(sheet, columns: Iterable[int], number_format: str, first_row: int = 2) -> None:
    """Give the cells of ``columns`` (1-based), from ``first_row`` down, ``number_format``."""
    for index in columns:
        letter = get_column_letter(index)
        for row in range(first_row, sheet.max_row + 1):
            sheet[f"{letter}{row}"].number_format = number_format


def text_columns(sheet, columns: Iterable[int]) -> None:
    """Identifier columns hold text, so Excel keeps the leading zeros of what is typed."""
    for index in columns:
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].number_format = "@"
        for row in range(2, sheet.max_row + 1):
            sheet[f"{letter}{row}"].number_format = "@"


def workbook_bytes(workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
