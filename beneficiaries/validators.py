"""Identifiers of an establishment: mã số thuế (tax code) and số CCCD (citizen ID).

Mã số thuế (Thông tư 105/2020/TT-BTC): 10 digits for an enterprise, cooperative or other
taxpayer, the tenth a check digit over the first nine; a dependent unit (branch) gets
13 digits, the parent's 10 followed by a 3-digit sequence 001–999. The portal stores the
10-digit form as is and the 13-digit form as ``0101234567-001``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
# The shapes the database accepts (see the CheckConstraints on Beneficiary).
TAX_CODE_PATTERN = r"^\d{10}(-\d{3})?$"
CITIZEN_ID_PATTERN = r"^\d{12}$"

_SEPARATORS = re.compile(r"[\s.\-_/]")


def tax_code_check_digit(first_nine: str) -> int | None:
    """The check digit for the first nine digits, or None when no digit can be right
    (the formula gives 10: such a nine-digit prefix is never issued)."""
    total = sum(int(d) * w for d, w in zip(first_nine, TAX_CODE_WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def tax_code_normalise(value) -> str:
    """Canonical form of a tax code as typed: separators removed, a 13-digit branch code
    written ``0101234567-001``. Anything that is not 10 or 13 digits is returned with only
    the separators removed, for the validator to explain."""
    if value is None:
        return ""
    digits = _SEPARATORS.sub("", str(value).strip())
    if digits.isdigit() and len(digits) == 13:
        return f"{digits[:10]}-{digits[10:]}"
    return digits


def tax_code_error(value) -> str | None:
    """Why ``value`` is not a valid tax code (a translated sentence), or None if it is."""
    code = tax_code_normalise(value)
    if not code:
        return str(_("The tax code is empty."))
    plain = code.replace("-", "")
    if not plain.isdigit():
        return str(_("A tax code contains digits only."))
    if len(plain) not in (10, 13):
        return str(
            _("A tax code has 10 digits (13 for a branch); this one has %(count)d.")
            % {"count": len(plain)}
        )
    expected = tax_code_check_digit(plain[:9])
    if expected is None:
        return str(_("No valid tax code starts with these nine digits."))
    if int(plain[9]) != expected:
        return str(
            _("The tax code check digit is wrong (expected %(digit)d).") % {"digit": expected}
        )
    if len(plain) == 13 and plain[10:] == "000":
        return str(_("A branch number runs from 001 to 999; 000 is not issued."))
    return None


def tax_code_is_valid(value) -> bool:
    return tax_code_error(value) is None


def validate_tax_code(value) -> None:
    """Django validator: raises with the reason (check digit, length ...)."""
    error = tax_code_error(value)
    if error:
        raise ValidationError(error, code="invalid_tax_code")


def citizen_id_normalise(value) -> str:
    if value is None:
        return ""
    return _SEPARATORS.sub("", str(value).strip())


def citizen_id_error(value) -> str | None:
    """Số định danh cá nhân / CCCD: 12 digits (Luật Căn cước 2023)."""
    number = citizen_id_normalise(value)
    if not re.fullmatch(CITIZEN_ID_PATTERN, number):
        return str(_("A citizen ID (CCCD) has exactly 12 digits."))
    return None


def validate_citizen_id(value) -> None:
    error = citizen_id_error(value)
    if error:
        raise ValidationError(error, code="invalid_citizen_id")
