"""Mã số thuế check digit and CCCD shape."""

import pytest
from django.utils import translation

from beneficiaries.validators import (
    TAX_CODE_WEIGHTS,
    citizen_id_error,
    tax_code_check_digit,
    tax_code_error,
    tax_code_is_valid,
    tax_code_normalise,
)

PUBLISHED = ["0100109106", "0100686209", "0300588569", "0101243150"]


def _by_hand(code: str) -> int:
    """The check digit computed independently of the module: 10 - (Σ dᵢ·wᵢ mod 11)."""
    total = 0
    for position, weight in enumerate((31, 29, 23, 19, 17, 13, 7, 5, 3)):
        total += int(code[position]) * weight
    return 10 - total % 11


def test_the_weights_are_the_published_ones():
    assert TAX_CODE_WEIGHTS == (31, 29, 23, 19, 17, 13, 7, 5, 3)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    # Each published code satisfies the formula computed by hand here...
    assert _by_hand(code) == int(code[9])
    # ...and the module agrees.
    assert tax_code_check_digit(code[:9]) == int(code[9])
    assert tax_code_is_valid(code)
    assert tax_code_error(code) is None


def test_viettel_worked_example():
    # 0·31 + 1·29 + 0·23 + 0·19 + 1·17 + 0·13 + 9·7 + 1·5 + 0·3 = 114; 114 mod 11 = 4; 10 - 4 = 6
    assert tax_code_check_digit("010010910") == 6


@pytest.mark.parametrize("prefix", ["010000001", "550012345", "600000042", "123456789"])
def test_constructed_codes(prefix):
    check = tax_code_check_digit(prefix)
    if check is None:
        assert _by_hand(prefix + "0") == 10
        return
    assert check == _by_hand(prefix + "0")
    assert tax_code_is_valid(f"{prefix}{check}")
    for wrong in set(range(10)) - {check}:
        assert not tax_code_is_valid(f"{prefix}{wrong}")


def test_a_prefix_whose_check_would_be_ten_has_no_valid_code():
    prefix = next(f"{n:09d}" for n in range(100000000, 100001000) if _by_hand(f"{n:09d}0") == 10)
    assert tax_code_check_digit(prefix) is None
    assert all(not tax_code_is_valid(f"{prefix}{d}") for d in range(10))
    with translation.override("en"):
        assert tax_code_error(f"{prefix}0") == "No valid tax code starts with these nine digits."


@pytest.mark.parametrize(
    "value",
    [
        "0100109107",  # wrong check digit
        "0100109105",
        "010010910",  # 9 digits
        "01001091066",  # 11 digits
        "01001O9106",  # a letter O for a zero
        "ABCDEFGHIJ",
        "0100109106-000",  # branch 000 is never issued
        "0100109107-001",  # branch of an invalid parent
        "",
    ],
)
def test_invalid_codes(value):
    assert not tax_code_is_valid(value)
    assert tax_code_error(value)


def test_the_error_names_the_expected_digit():
    with translation.override("en"):
        assert tax_code_error("0100109107") == ("The tax code check digit is wrong (expected 6).")
        assert "9" in tax_code_error("010010910")  # "this one has 9"


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("0100109106", "0100109106"),
        (" 0100 109 106 ", "0100109106"),
        ("0100109106001", "0100109106-001"),
        ("0100109106-001", "0100109106-001"),
        ("0100109106 - 001", "0100109106-001"),
        ("0100.109.106", "0100109106"),
    ],
)
def test_normalise(typed, stored):
    assert tax_code_normalise(typed) == stored
    assert tax_code_is_valid(typed)


def test_branch_codes():
    assert tax_code_is_valid("0100109106-001")
    assert tax_code_is_valid("0100109106999")
    assert not tax_code_is_valid("0100109106-000")
    assert not tax_code_is_valid("0100109106-01")


@pytest.mark.parametrize(
    "value,ok",
    [
        ("001090012345", True),
        ("00109001234", False),
        ("0010900123456", False),
        ("00109001234a", False),
    ],
)
def test_citizen_id(value, ok):
    assert (citizen_id_error(value) is None) is ok
