"""Vietnamese conventions for money and dates, shared by templates, exports and PDFs."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

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


def format_decimal(value, places: int | None = None) -> str:
    """A number with the Vietnamese decimal comma and "." thousands separators. Without
    ``places`` trailing zeros are dropped (a share in a sentence: Decimal("30.00") -> "30",
    Decimal("12.50") -> "12,5", Decimal("1234.5") -> "1.234,5"); with ``places`` the value
    is rounded half-up to that many decimals and keeps them (core.measures.format_percent:
    Decimal("91.365"), 2 -> "91,37")."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if places is None:
        number = number.normalize()
    else:
        number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _dot, decimals = f"{abs(number):f}".partition(".")
    whole = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{whole},{decimals}" if decimals else f"{sign}{whole}"


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


# Nghị định 30/2020/NĐ-CP, Phụ lục I, Phần I, mục II, the item "Địa danh và thời gian ban
# hành văn bản" (its khoản/điểm number is not confirmed in a primary text): "Thời gian ban
# hành văn bản phải được viết đầy đủ; các số thể hiện ngày, tháng, năm dùng chữ số Ả Rập;
# đối với những số thể hiện ngày nhỏ hơn 10 và tháng 1, 2 phải ghi thêm số 0 phía trước."
# Months 3 to 12 are written without a leading zero.
MONTHS_WITH_LEADING_ZERO = (1, 2)


def date_in_words(value: datetime.date) -> str:
    """A date as an official document writes it: "ngày 05 tháng 3 năm 2026",
    "ngày 26 tháng 02 năm 2025", "ngày 10 tháng 12 năm 2026".

    Nghị định 30/2020/NĐ-CP, Phụ lục I (Thể thức, kỹ thuật trình bày văn bản hành chính),
    Phần I, mục II ("Địa danh và thời gian ban hành văn bản"): a day below 10 and the
    months 1 and 2 take a leading zero; the other months do not (the zero keeps a "1" or
    "2" from being added in front).
    Confirmed in the texts quoted by luatvietnam.vn ("Nguyên tắc viết ngày tháng trong văn
    bản", citing Phụ lục I of the decree), lawfirm.vn ("Mục II Phần I Phụ lục I") and Báo
    Quốc Tế via vietnam.vn (07/08/2023, citing Phụ lục I). Used for
    the issuing date and for every date a document writes in words."""
    month = f"{value.month:02d}" if value.month in MONTHS_WITH_LEADING_ZERO else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def place_date_line(place: str, value: datetime.date) -> str:
    """The line under a document's header: "Hà Nội, ngày 05 tháng 3 năm 2026"
    (Nghị định 30/2020/NĐ-CP, Phụ lục I, Phần I, mục II: place, a comma, the date
    in words; see :func:`date_in_words`)."""
    return f"{place}, {date_in_words(value)}"


def document_number(sequence: int, symbol: str) -> str:
    """A document's number and symbol: "01/BB-SCT", "12/BC-SCT", "120/BC-SCT".

    Nghị định 30/2020/NĐ-CP, Phụ lục I, Phần I, mục II, khoản 3 ("Số, ký hiệu của văn bản"),
    điểm c: the number is written in Arabic numerals and "với những số nhỏ hơn 10 phải ghi
    thêm số 0 phía trước"; Điều 15 khoản 1: numbers run "liên tiếp từ số 01 vào ngày 01 tháng
    01 và kết thúc vào ngày 31 tháng 12 hàng năm", one sequence per issuing body and year.
    Confirmed in luatvietnam.vn ("Cách ghi số và ký hiệu văn bản đúng chuẩn Nghị định 30",
    citing điểm c khoản 3 mục II Phần I Phụ lục I) and luathuythanh.vn (Điều 15 quoted)."""
    if sequence < 1:
        raise ValueError("A document number starts at 01.")
    return f"{sequence:02d}/{symbol}"
