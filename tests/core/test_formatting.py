import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formatting import (
    amount_in_words,
    date_in_words,
    document_number,
    format_date,
    format_decimal,
    format_vnd,
    place_date_line,
)


@pytest.mark.parametrize(
    "amount,expected",
    [
        (1250000, "1.250.000 ₫"),
        (0, "0 ₫"),
        (999, "999 ₫"),
        (1000, "1.000 ₫"),
        (-25000, "-25.000 ₫"),
        (12_345_678_901, "12.345.678.901 ₫"),
        (None, ""),
    ],
)
def test_vnd(amount, expected):
    assert format_vnd(amount) == expected


def test_amount_in_words():
    assert amount_in_words(1_250_000) == "Một triệu hai trăm năm mươi nghìn đồng"
    assert amount_in_words(1_000_000_000).startswith("Một tỷ")


def test_dates_are_day_month_year():
    assert format_date(datetime.date(2026, 3, 5)) == "05/03/2026"


@pytest.mark.parametrize(
    "day,expected",
    [
        # Nghị định 30/2020/NĐ-CP, Phụ lục I: a day below 10 and the months 1 and 2 take a
        # leading zero, no other month does.
        (datetime.date(2026, 1, 9), "ngày 09 tháng 01 năm 2026"),
        (datetime.date(2026, 2, 10), "ngày 10 tháng 02 năm 2026"),
        (datetime.date(2026, 3, 1), "ngày 01 tháng 3 năm 2026"),
        (datetime.date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
        (datetime.date(2025, 2, 26), "ngày 26 tháng 02 năm 2025"),
        (datetime.date(2026, 3, 5), "ngày 05 tháng 3 năm 2026"),
        (datetime.date(2026, 9, 9), "ngày 09 tháng 9 năm 2026"),
        (datetime.date(2026, 10, 10), "ngày 10 tháng 10 năm 2026"),
        (datetime.date(2026, 11, 1), "ngày 01 tháng 11 năm 2026"),
    ],
)
def test_date_in_words_follows_decree_30(day, expected):
    assert date_in_words(day) == expected


def test_place_date_line():
    assert place_date_line("Hà Nội", datetime.date(2026, 3, 5)) == (
        "Hà Nội, ngày 05 tháng 3 năm 2026"
    )
    assert place_date_line("Đắk Lắk", datetime.date(2026, 1, 20)) == (
        "Đắk Lắk, ngày 20 tháng 01 năm 2026"
    )


def test_template_filter_writes_dates_in_words():
    template = Template("Hôm nay, {{ d|date_words }}.{{ none|date_words }}")
    rendered = template.render(Context({"d": datetime.date(2026, 2, 3), "none": None}))
    assert rendered == "Hôm nay, ngày 03 tháng 02 năm 2026."


@pytest.mark.parametrize(
    "sequence,symbol,expected",
    [
        # Nghị định 30/2020/NĐ-CP, Phụ lục I: a number below 10 takes a leading zero.
        (1, "BB-SCT", "01/BB-SCT"),
        (9, "BC-SCT", "09/BC-SCT"),
        (10, "BC-SCT", "10/BC-SCT"),
        (99, "BC-TTKC", "99/BC-TTKC"),
        (100, "BC-ĐMST", "100/BC-ĐMST"),
        (1234, "BC-SCT", "1234/BC-SCT"),
    ],
)
def test_document_number(sequence, symbol, expected):
    assert document_number(sequence, symbol) == expected


def test_document_numbers_start_at_one():
    with pytest.raises(ValueError):
        document_number(0, "BC-SCT")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_templates_show_dates_and_money_the_vietnamese_way(language):
    template = Template("{{ d|date:'SHORT_DATE_FORMAT' }} {{ d }} {{ amount|vnd }}")
    with translation.override(language):
        rendered = template.render(Context({"d": datetime.date(2026, 3, 5), "amount": 1250000}))
    assert rendered == "05/03/2026 05/03/2026 1.250.000 ₫"


def test_time_zone_is_vietnam(settings):
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.LANGUAGE_CODE == "vi"


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("30.00"), "30"),
        (Decimal("12.50"), "12,5"),
        (Decimal("0.25"), "0,25"),
        (Decimal("1234.5"), "1.234,5"),
        (Decimal("-7.10"), "-7,1"),
        (Decimal("100"), "100"),
    ],
)
def test_a_share_in_a_sentence_has_a_decimal_comma_and_no_trailing_zeros(value, expected):
    assert format_decimal(value) == expected


@pytest.mark.django_db
def test_a_cap_rule_reads_30_percent_not_30_00_percent():
    """ "30.00 %" was printed in a Vietnamese sentence (the cap stored as a Decimal)."""
    from programs.models import SupportCap
    from programs.rules import describe_rule

    rule = (
        SupportCap.objects.filter(max_percent__isnull=False)
        .select_related("legal_document")
        .first()
    )
    assert rule is not None
    rule.max_percent = Decimal("30.00")
    with translation.override("vi"):
        text = describe_rule(rule)
    assert text.startswith("30 % chi phí"), text
    assert "30.00" not in text and "30,00" not in text
