"""Vietnamese conventions for money and dates, shared by templates, exports and PDFs."""

from __future__ import annotations

import datetime

from num2words import num2words


def format_vnd(amount, symbol: str = "₫") -> str:
    """1250000 -> "1.250.000 ₫". Money is whole đồng; None shows as an empty string."""
    if amount is None or amount == "":
        return ""
    value = int(amount)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,}".replace(",", ".")
    return f"{sign}{digits} {symbol}".rstrip()


def format_number(value) -> str:
    if value is None or value == "":
        return ""
    return f"{int(value):,}".replace(",", ".")


def amount_in_words(amount: int) -> str:
    """1250000 -> "Một triệu hai trăm năm mươi nghìn đồng" (for "Bằng chữ: ...")."""
    value = int(amount)
    words = num2words(abs(value), lang="vi")
    if value < 0:
        words = "âm " + words
    return words[:1].upper() + words[1:] + " đồng"


def format_date(value: datetime.date | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def place_date_line(place: str, value: datetime.date) -> str:
    """The line under a document's header: "Hà Nội, ngày 05 tháng 03 năm 2026"."""
    return f"{place}, ngày {value:%d} tháng {value:%m} năm {value:%Y}"
