"""Writes to the register of craft villages. Each service checks who acts and what is
written, then writes in one transaction; the constraints and the trigger of
villages/sql/membership_no_overlap.sql back the rules up."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.policies import in_scope, require
from beneficiaries.models import Beneficiary
from core.text import fold
from villages.models import CraftVillage, VillageMembership

FIELDS = (
    "province",
    "name",
    "kind",
    "sector",
    "decision_number",
    "decision_date",
    "status",
    "revocation_number",
    "revocation_date",
    "note",
)


def village_clean(*, actor, data: dict, instance: CraftVillage | None = None) -> dict:
    """Normalise and check one village's values (the form and the Excel import share it).
    ``data`` holds model field names, ``province`` and ``sector`` as instances and
    ``communes`` as a list of communes. Raises ``ValidationError`` with a message per field."""
    errors: dict[str, list[str]] = {}

    def fail(field, message):
        errors.setdefault(field, []).append(message)

    cleaned = {field: data.get(field) for field in FIELDS}
    for field in ("name", "decision_number", "revocation_number", "note"):
        cleaned[field] = (cleaned[field] or "").strip()
    cleaned["kind"] = cleaned["kind"] or CraftVillage.Kind.CRAFT
    cleaned["status"] = cleaned["status"] or CraftVillage.Status.RECOGNISED
    communes = list(data.get("communes") or [])

    province = cleaned["province"]
    if province is None:
        fail("province", _("Choose the province."))
    elif not in_scope(actor, province):
        fail("province", _("This province is outside your scope."))
    if not cleaned["name"]:
        fail("name", _("Give the craft village's name."))
    if cleaned["kind"] not in CraftVillage.Kind.values:
        fail("kind", _("Choose whether it is a craft village or a traditional craft village."))
    if cleaned["sector"] is None:
        fail("sector", _("Choose the trade."))
    if not communes:
        fail("communes", _("Choose the commune(s) or ward(s) of the village."))
    elif province is not None and any(c.province_id != province.pk for c in communes):
        fail("communes", _("Every commune or ward of the village is in its province."))
    if not cleaned["decision_number"]:
        fail("decision_number", _("Give the number of the UBND tỉnh recognition decision."))
    if cleaned["decision_date"] is None:
        fail("decision_date", _("Give the date of the recognition decision."))
    elif cleaned["decision_date"] > datetime.date.today():
        fail("decision_date", _("The recognition decision cannot be dated in the future."))

    if cleaned["status"] == CraftVillage.Status.REVOKED:
        if not cleaned["revocation_number"]:
            fail("revocation_number", _("Give the number of the revocation decision."))
        if cleaned["revocation_date"] is None:
            fail("revocation_date", _("Give the date of the revocation decision."))
        elif cleaned["decision_date"] and cleaned["revocation_date"] < cleaned["decision_date"]:
            fail(
                "revocation_date",
                _("The revocation cannot be dated before the recognition decision."),
            )
    elif cleaned["status"] == CraftVillage.Status.RECOGNISED:
        cleaned["revocation_number"] = ""
        cleaned["revocation_date"] = None
    else:
        fail("status", _("Choose the status."))

    if province is not None and cleaned["name"]:
        same_name = CraftVillage.objects.filter(
            province=province, name_folded=fold(cleaned["name"])
        )
        if instance is not None:
            same_name = same_name.exclude(pk=instance.pk)
        if same_name.exists():
            fail("name", _("This province already has a craft village of that name."))

    if errors:
        raise ValidationError(errors)
    cleaned["communes"] = communes
    return cleaned


def _apply(village: CraftVillage, cleaned: dict, decision_file) -> None:
    for field in FIELDS:
        setattr(village, field, cleaned[field])
    village.name_folded = fold(cleaned["name"])
    if decision_file:
        village.decision_file = decision_file


@transaction.atomic
def village_create(*, actor, data: dict, decision_file=None) -> CraftVillage:
    """Register a craft village with the UBND tỉnh decision recognising it (Nghị định
    45/2012/NĐ-CP, Article 1(2)(a) as amended by Nghị định 235/2025/NĐ-CP: "làng nghề được
    Ủy ban nhân dân cấp tỉnh công nhận")."""
    require(actor, "village.manage")
    cleaned = village_clean(actor=actor, data=data)
    village = CraftVillage(created_by=actor)
    _apply(village, cleaned, decision_file)
    village.save()
    village.communes.set(cleaned["communes"])
    return village


@transaction.atomic
def village_update(*, village: CraftVillage, actor, data: dict, decision_file=None) -> CraftVillage:
    """Change a village's record: its communes, decision, or its revocation."""
    require(actor, "village.manage", village)
    locked = CraftVillage.objects.select_for_update().get(pk=village.pk)
    cleaned = village_clean(actor=actor, data=data, instance=locked)
    if cleaned["province"].pk != locked.province_id and locked.memberships.exists():
        raise ValidationError({"province": [_("A village with members stays in its province.")]})
    _apply(locked, cleaned, decision_file)
    locked.save()
    locked.communes.set(cleaned["communes"])
    return locked


@transaction.atomic
def membership_add(
    *, village: CraftVillage, beneficiary: Beneficiary, joined_on: datetime.date, actor
) -> VillageMembership:
    """Record that ``beneficiary`` belongs to ``village`` from ``joined_on``. An
    establishment belongs to at most one village at a time, of its own province."""
    require(actor, "village.manage", village)
    if joined_on is None:
        raise ValidationError({"joined_on": [_("Give the date it joined the village.")]})
    # Lock the establishment: two memberships recorded at once are checked in turn.
    locked = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if locked.province_id != village.province_id:
        raise ValidationError(
            {"beneficiary": [_("The establishment is not in the village's province.")]}
        )
    if village.revocation_date is not None and joined_on >= village.revocation_date:
        raise ValidationError(
            {"joined_on": [_("The village's recognition was revoked before that date.")]}
        )
    overlapping = (
        VillageMembership.objects.filter(beneficiary=locked)
        .exclude(left_on__lt=joined_on)
        .select_related("village")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "beneficiary": [
                    _(
                        "%(name)s already belongs to the craft village %(village)s since "
                        "%(date)s; record that it left first."
                    )
                    % {
                        "name": locked.name,
                        "village": overlapping.village.name,
                        "date": overlapping.joined_on.strftime("%d/%m/%Y"),
                    }
                ]
            }
        )
    try:
        with transaction.atomic():
            return VillageMembership.objects.create(
                village=village, beneficiary=locked, joined_on=joined_on, created_by=actor
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"beneficiary": [_("This establishment already belongs to a craft village.")]}
        ) from exc


