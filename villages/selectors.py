"""Reads of the register of craft villages, already scoped to what the user may see."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet

from accounts.policies import visible
from beneficiaries.models import Beneficiary
from core.text import fold
from villages.models import CraftVillage, VillageImportBatch, VillageMembership


def _base() -> QuerySet[CraftVillage]:
    return CraftVillage.objects.select_related("province", "sector")


def village_list(*, user) -> QuerySet[CraftVillage]:
    """The villages ``user`` may see, with their communes and current member count. The
    list narrows them with villages.filters.CraftVillageFilterSet."""
    return (
        visible(user, _base())
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
            )
        )
        .prefetch_related("communes")
        .order_by("province__code", "name_folded", "pk")
    )


def village_matching(queryset: QuerySet[CraftVillage], q: str) -> QuerySet[CraftVillage]:
    """The villages of ``queryset`` that ``q`` names: part of the name or of a commune's
    name (accent-blind), or of the recognition decision's number."""
    q = (q or "").strip()
    if not q:
        return queryset
    folded = fold(q)
    return queryset.filter(
        pk__in=CraftVillage.objects.filter(
            Q(name_folded__contains=folded)
            | Q(decision_number__icontains=q)
            | Q(communes__name_folded__contains=folded)
        ).values("pk")
    )


def village_detail_queryset(*, user) -> QuerySet[CraftVillage]:
    return visible(user, _base().select_related("created_by").prefetch_related("communes"))


def village_memberships(village: CraftVillage) -> list[VillageMembership]:
    """Every membership of ``village``, current ones first, then by name."""
    return list(
        village.memberships.select_related("beneficiary__commune").order_by(
            F("left_on").desc(nulls_first=True), "beneficiary__name_folded", "-joined_on"
        )
    )


def village_choices(*, user, province_id) -> QuerySet[CraftVillage]:
    """The villages of a province an establishment may be said to join (still recognised)."""
    return visible(user, CraftVillage.objects.filter(province_id=province_id)).filter(
        status=CraftVillage.Status.RECOGNISED
    )


def beneficiary_candidates(*, user, village: CraftVillage, q: str = "") -> QuerySet[Beneficiary]:
    """Establishments of the village's province not currently in any village (the member
    form's choices), narrowed by ``q``."""
    from beneficiaries.selectors import beneficiary_matching

    candidates = (
        visible(user, Beneficiary.objects.filter(province_id=village.province_id))
        .exclude(
            pk__in=VillageMembership.objects.filter(left_on__isnull=True).values("beneficiary_id")
        )
        .select_related("commune")
        .order_by("name_folded", "pk")
    )
    return beneficiary_matching(candidates, q)


def current_membership(beneficiary) -> VillageMembership | None:
    """The establishment's membership open today, if any (the registry page shows it)."""
    return (
        VillageMembership.objects.filter(beneficiary=beneficiary, left_on__isnull=True)
        .select_related("village")
        .first()
    )


def recognised_village_by_beneficiary(
    beneficiary_ids: Iterable[int], on_date: datetime.date
) -> dict[int, CraftVillage]:
    """For each establishment of ``beneficiary_ids`` that on ``on_date`` belongs to a
    craft village recognised on that date (decision dated on or before it, not revoked by
    then; membership covering it), that village — one query for all of them. The
    eligibility check of a đề án and the priorities read it."""
    ids = list(beneficiary_ids)
    if not ids:
        return {}
    memberships = (
        VillageMembership.objects.filter(beneficiary_id__in=ids, joined_on__lte=on_date)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=on_date))
        .filter(village__decision_date__lte=on_date)
        .filter(Q(village__revocation_date__isnull=True) | Q(village__revocation_date__gt=on_date))
        .select_related("village")
    )
    return {m.beneficiary_id: m.village for m in memberships}


def import_batch_queryset(*, user):
    """The uploads of the register of craft villages ``user`` may see (the registry's
    batches, ``kind="villages"``)."""
    return visible(
        user, VillageImportBatch.objects.select_related("province", "created_by", "confirmed_by")
    )
