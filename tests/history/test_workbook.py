"""The history workbook: one definition (history.workbook.SHEETS) writes the template and
reads the filled file back, cell by cell, with errors located by sheet, row and column."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from core.excel import workbook_bytes
from core.funding import SOURCES
from history.workbook import (
    EXAMPLE_PREFIX,
    INSTRUCTIONS_TITLE,
    SHEET_BY_KEY,
    SHEETS,
    SOURCE_HEADERS,
    WorkbookError,
    read_workbook,
    template_workbook,
)

CATALOGUE = {"Nội dung hoạt động": [("03.1", "Xây dựng mô hình trình diễn kỹ thuật")]}


def _book(rows_by_sheet: dict[str, list[list]], headers: dict[str, list] | None = None) -> bytes:
    """A workbook with the template's headers (or ``headers``) and the given rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for key, rows in rows_by_sheet.items():
        spec = SHEET_BY_KEY[key]
        sheet = workbook.create_sheet(spec.title)
        sheet.append((headers or {}).get(key) or [c.title for c in spec.columns])
        for row in rows:
            sheet.append(row)
    return workbook_bytes(workbook)


def test_the_template_has_a_sheet_per_kind_of_record_with_its_headers():
    data = template_workbook(catalogue=CATALOGUE)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [INSTRUCTIONS_TITLE, *[s.title for s in SHEETS], "Danh mục"]
    for spec in SHEETS:
        header = [cell.value for cell in workbook[spec.title][1]]
        assert header == [c.title for c in spec.columns]
    # The instructions name every column of every sheet.
    described = {row[1] for row in workbook[INSTRUCTIONS_TITLE].iter_rows(values_only=True)}
    assert {c.header for s in SHEETS for c in s.columns} <= described
    # Read back, the empty template holds no record and no error.
    read = read_workbook(data)
    assert all(rows == [] for rows in read.rows.values()) and read.cell_errors == []


def test_the_file_names_every_funding_source_of_the_portal_in_its_order():
    assert tuple(source for source, _name in SOURCE_HEADERS) == SOURCES


def test_cells_are_read_as_typed_values():
    proposal = [
        "KC-HN-2022-07",
        2022,
        "địa phương",  # case and accents of the choice do not matter
        "Đề án nhóm",
        "Hỗ trợ máy sấy nông sản",
        "03.2",
        "Trung tâm Khuyến công Hà Nội",
        "Xã Kim Chung",
        "Huyện Đông Anh",
        datetime.datetime(2022, 3, 1),
        "30/11/2022",
        "",
    ]
    payment = ["KC-HN-2022-07", "HĐ 12/2022", "Tạm ứng", "KCĐP", "1.250.000", "15-04-2022", 7]
    data = _book({"proposals": [proposal], "payments": [payment]})
    read = read_workbook(data)
    assert read.cell_errors == []
    (row,) = read.rows["proposals"]
    assert row.number == 2
    assert row.values["level"] == "local" and row.values["kind"] == "group"
    assert row.values["year"] == 2022
    assert row.values["start_date"] == datetime.date(2022, 3, 1)
    assert row.values["end_date"] == datetime.date(2022, 11, 30)
    assert row.values["objectives"] is None
    (pay,) = read.rows["payments"]
    assert pay.values["amount"] == 1_250_000
    assert pay.values["paid_on"] == datetime.date(2022, 4, 15)
    assert pay.values["kind"] == "advance" and pay.values["source"] == "kcdp"
    assert pay.values["voucher"] == "7"
    assert read.rows["contracts"] == []  # a sheet left out: no records of that kind


def test_each_unreadable_cell_is_named_by_sheet_row_and_column():
    bad = [
        "KC-1",
        "hai nghìn",
        "Trung ương",
        "Đề án điểm",
        "",
        "01",
        "TT",
        "Xã A",
        "",
        "31/02/2022",
        "01/12/2022",
    ]
    example = [f"{EXAMPLE_PREFIX} KC-0", 2022]
    payment = ["KC-1", "HĐ 1", "Tạm ứng", "KCQG", "-5", "01/03/2022", "PC 1"]
    read = read_workbook(_book({"proposals": [example, bad], "payments": [payment]}))
    located = {(e.sheet, e.row, e.column) for e in read.cell_errors}
    assert located == {
        ("Đề án", 3, "Năm kế hoạch"),
        ("Đề án", 3, "Cấp"),
        ("Đề án", 3, "Tên đề án"),
        ("Đề án", 3, "Ngày bắt đầu"),
        ("Thanh toán", 2, "Số tiền (đồng)"),
    }
    messages = {e.column: e.message for e in read.cell_errors}
    assert "Quốc gia" in messages["Cấp"] and "Địa phương" in messages["Cấp"]
    assert messages["Tên đề án"] == "Cột này bắt buộc."
    assert "dd/mm/yyyy" in messages["Ngày bắt đầu"]
    assert messages["Số tiền (đồng)"] == "Số tiền không âm."
    # The example row is not a record.
    assert [r.values["proposal_code"] for r in read.rows["proposals"]] == ["KC-1"]


def test_a_sheet_without_its_required_columns_is_refused_as_a_whole():
    read = read_workbook(
        _book({"proposals": [], "contracts": [["KC-1"]]}, headers={"contracts": ["Mã đề án"]})
    )
    (error,) = read.errors
    assert error.sheet == "Hợp đồng" and error.row == 1
    assert "Số hợp đồng" in error.message and "Ngày ký" in error.message


def test_a_file_that_is_not_the_template_is_refused():
    with pytest.raises(WorkbookError, match="xlsx"):
        read_workbook(b"not a workbook")
    with pytest.raises(WorkbookError, match="Đề án"):
        read_workbook(_book({"contracts": []}))


def test_the_filled_example_reads_back_without_errors():
    examples = {
        "proposals": [
            {
                "proposal_code": "KC-SL-2023-01",
                "year": 2023,
                "level": "Địa phương",
                "kind": "Đề án thường",
                "title": "Hỗ trợ dây chuyền chế biến chè",
                "activity": "03.2",
                "agency": "Trung tâm Khuyến công Sơn La",
                "commune": "Xã Chiềng Bôm",
                "district": "Huyện Thuận Châu",
                "start_date": datetime.date(2023, 3, 1),
                "end_date": datetime.date(2023, 11, 30),
            }
        ],
        "settlements": [
            {
                "proposal_code": "KC-SL-2023-01",
                "number": "QĐ 88/QĐ-SCT",
                "settled_on": datetime.date(2024, 1, 20),
                "kcdp": 300_000_000,
                "returned_kcdp": 2_500_000,
            }
        ],
    }
    read = read_workbook(template_workbook(catalogue=CATALOGUE, examples=examples))
    assert read.cell_errors == []
    (settlement,) = read.rows["settlements"]
    assert settlement.values["kcdp"] == 300_000_000
    assert settlement.values["returned_kcdp"] == 2_500_000
    assert settlement.values["kcqg"] is None
