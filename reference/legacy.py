"""Place names from before 1 July 2025, and the commune of today each one became.

Records kept before the 2025 merger name a commune (xã, phường, thị trấn), its district
(huyện, quận, thị xã, thành phố thuộc tỉnh) and often one of the 63 former provinces.
The official correspondence of old to new units comes from the ``vietnamadminunits``
package (its ``admin_units_legacy`` list of 10,040 old units and its 2025 conversion
table, built from the merger resolutions of the Standing Committee of the National
Assembly); its data files are read directly, so none of its parsing code runs here.

:func:`legacy_load` fills :class:`reference.models.LegacyCommune` (a data migration and
``manage.py load_reference`` call it); :class:`PlaceIndex` resolves the place written in
a record to today's commune, for one province at a time and without a query per row.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from core.text import fold

# The kinds written before a name, folded, longest first ("thi tran" before "thi").
_COMMUNE_KINDS = ("thi tran", "dac khu", "phuong", "xa", "tt", "p", "x")
_DISTRICT_KINDS = ("thanh pho", "thi xa", "huyen", "quan", "tp", "tx", "h", "q")
_PROVINCE_KINDS = ("thanh pho", "tinh", "tp", "t")


def _plain(text: str) -> str:
    """Folded, with punctuation as spaces and apostrophes dropped: "Ea H’Leo" and
    "Ea H'leo", "Chân Mây - Lăng Cô" and "Chân Mây – Lăng Cô" compare equal."""
    folded = re.sub(r"['’‘`´]", "", fold(text))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def _key(text: str, kinds: tuple[str, ...]) -> str:
    """The folded name without its kind: "Thị trấn Đông Anh" -> "dong anh",
    "P.3" -> "3", "TX. Sơn Tây" -> "son tay"."""
    folded = _plain(text)
    for kind in kinds:
        if folded.startswith(kind + " ") and len(folded) > len(kind) + 1:
            return folded[len(kind) + 1 :]
    return folded


def commune_key(text: str) -> str:
    return _key(text, _COMMUNE_KINDS)


def district_key(text: str) -> str:
    return _key(text, _DISTRICT_KINDS)


def province_key(text: str) -> str:
    return _key(text, _PROVINCE_KINDS)


def _data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The vietnamadminunits package is not installed (requirements.txt).")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def legacy_units() -> list[dict]:
    """Every old unit with today's province code, commune name and the other communes of
    today that took a part of it: {code, name, district, province, province_code,
    commune, also}. ``commune``/``also`` are today's names as the package writes them."""
    data = _data_dir()
    conversion = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    database = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
    try:
        new_names = {
            (row[0], row[1]): (row[2], int(row[3]))
            for row in database.execute(
                "select provinceKey, wardKey, ward, provinceCode from admin_units"
            )
        }
        old_rows = list(
            database.execute(
                "select provinceKey, districtKey, coalesce(wardKey, ''), province, district, "
                "coalesce(ward, ''), wardCode from admin_units_legacy"
            )
        )
    finally:
        database.close()

    # Old "province_district_ward" key -> (today's province key, today's ward keys, default
    # first).
    destination: dict[str, tuple[str, list[str]]] = {}
    for new_province, wards in conversion["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                destination[old_key] = (new_province, [new_ward])
    for new_province, old_units in conversion["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in old_units.items():
            ordered = sorted(parts, key=lambda part: not part["isDefaultNewWard"])
            destination[old_key] = (new_province, [part["newWardKey"] for part in ordered])

    units = []
    for p_key, d_key, w_key, province, district, ward, code in old_rows:
        target = destination.get(f"{p_key}_{d_key}_{w_key}")
        if target is None:
            continue
        new_province, new_wards = target
        names = [new_names[(new_province, w)] for w in new_wards if (new_province, w) in new_names]
        if not names:
            continue
        units.append(
            {
                "code": int(code) if code else None,
                "name": ward,
                "district": district,
                "province": province,
                "province_code": names[0][1],
                "commune": names[0][0],
                "also": [name for name, _code in names[1:]],
            }
        )
    return units


def legacy_load(legacy_model, commune_model, province_model) -> int:
    """Create or update the old units (idempotent: matched on the old code, or on the old
    names for the units without one). Takes the model classes so that a migration can pass
    its historical models. Returns the number of old units."""
    provinces = {p.code: p.pk for p in province_model.objects.all()}
    communes: dict[tuple[int, str], object] = {}
    for commune in commune_model.objects.select_related("province"):
        communes[(commune.province.code, _plain(commune.name))] = commune

    def today(province_code: int, name: str):
        return communes.get((province_code, _plain(name)))

    existing = {(row.code, row.name, row.district_name): row for row in legacy_model.objects.all()}
    fields: list[str] = []
    created, changed, links = [], [], []
    for unit in legacy_units():
        commune = today(unit["province_code"], unit["commune"])
        if commune is None or unit["province_code"] not in provinces:
            continue
        values = {
            "name": unit["name"],
            "district_name": unit["district"],
            "province_name": unit["province"],
            "name_key": commune_key(unit["name"]),
            "district_key": district_key(unit["district"]),
            "province_key": province_key(unit["province"]),
            "commune_id": commune.pk,
            "province_id": provinces[unit["province_code"]],
        }
        row = existing.get((unit["code"], unit["name"], unit["district"]))
        if row is None:
            row = legacy_model(code=unit["code"], **values)
            created.append(row)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed.append(row)
        fields = list(values)
        also = [c for name in unit["also"] if (c := today(unit["province_code"], name))]
        links.append((row, also))
    legacy_model.objects.bulk_create(created, batch_size=2000)
    if changed:
        legacy_model.objects.bulk_update(changed, fields, batch_size=2000)
    through = legacy_model.also_in.through
    through.objects.all().delete()
    through.objects.bulk_create(
        [
            through(legacycommune_id=row.pk, commune_id=commune.pk)
            for row, also in links
            for commune in also
        ],
        batch_size=2000,
    )
    return legacy_model.objects.count()


@dataclass(frozen=True)
class Place:
    """Where a record's place lands today: the commune, the old unit it was written as (if
    it was an old name), the text as written, and a warning or an error in Vietnamese."""

    commune: object | None
    legacy: object | None = None
    written: str = ""
    error: str = ""
    warning: str = ""


@dataclass
class PlaceIndex:
    """Resolves place names written in a province's records, old or new, to today's
    communes of that province. Loads the province's communes and old units once (two
    queries), then answers from memory: a file of thousands of rows costs no query per row."""

    province: object
    communes: dict[str, list] = field(default_factory=dict)
    communes_full: dict[str, object] = field(default_factory=dict)
    legacy: dict[str, list] = field(default_factory=dict)

    def __post_init__(self):
        from reference.models import Commune, LegacyCommune

        for commune in Commune.objects.filter(province=self.province):
            self.communes_full[_plain(commune.name)] = commune
            self.communes.setdefault(commune_key(commune.name), []).append(commune)
        old_units = LegacyCommune.objects.filter(province=self.province).select_related("commune")
        also = LegacyCommune.also_in.through.objects.filter(
            legacycommune__province=self.province
        ).select_related("commune")
        parts: dict[int, list] = {}
        for link in also:
            parts.setdefault(link.legacycommune_id, []).append(link.commune)
        for unit in old_units:
            unit.parts = parts.get(unit.pk, [])
            self.legacy.setdefault(unit.name_key, []).append(unit)

    def resolve(self, commune: str, district: str = "") -> Place:
        """Today's commune for a record that names ``commune`` (and, for an old record, its
        ``district``). Today's names are tried first when no district is written; an old
        name must be unambiguous in the province, else the error asks for the district."""
        written = ", ".join(part for part in (commune.strip(), district.strip()) if part)
        name_key = commune_key(commune)
        if not commune.strip() and district.strip():
            # An island district that had no commune (Côn Đảo, Bạch Long Vĩ, …).
            wanted = district_key(district)
            whole = [unit for unit in self.legacy.get("", []) if unit.district_key == wanted]
            if whole:
                return Place(whole[0].commune, legacy=whole[0], written=written)
        if not commune.strip():
            return Place(None, written=written, error=_("Give the commune or ward."))
        if not district.strip():
            exact = self.communes_full.get(_plain(commune))
            if exact is not None:
                return Place(exact, written=written)
            today = self.communes.get(name_key, [])
            if len(today) == 1:
                return Place(today[0], written=written)
        candidates = self.legacy.get(name_key, [])
        if district.strip():
            wanted = district_key(district)
            candidates = [unit for unit in candidates if unit.district_key == wanted]
        if not candidates:
            if district.strip():
                return Place(
                    None,
                    written=written,
                    error=_(
                        "No commune “%(commune)s” in the district “%(district)s” of %(province)s, "
                        "before or after 1 July 2025."
                    )
                    % {"commune": commune, "district": district, "province": self.province.name},
                )
            return Place(
                None,
                written=written,
                error=_(
                    "No commune or ward “%(commune)s” in %(province)s, before or after 1 July 2025."
                )
                % {"commune": commune, "province": self.province.name},
            )
        if len(candidates) > 1:
            # "Xã Hát Lót" and "Thị trấn Hát Lót" of one district: the kind written decides.
            same_kind = [unit for unit in candidates if _plain(unit.name) == _plain(commune)]
            if len(same_kind) == 1:
                candidates = same_kind
        if len(candidates) > 1:
            return Place(
                None,
                written=written,
                error=_(
                    "“%(commune)s” is the name of several communes before 1 July 2025 "
                    "(%(options)s): write its district too."
                )
                % {
                    "commune": commune,
                    "options": "; ".join(unit.label for unit in candidates[:5]),
                },
            )
        (unit,) = candidates
        warning = ""
        if unit.parts:
            warning = _(
                "%(old)s was divided on 1 July 2025 between %(today)s and %(others)s: the "
                "record is placed in %(today)s; write today's commune if it belongs elsewhere."
            ) % {
                "old": unit.label,
                "today": unit.commune.name,
                "others": ", ".join(c.name for c in unit.parts),
            }
        return Place(unit.commune, legacy=unit, written=written, warning=warning)
