"""Reads of the registry, already scoped to what the user may see."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from accounts.policies import visible
from beneficiaries.models import Beneficiary, ImportBatch, Sector
from core.text import fold

_SEPARATORS = re.compile(r"[\s.\-_/]")


def _base():
    return Beneficiary.objects.select_related("commune", "province", "sector")


def beneficiary_list(*, user, filters: dict | None = None) -> QuerySet[Beneficiary]:
    """The establishments ``user`` may see, filtered and ordered by name (accent-blind).

    ``filters`` (all optional): ``q`` — part of the name, with or without accents, the
    start of a tax code, or a whole citizen ID; ``province``, ``commune``, ``sector``
    (instances or ids) and ``legal_form``."""
    filters = filters or {}
    qs = visible(user, _base())
    q = (filters.get("q") or "").strip()
    if q:
        condition = Q(name_folded__contains=fold(q))
        digits = _SEPARATORS.sub("", q)
        if digits.isdigit():
            prefix = digits if len(digits) <= 10 else f"{digits[:10]}-{digits[10:]}"
            condition |= Q(tax_code__startswith=prefix) | Q(citizen_id=digits)
        qs = qs.filter(condition)
    for field in ("province", "commune", "sector"):
        value = filters.get(field)
        if value:
            qs = qs.filter(**{field: value})
    if filters.get("legal_form"):
        qs = qs.filter(legal_form=filters["legal_form"])
    return qs.order_by("name_folded", "pk")


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
    return visible(user, ImportBatch.objects.select_related("province", "created_by"))
