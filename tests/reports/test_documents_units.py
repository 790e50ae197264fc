"""The small pieces of the documents: the letterhead of each kind of agency, the period
in a title, section numbers, the stacked money cells."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import Agency
from reference.models import Province
from reports.documents.common import letterhead, period_phrase, roman
from reports.documents.queries import abbreviate_names, money_cell

D = datetime.date


@pytest.mark.parametrize(
    "date_from,date_to,expected",
    [
        (D(2026, 1, 1), D(2026, 12, 31), "năm 2026"),
        (D(2026, 1, 1), D(2026, 6, 30), "6 tháng đầu năm 2026"),
        (D(2026, 7, 1), D(2026, 12, 31), "6 tháng cuối năm 2026"),
        (D(2026, 3, 1), D(2026, 9, 30), "từ ngày 01 tháng 3 năm 2026 đến ngày 30 tháng 9 năm 2026"),
        (
            D(2025, 1, 1),
            D(2026, 12, 31),
            "từ ngày 01 tháng 01 năm 2025 đến ngày 31 tháng 12 năm 2026",
        ),
    ],
)
def test_the_period_in_a_title(date_from, date_to, expected):
    assert period_phrase(date_from, date_to) == expected


def test_section_numbers_are_roman():
    assert [roman(n) for n in (1, 2, 4, 9, 14, 34)] == ["I", "II", "IV", "IX", "XIV", "XXXIV"]


def test_long_lists_of_beneficiaries_are_abbreviated():
    assert abbreviate_names([]) == ""
    assert abbreviate_names(["HTX A", "Hộ B"]) == "HTX A; Hộ B"
    assert abbreviate_names(["HTX A", "Hộ B", "Cơ sở C", "Cơ sở D"]) == (
        "HTX A; Hộ B và 2 cơ sở khác"
    )


def test_money_cells_stack_the_sources_used_and_their_sum():
    one = money_cell(
        {"approved": {"kcdp": 300_000_000}, "paid": {"kcdp": 150_000_000}},
        rate_of=("paid", "approved"),
    )
    assert one == {
        "labels": [("KCĐP", False)],
        "columns": [[("300.000.000", False)], [("150.000.000", False)]],
        "rates": [("50,00\u00a0%", False)],
    }
    # The counterpart is a line of its own after the khuyến công funds, never in a sum,
    # and has no rate (rates are on khuyến công funds).
    two = money_cell(
        {
            "approved": {"kcdp": 300_000_000, "counterpart": 700_000_000},
            "paid": {"kcdp": 100_000_000},
        },
        rate_of=("paid", "approved"),
    )
    assert two["labels"] == [("KCĐP", False), ("Vốn đối ứng", False)]
    assert two["columns"][0] == [("300.000.000", False), ("700.000.000", False)]
    assert two["columns"][1] == [("100.000.000", False), ("0", False)]
    assert two["rates"] == [("33,33\u00a0%", False), ("", False)]
    # Two khuyến công sources: their sum "Cộng KC" before the counterpart line.
    three = money_cell(
        {
            "approved": {"kcqg": 200_000_000, "kcdp": 100_000_000, "counterpart": 50_000_000},
            "paid": {"kcqg": 91_365_000, "kcdp": 0, "counterpart": 50_000_000},
        },
        rate_of=("paid", "approved"),
    )
    assert three["labels"] == [
        ("KCQG", False),
        ("KCĐP", False),
        ("Cộng KC", True),
        ("Vốn đối ứng", False),
    ]
    assert three["columns"][0] == [
        ("200.000.000", False),
        ("100.000.000", False),
        ("300.000.000", True),
        ("50.000.000", False),
    ]
    # 91.365.000 / 200.000.000 = 45,6825 % -> 45,68; 91.365.000 / 300.000.000 = 30,455 %
    # -> 30,46 (half-up).
    assert three["rates"] == [
        ("45,68\u00a0%", False),
        ("0,00\u00a0%", False),
        ("30,46\u00a0%", True),
        ("", False),
    ]
    empty = money_cell({"approved": {}, "paid": {}}, rate_of=("paid", "approved"))
    assert empty["labels"] == [("—", False)] and empty["rates"] == [("—", False)]


def test_the_letterhead_of_each_kind_of_agency(world):
    hanoi, sonla = Province.objects.get(code=1), Province.objects.get(code=14)
    department = letterhead(Agency.objects.get(kind="department", province=hanoi))
    assert (department.parent, department.issuer, department.place, department.head) == (
        "UBND thành phố Hà Nội",
        "Sở Công Thương",
        "Hà Nội",
        "Giám đốc",
    )
    centre = letterhead(Agency.objects.get(kind="promotion_centre", province=sonla))
    assert (centre.parent, centre.issuer, centre.place) == (
        "Sở Công Thương tỉnh Sơn La",
        "Trung tâm Khuyến công",
        "Sơn La",
    )
    ministry = letterhead(Agency.objects.get(kind="ministry_department"))
    assert ministry.parent == "Bộ Công Thương"
    assert ministry.issuer == "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"
    assert (ministry.place, ministry.head) == ("Hà Nội", "Cục trưởng")
    # A centre renamed by an administrator keeps its own name under its Sở.
    merged = Agency.objects.get(kind="promotion_centre", province=hanoi)
    merged.name = "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch"
    assert letterhead(merged).issuer == "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch"
    other = Agency(
        kind="other_unit", name="Viện Nghiên cứu Cơ khí", province=sonla, short_name="NARIME"
    )
    assert (letterhead(other).parent, letterhead(other).issuer) == ("", "Viện Nghiên cứu Cơ khí")
