"""Demo craft villages: the villages of the demo provinces' profiles (demo.beneficiaries),
registered with a recognition decision, and the demo establishments generated in them as
members. The decisions' numbers and dates are examples (the note of each village says
so), not the real decisions of the UBND tỉnh.

Idempotent: villages are matched on province and name, and only establishments created
in this run join (a second run creates nothing)."""

from __future__ import annotations

import datetime

from beneficiaries.models import Sector
from core.text import fold
from reference.models import Commune, Province
from villages.models import CraftVillage, VillageMembership

EXAMPLE_NOTE = "Dữ liệu minh họa: số và ngày quyết định công nhận là ví dụ."


def _decision(province_code: int, index: int) -> tuple[str, datetime.date]:
    year = 2008 + (index * 3) % 15  # 2008 … 2022: all before the demo year
    return f"{1100 + index * 37}/QĐ-UBND", datetime.date(year, 3 + index % 9, 10 + index % 15)


def _villages() -> dict[tuple[int, str], CraftVillage]:
    from demo.beneficiaries import PROFILES

    provinces = {p.code: p for p in Province.objects.filter(code__in=PROFILES)}
    sectors = {s.code: s for s in Sector.objects.all()}
    existing = {
        (v.province_id, v.name): v for v in CraftVillage.objects.filter(province__code__in=PROFILES)
    }
    found: dict[tuple[int, str], CraftVillage] = {}
    for code, profile in PROFILES.items():
        province = provinces[code]
        communes = {
            fold(c.name): c for c in Commune.objects.filter(province=province).only("id", "name")
        }
        for index, spec in enumerate(profile.villages):
            key = (province.pk, spec.name)
            village = existing.get(key)
            if village is None:
                number, decided = _decision(code, index)
                village = CraftVillage.objects.create(
                    province=province,
                    name=spec.name,
                    name_folded=fold(spec.name),
                    # The first five of each list as traditional villages (an example).
                    kind=CraftVillage.Kind.TRADITIONAL if index < 5 else CraftVillage.Kind.CRAFT,
                    sector=sectors[spec.trade.sector],
                    decision_number=number,
                    decision_date=decided,
                    note=EXAMPLE_NOTE,
                )
                commune = communes.get(fold(spec.commune))
                if commune is not None:
                    village.communes.add(commune)
            found[(code, spec.name)] = village
    return found


def seed_villages(created) -> str:
    """Register the profiles' villages and make the establishments just ``created`` (the
    generator marked each with ``demo_village``) their members from the decision's date."""
    villages = _villages()
    memberships = []
    for beneficiary in created:
        name = getattr(beneficiary, "demo_village", None)
        if not name:
            continue
        village = villages.get((beneficiary.province.code, name))
        if village is None:
            continue
        memberships.append(
            VillageMembership(
                village=village, beneficiary=beneficiary, joined_on=village.decision_date
            )
        )
    VillageMembership.objects.bulk_create(memberships, batch_size=500)
    return f"Craft villages: {len(villages)}, {len(memberships)} new member(s)."