@transaction.atomic
def membership_end(*, membership: VillageMembership, left_on: datetime.date, actor):
    """Record the last day an establishment belonged to its village."""
    require(actor, "village.manage", membership.village)
    locked = VillageMembership.objects.select_for_update().get(pk=membership.pk)
    if locked.left_on is not None:
        raise ValidationError({"left_on": [_("This membership has already ended.")]})
    if left_on is None:
        raise ValidationError({"left_on": [_("Give the last day it belonged to the village.")]})
    if left_on < locked.joined_on:
        raise ValidationError(
            {"left_on": [_("The date it left cannot be before the date it joined.")]}
        )
    locked.left_on = left_on
    locked.save(update_fields=["left_on"])
    return locked


def import_batch_create(*, actor, upload, province=None):
    """Store an uploaded register of craft villages and the result of checking each row
    (the registry's ImportBatch with ``kind="villages"`` and its ImportRow), for preview.
    The file is read and checked only here; nothing is written to the register until
    :func:`import_batch_confirm`. A provincial administrator imports for their province;
    the ministry's names it."""
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.utils import translation

    from accounts.policies import scope_province_id
    from beneficiaries.models import ImportBatch, ImportRow
    from reference.models import Province
    from villages import imports

    require(actor, "village.manage")
    own = scope_province_id(actor)
    province_id = own if own is not None else getattr(province, "pk", None)
    if province_id is None:
        raise ValidationError({"province": _("Choose the province the file is for.")})
    province = Province.objects.get(pk=province_id)
    data = upload.read()
    rows = imports.read_rows(data)  # raises TemplateError for an unusable file
    # Stored messages are in Vietnamese, the language of the file format.
    with translation.override(settings.LANGUAGE_CODE):
        results = imports.validate_rows(rows=rows, actor=actor, province=province)
    batch = ImportBatch(
        kind=ImportBatch.Kind.VILLAGES,
        province=province,
        original_filename=upload.name[:255],
        created_by=actor,
        row_count=len(results),
        valid_count=sum(1 for r in results if not r.errors),
    )
    with transaction.atomic():
        batch.file.save("upload.xlsx", ContentFile(data), save=False)
        batch.save()
        ImportRow.objects.bulk_create([ImportRow(batch=batch, **r.stored()) for r in results])
    return batch


@transaction.atomic
def import_batch_confirm(*, batch, actor):
    """Register the villages of the batch's valid rows, once. Each row is checked again
    (a village of the same name may have been registered since the upload); a row refused
    now keeps its reason in its errors."""
    from django.conf import settings
    from django.utils import timezone, translation

    from beneficiaries.models import ImportBatch
    from villages import imports

    require(actor, "village.manage", batch)
    locked = ImportBatch.objects.select_for_update().get(
        pk=batch.pk, kind=ImportBatch.Kind.VILLAGES
    )
    if locked.is_confirmed:
        raise ValidationError(_("This import has already been confirmed."))
    created = 0
    with translation.override(settings.LANGUAGE_CODE):
        for row in locked.rows.filter(ok=True).order_by("number"):
            data = imports.data_from_cleaned(row.cleaned)
            try:
                cleaned = village_clean(actor=actor, data=data)
            except ValidationError as exc:
                row.ok = False
                row.errors = [
                    {"message": m, "record": None, "record_province": None}
                    for ms in exc.message_dict.values()
                    for m in ms
                ]
                row.save(update_fields=["ok", "errors"])
                continue
            village = CraftVillage(created_by=actor)
            _apply(village, cleaned, None)
            village.save()
            village.communes.set(cleaned["communes"])
            created += 1
    locked.status = ImportBatch.Status.CONFIRMED
    locked.created_count = created
    locked.confirmed_by = actor
    locked.confirmed_at = timezone.now()
    locked.save()
    return locked
