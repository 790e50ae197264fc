"""Writes to the registry of cơ sở CNNT. Each service validates, then writes in one
transaction; the database constraints on ``Beneficiary`` back every rule up."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policies import require, scope_province_id
from beneficiaries import imports
from beneficiaries.models import Beneficiary, ImportBatch
from beneficiaries.rules import DuplicateBeneficiary, beneficiary_clean
from beneficiaries.selectors import beneficiary_find_duplicate
from core.text import fold


def _check_duplicates(cleaned: dict, *, exclude_pk=None) -> None:
    existing = beneficiary_find_duplicate(
        tax_code=cleaned["tax_code"], citizen_id=cleaned["citizen_id"], exclude_pk=exclude_pk
    )
    if existing is not None:
        field = (
            "tax_code"
            if cleaned["tax_code"] and existing.tax_code == cleaned["tax_code"]
            else "citizen_id"
        )
        raise DuplicateBeneficiary(field=field, existing=existing)


def _apply(beneficiary: Beneficiary, cleaned: dict, actor) -> None:
    for field, value in cleaned.items():
        setattr(beneficiary, field, value)
    # The province follows the commune (scoping and filters rely on it; the trigger of
    # beneficiaries/sql/province_follows_commune.sql refuses a mismatch), and the folded
    # name serves search and order.
    beneficiary.province_id = cleaned["commune"].province_id
    beneficiary.name_folded = fold(cleaned["name"])
    beneficiary.updated_by = actor


def _save(beneficiary: Beneficiary, cleaned: dict, *, exclude_pk=None) -> None:
    try:
        with transaction.atomic():
            beneficiary.save()
    except IntegrityError:
        # Someone saved the same tax code or CCCD between our check and our write.
        _check_duplicates(cleaned, exclude_pk=exclude_pk)
        raise


@transaction.atomic
def beneficiary_create(*, actor, data: dict) -> Beneficiary:
    """Register an establishment. A provincial user registers only in their province; the
    tax code (or the owner's CCCD) must be valid and not yet registered anywhere."""
    require(actor, "beneficiary.manage")
    cleaned = beneficiary_clean(actor=actor, data=data)
    _check_duplicates(cleaned)
    beneficiary = Beneficiary(created_by=actor)
    _apply(beneficiary, cleaned, actor)
    _save(beneficiary, cleaned)
    return beneficiary


@transaction.atomic
def beneficiary_update(*, beneficiary: Beneficiary, actor, data: dict) -> Beneficiary:
    """Change an establishment's record. ``data["version"]``, when given, is the version the
    user's form was built from: if someone saved in between, nothing is overwritten."""
    require(actor, "beneficiary.manage", beneficiary)
    cleaned = beneficiary_clean(actor=actor, data=data)
    locked = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    expected = data.get("version")
    if expected is not None and int(expected) != locked.version:
        raise ValidationError(
            _(
                "Someone else saved this establishment after you opened the form. Reload the "
                "page to see their changes, then make yours again."
            ),
            code="stale",
        )
    _check_duplicates(cleaned, exclude_pk=locked.pk)
    _apply(locked, cleaned, actor)
    locked.version += 1
    _save(locked, cleaned, exclude_pk=locked.pk)
    return locked


# --- Excel import -----------------------------------------------------------------------


def import_batch_create(*, actor, upload, province=None) -> ImportBatch:
    """Store an uploaded template (through the default storage) for preview. Nothing is
    added to the registry until :func:`import_batch_confirm`. ``province`` is required of
    national users and ignored for provincial ones (always their own)."""
    require(actor, "beneficiary.manage")
    own = scope_province_id(actor)
    province_id = own if own is not None else getattr(province, "pk", None)
    if province_id is None:
        raise ValidationError({"province": _("Choose the province the file is for.")})
    data = upload.read()
    parsed = imports.read_workbook(data)  # raises TemplateError for an unusable file
    batch = ImportBatch(
        province_id=province_id,
        original_filename=upload.name[:255],
        created_by=actor,
        row_count=len(parsed.rows),
    )
    results = imports.validate_rows(parsed=parsed, actor=actor, province=batch.province)
    batch.valid_count = sum(1 for r in results if r.ok)
    with transaction.atomic():
        batch.file.save("upload.xlsx", ContentFile(data), save=False)
        batch.save()
    return batch


def import_batch_rows(*, batch: ImportBatch, actor) -> list[imports.RowResult]:
    """Read the stored file again and check every row against the registry as it is now."""
    with batch.file.open("rb") as fh:
        data = fh.read()
    parsed = imports.read_workbook(data)
    return imports.validate_rows(parsed=parsed, actor=actor, province=batch.province)


def failed_row_records(results) -> list[dict]:
    return [
        {"row": r.number, "values": r.raw_list(), "errors": [e.message for e in r.errors]}
        for r in results
        if not r.ok
    ]


@transaction.atomic
def import_batch_confirm(*, batch: ImportBatch, actor) -> ImportBatch:
    """Write every valid row of the batch in one transaction, skipping the refused ones,
    which are kept on the batch for the errors download. A batch is confirmed once: the
    status is checked under a row lock, so a double click creates nothing more."""
    require(actor, "beneficiary.manage", batch)
    locked = ImportBatch.objects.select_for_update().select_related("province").get(pk=batch.pk)
    if locked.is_confirmed:
        raise ValidationError(_("This file has already been imported."), code="confirmed")
    results = import_batch_rows(batch=locked, actor=actor)
    new = []
    for row in results:
        if row.ok:
            beneficiary = Beneficiary(created_by=actor)
            _apply(beneficiary, row.cleaned, actor)
            new.append(beneficiary)
    try:
        with transaction.atomic():
            Beneficiary.objects.bulk_create(new)
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "Some of these establishments were registered by someone else in the meantime. "
                "Open the preview again and confirm."
            ),
            code="race",
        ) from exc
    locked.status = ImportBatch.Status.CONFIRMED
    locked.row_count = len(results)
    locked.valid_count = len(new)
    locked.created_count = len(new)
    locked.failed_rows = failed_row_records(results)
    locked.confirmed_by = actor
    locked.confirmed_at = timezone.now()
    locked.save()
    return locked
