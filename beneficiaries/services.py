"""Writes to the registry of cơ sở CNNT. Each service validates, then writes in one
transaction; the database constraints on ``Beneficiary`` back every rule up."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.policies import require, scope_province_id
from beneficiaries import imports
from beneficiaries.models import Beneficiary, ImportBatch, ImportRow, Sector
from beneficiaries.rules import DuplicateBeneficiary, beneficiary_clean
from beneficiaries.selectors import beneficiary_find_duplicate, import_row_chunks
from core.text import fold
from reference.models import Commune


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


def beneficiary_build(*, actor, cleaned: dict) -> Beneficiary:
    """An establishment from values ``beneficiary_clean`` accepted, not yet saved: for a
    caller that inserts many at once (the import of past records) and has checked the
    registry for duplicates itself."""
    beneficiary = Beneficiary(created_by=actor)
    _apply(beneficiary, cleaned, actor)
    return beneficiary


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

# Rows written per INSERT at upload.
IMPORT_CHUNK = 1000


def import_batch_create(*, actor, upload, province=None) -> ImportBatch:
    """Store an uploaded template (through the default storage) and the result of checking
    each of its rows (``ImportRow``), for preview. This is the only time the file is read
    and checked: the preview, the errors download and :func:`import_batch_confirm` use the
    stored rows. Nothing is added to the registry until the confirmation. ``province`` is
    required of national users and ignored for provincial ones (always their own)."""
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
    # The messages are kept, so they are written in Vietnamese, the language of the file
    # format (its headers, the errors workbook), whatever the uploader's interface.
    with translation.override(settings.LANGUAGE_CODE):
        results = imports.validate_rows(parsed=parsed, actor=actor, province=batch.province)
    del parsed
    batch.valid_count = sum(1 for r in results if r.ok)
    with transaction.atomic():
        batch.file.save("upload.xlsx", ContentFile(data), save=False)
        batch.save()
        ImportRow.objects.bulk_create(
            [ImportRow(batch=batch, **r.stored()) for r in results], batch_size=IMPORT_CHUNK
        )
    return batch


def _import_changes(batch: ImportBatch, rows) -> dict[int, imports.RowError]:
    """What may have changed since the upload, for ``rows`` (the batch's valid rows, a
    queryset): an establishment registered meanwhile with the same tax code or CCCD (the
    identifiers are unique nationwide), a sector removed from the catalogue, a commune no
    longer in the batch's province. A few queries whatever the number of rows. Returns the
    reason by row id, in Vietnamese like the errors found at upload."""
    with translation.override(settings.LANGUAGE_CODE):
        return _import_changes_found(batch, rows)


def _import_changes_found(batch, rows) -> dict[int, imports.RowError]:
    found: dict[int, imports.RowError] = {}
    registered = {}
    for record in (
        Beneficiary.objects.filter(
            Q(tax_code__in=rows.filter(tax_code__isnull=False).values("tax_code"))
            | Q(citizen_id__in=rows.filter(citizen_id__isnull=False).values("citizen_id"))
        )
        .select_related("province")
        .only("name", "tax_code", "citizen_id", "province__name")
    ):
        if record.tax_code:
            registered[("tax_code", record.tax_code)] = record
        if record.citizen_id:
            registered[("citizen_id", record.citizen_id)] = record
    if registered:
        tax_codes = [v for k, v in registered if k == "tax_code"]
        citizen_ids = [v for k, v in registered if k == "citizen_id"]
        for pk, tax_code, citizen_id in rows.filter(
            Q(tax_code__in=tax_codes) | Q(citizen_id__in=citizen_ids)
        ).values_list("pk", "tax_code", "citizen_id"):
            kind, value = ("tax_code", tax_code) if tax_code else ("citizen_id", citizen_id)
            found[pk] = imports.registered_error(kind, registered[kind, value], since_upload=True)

    used = set(rows.order_by().values_list("cleaned__sector_id", "cleaned__commune_id").distinct())
    sector_ids, commune_ids = {s for s, _c in used}, {c for _s, c in used}
    sectors = set(Sector.objects.filter(pk__in=sector_ids).order_by().values_list("pk", flat=True))
    communes = set(
        Commune.objects.filter(pk__in=commune_ids, province_id=batch.province_id)
        .order_by()
        .values_list("pk", flat=True)
    )
    if len(sectors) < len(sector_ids) or len(communes) < len(commune_ids):
        for pk, sector_id, commune_id in rows.values_list(
            "pk", "cleaned__sector_id", "cleaned__commune_id"
        ):
            if sector_id not in sectors:
                found.setdefault(
                    pk,
                    imports.RowError(
                        _("The sector of this row has been removed from the catalogue.")
                    ),
                )
            elif commune_id not in communes:
                found.setdefault(
                    pk,
                    imports.RowError(
                        _("The commune or ward of this row is no longer in %(province)s.")
                        % {"province": batch.province.name}
                    ),
                )
    return found


def _import_row_beneficiary(row: ImportRow, actor) -> Beneficiary:
    beneficiary = Beneficiary(**row.cleaned, created_by=actor, updated_by=actor)
    beneficiary.name_folded = fold(beneficiary.name)
    return beneficiary


def _import_write(batch, chunk: list[ImportRow], actor, refused: dict) -> int:
    """Insert the rows of ``chunk`` not in ``refused``. The checks ran just before, but
    someone may register one of these identifiers between them and the insert: the unique
    constraints refuse it, the chunk is rolled back to its savepoint, the newly registered
    establishments are added to ``refused`` and the rest of the chunk is written again."""
    while True:
        pending = [row for row in chunk if row.pk not in refused]
        try:
            with transaction.atomic():
                Beneficiary.objects.bulk_create(
                    [_import_row_beneficiary(row, actor) for row in pending]
                )
            return len(pending)
        except IntegrityError as exc:
            late = _import_changes(batch, batch.rows.filter(pk__in=[r.pk for r in pending]))
            if not late:  # a rule the checks do not foresee: nothing is written
                raise ValidationError(
                    _(
                        "Some rows of this file can no longer be added. Upload the file again "
                        "to see which."
                    ),
                    code="race",
                ) from exc
            refused.update(late)


@transaction.atomic
def import_batch_confirm(*, batch: ImportBatch, actor) -> ImportBatch:
    """Write every row found valid at upload, from the stored result (the file is not read
    again), in one transaction; the refused rows stay on the batch for the errors download.
    What may have changed since the upload is checked again, set-wise (``_import_changes``);
    a row it refuses gets the reason and is not written, and the database constraints
    remain the last guard (``_import_write``).

    Only the batch row is locked, and the rows written: no ``select_related`` under the
    lock, so the province and the other reference rows are not locked (the foreign keys of
    the new rows take PostgreSQL's key-share lock on the rows they name, which conflicts
    with no other writer's lock — only with an explicit ``FOR UPDATE``, a delete or a change
    of key). The batch lock makes a batch confirmed once: a second confirmation waits, then
    finds it confirmed."""
    require(actor, "beneficiary.manage", batch)
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.is_confirmed:
        raise ValidationError(_("This file has already been imported."), code="confirmed")
    if not locked.rows.exists():
        # Uploaded before the rows were stored (a migration leaves no rows to confirm).
        raise ValidationError(
            _("This file was uploaded before the portal kept the checked rows: upload it again."),
            code="stale",
        )
    refused = _import_changes(locked, locked.rows.filter(ok=True))
    created = 0
    for chunk in import_row_chunks(locked, ok=True, fields=("cleaned",)):
        created += _import_write(locked, chunk, actor, refused)
    if refused:
        rows = list(locked.rows.filter(pk__in=refused))
        for row in rows:
            row.ok = False
            row.errors = [*row.errors, refused[row.pk].stored()]
        ImportRow.objects.bulk_update(rows, ["ok", "errors"], batch_size=IMPORT_CHUNK)
    locked.status = ImportBatch.Status.CONFIRMED
    locked.valid_count = created
    locked.created_count = created
    locked.confirmed_by = actor
    locked.confirmed_at = timezone.now()
    locked.save()
    return locked
