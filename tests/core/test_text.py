import pytest

from core.text import fold


@pytest.mark.parametrize(
    "text,folded",
    [
        ("Phường Ô Chợ Dừa", "phuong o cho dua"),
        ("Đắk Lắk", "dak lak"),
        ("  Xã   Tà Xùa ", "xa ta xua"),
        ("", ""),
        ("ĐỒNG THÁP", "dong thap"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded
