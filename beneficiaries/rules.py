"""The rules a record of the registry must satisfy before it is written.

Shared by the services (one record from the form) and the Excel import (thousands of
rows, where duplicates are looked up in bulk), so both refuse the same things with the
same Vietnamese messages. The database constraints on ``Beneficiary`` are the last line;
these checks exist to say what is wrong next to the field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.policies import in_scope
from beneficiaries.models import PERSONAL_FORMS, LegalForm
from beneficiaries.validators import (
    citizen_id_error,
    citizen_id_normalise,
    tax_code_error,
    tax_code_normalise,
)

FIELDS = (
    "legal_form",
    "name",
    "tax_code",
    "citizen_id",
    "commune",
    "address",
    "sector",
    "product_line",
    "workers",
    "woman_owned",
    "ethnic_minority_owned",
    "representative",
    "phone",
    "email",
)
TEXT_FIELDS = (
    "name",
    "address",
    "product_line",
    "representative",
    "phone",
    "email",
)


class DuplicateBeneficiary(ValidationError):
    """The tax code or citizen ID is already in the registry; ``existing`` is that record
    (possibly of another province: callers link to it only if the user may see it)."""

    def __init__(self, *, field: str, existing):
        self.existing = existing
        if field == "tax_code":
            message = _(
                "An establishment with this tax code already exists: %(name)s (%(province)s)."
            )
        else:
            message = _(
                "An establishment with this citizen ID already exists: %(name)s (%(province)s)."
            )
        message %= {"name": existing.name, "province": existing.province.name}
        super().__init__({field: [ValidationError(message, code="duplicate")]})


def beneficiary_clean(*, actor, data: dict) -> dict:
    """Normalise ``data`` (model field names; commune and sector as instances) and check
    the registry's rules. Returns the cleaned values; raises ``ValidationError`` with a
    message per field. Duplicates are checked by the caller (one query per record, or one
    for a whole file)."""
    errors: dict[str, list[str]] = {}

    def fail(field, message):
        errors.setdefault(field, []).append(message)

    cleaned = {field: data.get(field) for field in FIELDS}
    for field in TEXT_FIELDS:
        cleaned[field] = (cleaned[field] or "").strip()
    for field in ("woman_owned", "ethnic_minority_owned"):
        cleaned[field] = bool(cleaned[field])

    if not cleaned["name"]:
        fail("name", _("Give the establishment's name."))
    if cleaned["legal_form"] not in LegalForm.values:
        fail("legal_form", _("Choose the legal form."))

    tax_code = tax_code_normalise(cleaned["tax_code"]) or None
    citizen_id = citizen_id_normalise(cleaned["citizen_id"]) or None
    cleaned["tax_code"], cleaned["citizen_id"] = tax_code, citizen_id
    if tax_code and (error := tax_code_error(tax_code)):
        fail("tax_code", error)
    if citizen_id and (error := citizen_id_error(citizen_id)):
        fail("citizen_id", error)
    personal = cleaned["legal_form"] in PERSONAL_FORMS
    if not tax_code and not citizen_id:
        if personal:
            fail("tax_code", _("Give the tax code or, if there is none, the owner's citizen ID."))
        else:
            fail("tax_code", _("Give the tax code."))
    if citizen_id and not personal:
        fail(
            "citizen_id",
            _("Only a household business or an artisan is identified by a citizen ID."),
        )
    elif citizen_id and tax_code:
        fail(
            "citizen_id",
            _("An establishment with a tax code is identified by it: leave the citizen ID empty."),
        )

    commune = cleaned["commune"]
    if commune is None:
        fail("commune", _("Choose the commune or ward."))
    elif not in_scope(actor, commune):
        fail("commune", _("This commune or ward is outside your province."))
    if cleaned["sector"] is None:
        fail("sector", _("Choose the sector."))

    workers = cleaned["workers"]
    if workers in (None, ""):
        cleaned["workers"] = 0
    elif not isinstance(workers, int) or isinstance(workers, bool) or workers < 0:
        fail("workers", _("The number of workers is a whole number, 0 or more."))
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            fail("email", _("Enter a valid e-mail address."))

    if errors:
        raise ValidationError(errors)
    return cleaned
