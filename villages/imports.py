"""The Excel import of the register of craft villages: the template, reading a file and
checking each row.

The batch and its rows are the registry's (beneficiaries.models.ImportBatch with
``kind="villages"``, ImportRow): the file is read and checked once, at upload; the preview
and the confirmation read the stored rows. The checks are the form's
(``villages.services.village_clean``), so a row is refused for the same reasons, with the
same Vietnamese messages, plus the row number. The headers are the file format (data,
not translated), like the establishment template's."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from beneficiaries.imports import TemplateError, workbook_size_check
from beneficiaries.models import Sector
from core.excel import formula_like, header_row, text_columns, workbook_bytes
from core.text import fold
from reference.models import Commune
from villages.models import CraftVillage

MAX_ROWS = 2_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    text: bool = False


COLUMNS = [
    Column("name", "Tên làng nghề (*)", 40),
    Column("kind", "Loại (*)", 10),
    Column("sector", "Ngành nghề (*)", 24),
    Column("commune_codes", "Mã xã/phường (*)", 18, text=True),
    Column("decision_number", "Số quyết định công nhận (*)", 20, text=True),
    Column("decision_date", "Ngày quyết định (*)", 14, text=True),
    Column("revocation_number", "Số quyết định thu hồi", 20, text=True),
    Column("revocation_date", "Ngày thu hồi", 14, text=True),
    Column("note", "Ghi chú", 30),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = ("name", "kind", "sector", "commune_codes", "decision_number", "decision_date")
EXAMPLE_PREFIX = "Ví dụ:"
KIND_CODES = {"LN": CraftVillage.Kind.CRAFT, "LNTT": CraftVillage.Kind.TRADITIONAL}
KIND_NAMES = {
    CraftVillage.Kind.CRAFT: "Làng nghề",
    CraftVillage.Kind.TRADITIONAL: "Làng nghề truyền thống",
}


def _header_key(text) -> str:
    return fold(str(text or "").replace("(*)", "").replace("*", ""))


_HEADER_LOOKUP = {_header_key(c.header): c.key for c in COLUMNS}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data: bytes) -> list[tuple[int, dict]]:
    """(row number, values by column key) of the first sheet. Raises TemplateError."""
    workbook_size_check(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds for a bad file
        raise TemplateError(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    try:
        rows_iter = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows_iter, None) or ()
        columns: dict[str, int] = {}
        for index, text in enumerate(header):
            key = _HEADER_LOOKUP.get(_header_key(text))
            if key and key not in columns:
                columns[key] = index
        missing = [COLUMN_BY_KEY[k].header for k in REQUIRED if k not in columns]
        if missing:
            raise TemplateError(
                _(
                    "The first row must hold the template's column headers; missing: "
                    "%(columns)s. Download the template and copy your rows into it."
                )
                % {"columns": "; ".join(missing)}
            )
        rows = []
        for number, raw in enumerate(rows_iter, start=2):
            values = {
                key: _text(raw[index]) if index < len(raw) else "" for key, index in columns.items()
            }
            if not any(values.values()) or values.get("name", "").startswith(EXAMPLE_PREFIX):
                continue
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise TemplateError(
                    _("The file has more than %(max)s rows; split it into smaller files.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
                )
    finally:
        workbook.close()
    if not rows:
        raise TemplateError(_("The file has no rows to import under the header row."))
    return rows


def _date(text: str):
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class RowResult:
    number: int
    values: dict
    errors: list[str] = field(default_factory=list)
    cleaned: dict | None = None

    def stored(self) -> dict:
        """The ImportRow fields (errors in the registry's format)."""
        return {
            "number": self.number,
            "ok": not self.errors,
            "values": self.values,
            "cleaned": self.cleaned if not self.errors else None,
            "errors": [
                {"message": m, "record": None, "record_province": None} for m in self.errors
            ],
        }


def data_from_cleaned(cleaned: dict) -> dict:
    """The stored values of a checked row, as village_clean takes them again at the
    confirmation (a village of the same name may have been registered meanwhile)."""
    from reference.models import Province

    data = dict(cleaned)
    data["province"] = Province.objects.get(pk=cleaned["province_id"])
    data["sector"] = Sector.objects.filter(pk=cleaned["sector_id"]).first()
    data["communes"] = list(Commune.objects.filter(pk__in=cleaned["commune_ids"]))
    for key in ("decision_date", "revocation_date"):
        data[key] = datetime.date.fromisoformat(cleaned[key]) if cleaned.get(key) else None
    return data


def validate_rows(*, rows, actor, province) -> list[RowResult]:
    """Check every row (a few queries for the whole file: sectors, the province's
    communes); a name repeated in the file is refused after its first row."""
    from villages.services import village_clean

    sectors = {}
    for sector in Sector.objects.all():
        sectors[fold(sector.code)] = sector
        sectors[fold(sector.name)] = sector
    communes = {c.code: c for c in Commune.objects.filter(province=province)}
    seen: dict[str, int] = {}
    results = []
    for number, values in rows:
        row = RowResult(number=number, values=values)
        results.append(row)
        for key, value in values.items():
            if formula_like(value) and value.startswith(("=", "@")):
                row.errors.append(
                    _(
                        "“%(column)s” begins with “%(sign)s”, so a spreadsheet would run it as "
                        "a formula: write the text without it."
                    )
                    % {"column": COLUMN_BY_KEY[key].header, "sign": value[0]}
                )
        for key in REQUIRED:
            if not values.get(key):
                row.errors.append(
                    _("The required column “%(column)s” is empty.")
                    % {"column": COLUMN_BY_KEY[key].header}
                )
        kind_text = values.get("kind", "").strip().upper()
        kind = KIND_CODES.get(kind_text) or next(
            (k for k, n in KIND_NAMES.items() if fold(n) == fold(values.get("kind", ""))), None
        )
        if values.get("kind") and kind is None:
            row.errors.append(
                _("Unknown kind “%(value)s”: write LN (craft village) or LNTT (traditional).")
                % {"value": values["kind"]}
            )
        sector = sectors.get(fold(values.get("sector", "")))
        if values.get("sector") and sector is None:
            row.errors.append(
                _("Unknown sector “%(value)s”: use a code from the second sheet.")
                % {"value": values["sector"]}
            )
        chosen = []
        for code in values.get("commune_codes", "").replace(",", ";").split(";"):
            code = code.strip()
            if not code:
                continue
            commune = communes.get(int(code)) if code.isdigit() else None
            if commune is None:
                row.errors.append(
                    _("No commune or ward with code “%(code)s” in %(province)s.")
                    % {"code": code, "province": province.name}
                )
            else:
                chosen.append(commune)
        dates = {}
        for key in ("decision_date", "revocation_date"):
            text = values.get(key, "")
            dates[key] = _date(text) if text else None
            if text and dates[key] is None:
                row.errors.append(
                    _("“%(column)s”: write the date as dd/mm/yyyy.")
                    % {"column": COLUMN_BY_KEY[key].header}
                )
        revoked = bool(values.get("revocation_number") or values.get("revocation_date"))
        name_key = fold(values.get("name", ""))
        if name_key in seen:
            row.errors.append(
                _("The same craft village is already in row %(row)s of this file.")
                % {"row": seen[name_key]}
            )
        elif name_key:
            seen[name_key] = number
        if row.errors:
            continue
        data = {
            "province": province,
            "name": values.get("name", ""),
            "kind": kind,
            "sector": sector,
            "communes": chosen,
            "decision_number": values.get("decision_number", ""),
            "decision_date": dates["decision_date"],
            "status": CraftVillage.Status.REVOKED if revoked else CraftVillage.Status.RECOGNISED,
            "revocation_number": values.get("revocation_number", ""),
            "revocation_date": dates["revocation_date"],
            "note": values.get("note", ""),
        }
        try:
            cleaned = village_clean(actor=actor, data=data)
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                row.errors.extend(messages)
            continue
        row.cleaned = {
            "province_id": province.pk,
            "sector_id": sector.pk,
            "commune_ids": [c.pk for c in chosen],
            **{
                k: cleaned[k]
                for k in (
                    "name",
                    "kind",
                    "decision_number",
                    "status",
                    "revocation_number",
                    "note",
                )
            },
            "decision_date": cleaned["decision_date"].isoformat(),
            "revocation_date": (
                cleaned["revocation_date"].isoformat() if cleaned["revocation_date"] else None
            ),
        }
    return results


def template_workbook(*, commune, sectors) -> bytes:
    """The template: headers, an example row, a second sheet with the codes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Làng nghề"
    header_row(sheet, [c.header for c in COLUMNS], [c.width for c in COLUMNS])
    example = {
        "name": f"{EXAMPLE_PREFIX} Làng nghề dệt thổ cẩm Bản Mòng",
        "kind": "LNTT",
        "sector": sectors[0].code if sectors else "",
        "commune_codes": f"{commune.code:05d}" if commune else "",
        "decision_number": "123/QĐ-UBND",
        "decision_date": "15/03/2018",
        "revocation_number": "",
        "revocation_date": "",
        "note": "",
    }
    sheet.append([example[c.key] for c in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        sheet.cell(row=2, column=index).font = Font(italic=True, color="555555")
    text_columns(sheet, [i for i, c in enumerate(COLUMNS, start=1) if c.text])
    codes = workbook.create_sheet("Mã")
    codes.append(["Loại", "Mã"])
    for code, kind in KIND_CODES.items():
        codes.append([KIND_NAMES[kind], code])
    codes.append([])
    codes.append(["Ngành nghề", "Mã"])
    for sector in sectors:
        codes.append([sector.name, sector.code])
    codes.append([])
    codes.append(["Nhiều xã/phường: viết các mã cách nhau bằng dấu ;"])
    return workbook_bytes(workbook)
