"""Builders for craft villages and their members (used across tests, and by the
URL-enumerating isolation test)."""

from __future__ import annotations

import datetime
import itertools

from beneficiaries.models import Sector
from core.text import fold
from reference.models import Commune, Province
from villages.models import CraftVillage, VillageMembership

_serial = itertools.count(1)


def make_village(
    province_code: int = 1,
    *,
    name: str | None = None,
    commune: Commune | None = None,
    decision_date: datetime.date = datetime.date(2015, 6, 1),
    revocation_date: datetime.date | None = None,
    kind: str = CraftVillage.Kind.CRAFT,
) -> CraftVillage:
    """A village recognised on ``decision_date`` (revoked on ``revocation_date`` if given),
    written directly (tests of services go through the services)."""
    province = Province.objects.get(code=province_code)
    name = name or f"Làng nghề thử nghiệm số {next(_serial)}"
    village = CraftVillage.objects.create(
        province=province,
        name=name,
        name_folded=fold(name),
        kind=kind,
        sector=Sector.objects.get(code="thu-cong-my-nghe"),
        decision_number=f"{next(_serial)}/QĐ-UBND",
        decision_date=decision_date,
        status=CraftVillage.Status.REVOKED if revocation_date else CraftVillage.Status.RECOGNISED,
        revocation_number=f"{next(_serial)}/QĐ-UBND" if revocation_date else "",
        revocation_date=revocation_date,
    )
    commune = commune or Commune.objects.filter(province=province).order_by("code").first()
    village.communes.add(commune)
    return village


def join(
    village: CraftVillage,
    beneficiary,
    joined_on: datetime.date = datetime.date(2016, 1, 1),
    left_on: datetime.date | None = None,
) -> VillageMembership:
    return VillageMembership.objects.create(
        village=village, beneficiary=beneficiary, joined_on=joined_on, left_on=left_on
    )
