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


def village_in(province: Province) -> CraftVillage:
    """A recognised village of the province with one member (built once per province)."""
    from tests.beneficiaries.factories import beneficiary_in

    existing = CraftVillage.objects.filter(province=province).first()
    if existing:
        return existing
    village = make_village(province.code, name=f"Làng nghề thử nghiệm {province.short_name}")
    join(village, beneficiary_in(province))
    return village


def membership_in(province: Province) -> VillageMembership:
    return village_in(province).memberships.first()


def village_import_in(province: Province):
    """A village import awaiting confirmation, with one checked row."""
    from beneficiaries.models import ImportRow
    from villages.models import VillageImportBatch

    existing = VillageImportBatch.objects.filter(province=province).first()
    if existing:
        return existing
    batch = VillageImportBatch.objects.create(
        kind="villages",
        province=province,
        file="imports/lang-nghe-thu-nghiem.xlsx",
        original_filename="lang-nghe.xlsx",
        row_count=1,
        valid_count=0,
    )
    ImportRow.objects.create(
        batch=batch,
        number=2,
        ok=False,
        values={"name": f"Làng nghề {province.short_name}"},
        errors=[{"message": "Thiếu mã xã/phường.", "record": None, "record_province": None}],
    )
    return batch
