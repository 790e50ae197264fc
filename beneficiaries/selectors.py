"""Reads of the registry, already scoped to what the user may see."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from accounts.policies import is_national, visible
from beneficiaries.imports import COLUMNS
from beneficiaries.models import Beneficiary, ImportBatch, ImportRow, Sector
from core.text import fold
from reference.models import Commune

_SEPARATORS = re.compile(r"[\s.\-_/]")


def _base():
    return Beneficiary.objects.select_related("commune", "province", "sector")


def with_current_village(queryset: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    """``village_name``: the craft village each establishment belongs to today (an open
    membership of the register, villages app — reached through the reverse relation, so
    this app does not import it), or None."""
    membership = Beneficiary._meta.get_field("village_memberships").related_model
    current = membership.objects.filter(beneficiary=OuterRef("pk"), left_on__isnull=True)
    return queryset.annotate(village_name=Subquery(current.values("village__name")[:1]))


def beneficiary_list(*, user) -> QuerySet[Beneficiary]:
    """The establishments ``user`` may see, ordered by name (accent-blind). The list
    narrows them with beneficiaries.filters.BeneficiaryFilterSet."""
    return with_current_village(visible(user, _base())).order_by("name_folded", "pk")


def beneficiary_matching(queryset: QuerySet[Beneficiary], q: str) -> QuerySet[Beneficiary]:
    """The establishments of ``queryset`` that ``q`` names: part of the name, with or
    without accents, the start of a tax code, or a whole citizen ID (the list's search box
    and the đề án form's autocomplete)."""
    q = (q or "").strip()
    if not q:
        return queryset
    condition = Q(name_folded__contains=fold(q))
    digits = _SEPARATORS.sub("", q)
    if digits.isdigit():
        prefix = digits if len(digits) <= 10 else f"{digits[:10]}-{digits[10:]}"
        condition |= Q(tax_code__startswith=prefix) | Q(citizen_id=digits)
    return queryset.filter(condition)


def beneficiary_detail_queryset(*, user) -> QuerySet[Beneficiary]:
    return visible(user, _base().select_related("created_by", "updated_by"))


def beneficiary_find_duplicate(
    *, tax_code: str | None = None, citizen_id: str | None = None, exclude_pk=None
) -> Beneficiary | None:
    """The record already holding this tax code or citizen ID, in any province: both are
    unique nationwide, so the check cannot be limited to what the user sees. Callers link
    to it only when the user may see it."""
    condition = Q()
    if tax_code:
        condition |= Q(tax_code=tax_code)
    if citizen_id:
        condition |= Q(citizen_id=citizen_id)
    if not condition:
        return None
    qs = Beneficiary.objects.select_related("province").filter(condition)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def sector_list() -> QuerySet[Sector]:
    return Sector.objects.all()


def import_batch_queryset(*, user) -> QuerySet[ImportBatch]:
    return visible(
        user,
        ImportBatch.objects.filter(kind=ImportBatch.Kind.BENEFICIARIES).select_related(
            "province", "created_by", "confirmed_by"
        ),
    )


IMPORT_PAGE_SIZE = 100
# Stored rows read at a time (the errors download, the confirmation).
IMPORT_CHUNK = 1000


def import_row_page(*, batch: ImportBatch, user, only_errors: bool, page) -> Page:
    """One page of a batch's stored rows (all, or those with errors) for the preview: at
    most IMPORT_PAGE_SIZE rows, whatever the size of the file, in three queries (the count,
    the rows, their communes; the sectors are a small catalogue). Each row gets
    ``commune_name``, ``sector_name`` and ``shown_errors`` (message, and a link to the
    registered establishment a row repeats when ``user`` may see it)."""
    rows = batch.rows.order_by("number")
    if only_errors:
        rows = rows.filter(ok=False)
    page_obj = Paginator(rows, IMPORT_PAGE_SIZE).get_page(page)
    shown: list[ImportRow] = list(page_obj.object_list)
    communes = dict(
        Commune.objects.filter(
            pk__in={r.cleaned["commune_id"] for r in shown if r.cleaned}
        ).values_list("pk", "name")
    )
    sectors = dict(Sector.objects.values_list("pk", "name"))
    national, own = is_national(user), getattr(user, "province_id", None)
    for row in shown:
        row.commune_name = communes.get(row.cleaned["commune_id"], "") if row.cleaned else ""
        row.sector_name = sectors.get(row.cleaned["sector_id"], "") if row.cleaned else ""
        row.shown_errors = [
            {
                "message": e["message"],
                "url": reverse("beneficiary-detail", args=[e["record"]])
                if e.get("record") and (national or e.get("record_province") == own)
                else "",
            }
            for e in row.errors
        ]
    page_obj.object_list = shown
    return page_obj


def import_row_chunks(batch: ImportBatch, *, ok: bool, fields=()) -> Iterator[list[ImportRow]]:
    """The batch's rows (valid or refused) in file order, IMPORT_CHUNK at a time (with only
    ``fields``, when given)."""
    rows = batch.rows.filter(ok=ok).order_by("number")
    if fields:
        rows = rows.only("batch_id", "number", *fields)
    after = 0
    while True:
        chunk = list(rows.filter(number__gt=after)[:IMPORT_CHUNK])
        if not chunk:
            return
        yield chunk
        after = chunk[-1].number


def import_batch_refused_records(*, batch: ImportBatch) -> Iterator[dict]:
    """The refused rows as written, with their errors, for the errors workbook (``{"row",
    "values" per template column, "errors"}``), read from the stored result."""
    for chunk in import_row_chunks(batch, ok=False, fields=("values", "errors")):
        for row in chunk:
            yield {
                "row": row.number,
                "values": [row.values.get(c.key, "") for c in COLUMNS],
                "errors": [e["message"] for e in row.errors],
            }
