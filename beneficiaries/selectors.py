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


def beneficiary_list(*, user) -> QuerySet[Beneficiary]:
    """The establishments ``user`` may see, ordered by name (accent-blind). The list
    narrows them with beneficiaries.filters.BeneficiaryFilterSet."""
    return visible(user, _base()).order_by("name_folded", "pk")


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
    return visible(user, ImportBatch.objects.select_related("province", "created_by"))
