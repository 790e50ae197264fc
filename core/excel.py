"""What every Excel file of the portal shares: the content type, the heading row, the number
formats of money and counts, identifier columns kept as text, and the bytes of a workbook.

The registry, đề án, money and dashboard exports all build on these, so a heading or a
money cell looks the same in every file. A rate cell's value and format belong to the
measure it shows (``core.measures.excel_ratio`` and ``EXCEL_PERCENT_FORMAT``, declared
with the rate's rounding), not here.

Every export goes out through ``workbook_bytes``, which writes every text cell as text
(``cell_text_safe``): a name or a voucher number that begins with "=" never becomes a live
formula in the file a user opens."""

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
# What makes a spreadsheet read typed text as a formula (OWASP, "CSV injection"): "=", "+",
# "-" and "@" start one; a tab or carriage return before them hides it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    """Text a spreadsheet could take for a formula. Numbers are never formula-like: a
    negative amount stays a number."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def cell_text_safe(cell) -> None:
    """Make a text cell plain text, whatever it begins with.

    openpyxl stores a string beginning with "=" as a formula; this writes it back as a
    string cell (data type "s") with Excel's quote prefix, the file form of OWASP's leading
    apostrophe: Excel and LibreOffice show the text as written (no visible apostrophe) and
    keep it text when someone edits the cell. Numbers, dates and empty cells are left as
    they are."""
    if cell.data_type == "f" or formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


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
    """The workbook as the bytes of an .xlsx file, every text cell written as text (no
    export of the portal writes a formula)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cell_text_safe(cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
