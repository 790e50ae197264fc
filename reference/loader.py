"""Loads regions, provinces and communes from the ``vietnam-provinces`` package.

Idempotent: rows are matched on their official code and updated in place, so running it
again (or after a package upgrade) never duplicates anything. Used by the data migration
and by ``manage.py load_reference``.
"""

from __future__ import annotations

from core.text import fold

# The six socio-economic regions (Nghị quyết 81/2023/QH15 on the national master plan).
REGIONS = [
    ("tdmnpb", "Trung du và miền núi phía Bắc", "Northern Midlands and Mountains"),
    ("dbsh", "Đồng bằng sông Hồng", "Red River Delta"),
    ("btbdhmt", "Bắc Trung Bộ và duyên hải miền Trung", "North Central and Central Coast"),
    ("tn", "Tây Nguyên", "Central Highlands"),
    ("dnb", "Đông Nam Bộ", "Southeast"),
    ("dbscl", "Đồng bằng sông Cửu Long", "Mekong River Delta"),
]

# Province code -> (abbreviation, region). A merged province takes the region of its
# administrative centre; this is data an administrator can change in the admin.
PROVINCES = {
    1: ("HNI", "dbsh"),
    4: ("CBG", "tdmnpb"),
    8: ("TQG", "tdmnpb"),
    11: ("DBN", "tdmnpb"),
    12: ("LCU", "tdmnpb"),
    14: ("SLA", "tdmnpb"),
    15: ("LCI", "tdmnpb"),
    19: ("TNN", "tdmnpb"),
    20: ("LSN", "tdmnpb"),
    22: ("QNH", "dbsh"),
    24: ("BNH", "dbsh"),
    25: ("PTO", "tdmnpb"),
    31: ("HPG", "dbsh"),
    33: ("HYN", "dbsh"),
    37: ("NBH", "dbsh"),
    38: ("THA", "btbdhmt"),
    40: ("NAN", "btbdhmt"),
    42: ("HTH", "btbdhmt"),
    44: ("QTI", "btbdhmt"),
    46: ("HUE", "btbdhmt"),
    48: ("DNG", "btbdhmt"),
    51: ("QNG", "btbdhmt"),
    52: ("GLI", "tn"),
    56: ("KHA", "btbdhmt"),
    66: ("DLK", "tn"),
    68: ("LDG", "tn"),
    75: ("DNI", "dnb"),
    79: ("HCM", "dnb"),
    80: ("TNH", "dnb"),
    82: ("DTP", "dbscl"),
    86: ("VLG", "dbscl"),
    91: ("AGG", "dbscl"),
    92: ("CTO", "dbscl"),
    96: ("CMU", "dbscl"),
}

_PROVINCE_TYPES = {"tỉnh": "tinh", "thành phố trung ương": "thanh_pho_trung_uong"}
_COMMUNE_TYPES = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu"}


def load_reference_data(region_model, province_model, commune_model) -> dict[str, int]:
    """Create or update every region, province and commune. Returns the row counts.

    Takes the model classes as arguments so a migration can pass its historical models.
    """
    import vietnam_provinces as vp

    regions = {}
    for order, (code, name, name_en) in enumerate(REGIONS, start=1):
        regions[code], _ = region_model.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )

    provinces = {}
    for p in vp.Province.iter_all():
        code = int(p.code)
        abbreviation, region_code = PROVINCES[code]
        short_name = p.name.removeprefix("Thành phố ").removeprefix("Tỉnh ")
        provinces[code], _ = province_model.objects.update_or_create(
            code=code,
            defaults={
                "name": p.name,
                "short_name": short_name,
                "abbreviation": abbreviation,
                "codename": p.codename,
                "division_type": _PROVINCE_TYPES[p.division_type.value],
                "region": regions[region_code],
            },
        )

    existing = {c.code: c for c in commune_model.objects.all()}
    to_create, to_update = [], []
    for w in vp.Ward.iter_all():
        values = {
            "name": w.name,
            "name_folded": fold(w.name),
            "codename": w.codename,
            "division_type": _COMMUNE_TYPES[w.division_type.value],
            "province_id": provinces[int(w.province_code)].pk,
        }
        row = existing.get(int(w.code))
        if row is None:
            to_create.append(commune_model(code=int(w.code), **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            to_update.append(row)
    commune_model.objects.bulk_create(to_create, batch_size=1000)
    commune_model.objects.bulk_update(
        to_update,
        ["name", "name_folded", "codename", "division_type", "province_id"],
        batch_size=1000,
    )
    return {
        "regions": region_model.objects.count(),
        "provinces": province_model.objects.count(),
        "communes": commune_model.objects.count(),
    }


def reference_data_loaded() -> bool:
    from reference.models import Commune, Province

    return Province.objects.count() == len(PROVINCES) and Commune.objects.exists()
