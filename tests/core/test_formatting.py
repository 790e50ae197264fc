import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formatting import amount_in_words, format_date, format_vnd, place_date_line


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
    assert place_date_line("Hà Nội", datetime.date(2026, 3, 5)) == (
        "Hà Nội, ngày 05 tháng 03 năm 2026"
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_templates_show_dates_and_money_the_vietnamese_way(language):
    template = Template("{{ d|date:'SHORT_DATE_FORMAT' }} {{ d }} {{ amount|vnd }}")
    with translation.override(language):
        rendered = template.render(Context({"d": datetime.date(2026, 3, 5), "amount": 1250000}))
    assert rendered == "05/03/2026 05/03/2026 1.250.000 ₫"


def test_time_zone_is_vietnam(settings):
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.LANGUAGE_CODE == "vi"
