"""Reading the establishment template (Excel) and checking every row. Nothing here writes.

The column headers are the file format shared with the provinces (a biểu mẫu), so they
are fixed Vietnamese text matched without regard to accents, case or the "(*)" marks, and
do not change with the interface language. Columns may come in any order; optional
columns may be left out."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from beneficiaries.models import Beneficiary, LegalForm, Sector
from beneficiaries.rules import beneficiary_clean
from beneficiaries.validators import citizen_id_normalise, tax_code_normalise
from core.excel import formula_like
from core.text import fold
from reference.models import Commune

MAX_ROWS = 10_000
# The template filled with MAX_ROWS rows weighs about 1 MB (bench/imports.py).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A workbook is a zip archive. The template filled with MAX_ROWS rows unpacks to about
# 10 MB in a dozen parts; anything far beyond is not a template (a "zip bomb" inflates a
# few MB into hundreds), and is refused from the archive's directory before it is unpacked.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_PARTS = 200


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    text: bool = False  # an identifier: written as text so Excel keeps leading zeros


COLUMNS = [
    Column("name", "Tên cơ sở (*)", 42),
    Column("legal_form", "Loại hình (*)", 12),
    Column("tax_code", "Mã số thuế", 16, text=True),
    Column("citizen_id", "Số CCCD chủ hộ (hộ kinh doanh, nghệ nhân)", 18, text=True),
    Column("commune_code", "Mã xã/phường", 12, text=True),
    Column("commune_name", "Tên xã/phường", 26),
    Column("address", "Địa chỉ", 32),
    Column("sector", "Ngành nghề (*)", 26),
    Column("product_line", "Sản phẩm chính", 30),
    Column("workers", "Số lao động", 10),
    Column("woman_owned", "Chủ cơ sở là nữ", 10),
    Column("ethnic_minority_owned", "Chủ cơ sở là người dân tộc thiểu số", 14),
    Column("representative", "Người đại diện", 24),
    Column("phone", "Điện thoại", 14, text=True),
    Column("email", "Email", 26),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
ERROR_HEADER = "Lỗi"
# The template's example row starts with this and is never imported.
EXAMPLE_PREFIX = "Ví dụ:"
# Columns a file cannot do without (one of each group).
REQUIRED_GROUPS = [("name",), ("legal_form",), ("sector",), ("commune_code", "commune_name")]
REQUIRED_VALUES = ("name", "legal_form", "sector")
BOOLEAN_FIELDS = ("woman_owned", "ethnic_minority_owned")
# Columns of the template before the register of craft villages: still recognised, so a
# value in them is answered with a warning (the village is recorded in the register,
# villages app) rather than silently ignored.
LEGACY_CRAFT_VILLAGE_HEADERS = ("Thuộc làng nghề", "Tên làng nghề")

# Codes a province types in the "Loại hình" column (listed on the template's second sheet).
LEGAL_FORM_CODES = {
    LegalForm.SME: "DN",
    LegalForm.COOPERATIVE: "HTX",
    LegalForm.COOPERATIVE_UNION: "LHHTX",
    LegalForm.COOPERATIVE_GROUP: "THT",
    LegalForm.HOUSEHOLD_BUSINESS: "HKD",
    LegalForm.ARTISAN: "NN",
}
# Their names in the files (data of the file format, like the headers: not translated).
LEGAL_FORM_NAMES = {
    LegalForm.SME: "Doanh nghiệp nhỏ và vừa",
    LegalForm.COOPERATIVE: "Hợp tác xã",
    LegalForm.COOPERATIVE_UNION: "Liên hiệp hợp tác xã",
    LegalForm.COOPERATIVE_GROUP: "Tổ hợp tác",
    LegalForm.HOUSEHOLD_BUSINESS: "Hộ kinh doanh",
    LegalForm.ARTISAN: "Nghệ nhân",
}
_TRUE = {"x", "co", "c", "1", "true", "yes", "y", "v", "✓", "✔"}
_FALSE = {"", "khong", "k", "0", "false", "no", "n", "-"}
_DIVISION_PREFIXES = ("xa ", "phuong ", "dac khu ")


def _header_key(text) -> str:
    return fold(str(text or "").replace("(*)", "").replace("*", ""))


_HEADER_LOOKUP = {_header_key(c.header): c.key for c in COLUMNS}
# Short forms people write instead of the full header.
_HEADER_LOOKUP.update(
    {
        _header_key("Số CCCD"): "citizen_id",
        _header_key("Số CCCD chủ hộ"): "citizen_id",
        _header_key("CCCD"): "citizen_id",
        _header_key("MST"): "tax_code",
        _header_key("Chủ cơ sở là người DTTS"): "ethnic_minority_owned",
        **{_header_key(h): "legacy_craft_village" for h in LEGACY_CRAFT_VILLAGE_HEADERS},
    }
)


def legal_form_lookup() -> dict[str, str]:
    """Folded code, value or name (Vietnamese or English) -> LegalForm value."""
    lookup = {}
    for form in LegalForm:
        lookup[fold(LEGAL_FORM_CODES[form])] = form.value
        lookup[fold(form.value)] = form.value
        lookup[fold(LEGAL_FORM_NAMES[form])] = form.value
        lookup[fold(str(form.label))] = form.value  # in the user's language
        with translation.override("en"):
            lookup[fold(str(form.label))] = form.value
    lookup[fold("DNNVV")] = LegalForm.SME.value
    return lookup


class TemplateError(ValueError):
    """The file is not a usable template (not a workbook, no headers, too many rows)."""


@dataclass
class ParsedFile:
    columns: dict[str, int]  # column key -> index in the row
    rows: list[tuple[int, list]]  # (Excel row number, cell values)


def workbook_size_check(data: bytes) -> None:
    """Refuse, from the zip directory alone (nothing is inflated), a workbook too big to be
    a template: too many parts, or more than MAX_UNPACKED_BYTES once unpacked. The sizes
    of the directory are a true bound: Python's zipfile, which openpyxl reads with, stops a
    part at its declared size and fails its checksum if it holds more. Raises
    TemplateError."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise TemplateError(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES:
        raise TemplateError(
            _(
                "The file unpacks to more than %(size)s MB: it is not a filled-in template. "
                "Download the template and copy your rows into it."
            )
            % {"size": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )


def read_workbook(data: bytes) -> ParsedFile:
    """The first sheet's header row and non-empty rows. Raises TemplateError."""
    workbook_size_check(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds for a bad file
        raise TemplateError(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header = next(rows_iter, None) or ()
        columns: dict[str, int] = {}
        for index, text in enumerate(header):
            key = _HEADER_LOOKUP.get(_header_key(text))
            if key and key not in columns:
                columns[key] = index
        missing = [
            " / ".join(COLUMN_BY_KEY[k].header for k in group)
            for group in REQUIRED_GROUPS
            if not any(k in columns for k in group)
        ]
        if missing:
            raise TemplateError(
                _(
                    "The first row must hold the template's column headers; missing: "
                    "%(columns)s. Download the template and copy your rows into it."
                )
                % {"columns": "; ".join(missing)}
            )
        rows = []
        name_index = columns.get("name")
        for number, values in enumerate(rows_iter, start=2):
            if not any(_text(v) for v in values):
                continue
            if name_index is not None and name_index < len(values):
                if fold(_text(values[name_index])).startswith(fold(EXAMPLE_PREFIX)):
                    continue
            rows.append((number, list(values)))
            if len(rows) > MAX_ROWS:
                raise TemplateError(
                    _("A file may hold at most %(max)s rows; split it into several files.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
                )
        if not rows:
            raise TemplateError(_("The file has no rows to import under the header row."))
        return ParsedFile(columns=columns, rows=rows)
    finally:
        workbook.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _identifier(value, length: int, branch_length: int | None = None) -> str:
    """Excel stores 0100109106 typed into a number cell as 100109106: put the zeros back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        digits = str(value)
        if len(digits) < length:
            return digits.zfill(length)
        if branch_length and length < len(digits) < branch_length:  # a branch code
            return digits.zfill(branch_length)
        return digits
    return _text(value)


@dataclass
class RowError:
    message: str
    # For a duplicate of a registered establishment: that record (the preview links to it
    # for users who may see its province).
    record: int | None = None
    record_province: int | None = None

    def stored(self) -> dict:
        return {
            "message": self.message,
            "record": self.record,
            "record_province": self.record_province,
        }


@dataclass
class RowResult:
    number: int
    values: dict[str, str]  # as written, by column key
    cleaned: dict | None = None
    errors: list[RowError] = field(default_factory=list)
    foreign_code: int | None = None  # a commune code not found in the province
    warnings: list[str] = field(default_factory=list)  # shown, the row is still imported

    @property
    def ok(self) -> bool:
        return not self.errors

    def stored(self) -> dict:
        """The row as :class:`beneficiaries.models.ImportRow` keeps it (JSON values, the
        foreign keys as ids), so the preview and the confirmation need not read the file."""
        cleaned = None
        if self.ok:
            cleaned = {k: v for k, v in self.cleaned.items() if k not in ("commune", "sector")}
            cleaned["commune_id"] = self.cleaned["commune"].pk
            cleaned["province_id"] = self.cleaned["commune"].province_id
            cleaned["sector_id"] = self.cleaned["sector"].pk
        return {
            "number": self.number,
            "ok": self.ok,
            "values": self.values,
            "cleaned": cleaned,
            "tax_code": cleaned["tax_code"] if cleaned else None,
            "citizen_id": cleaned["citizen_id"] if cleaned else None,
            "errors": [e.stored() for e in self.errors],
            "warnings": self.warnings,
        }


class _Lookups:
    """Everything a row is matched against, loaded once per file."""

    def __init__(self, province):
        self.province = province
        self.by_code: dict[int, Commune] = {}
        self.by_name: dict[str, list[Commune]] = {}
        for commune in Commune.objects.filter(province=province).select_related("province"):
            self.by_code[commune.code] = commune
            names = {commune.name_folded}
            for prefix in _DIVISION_PREFIXES:
                if commune.name_folded.startswith(prefix):
                    names.add(commune.name_folded[len(prefix) :])
            for name in names:
                self.by_name.setdefault(name, []).append(commune)
        self.sectors: dict[str, Sector] = {}
        for sector in Sector.objects.all():
            self.sectors[fold(sector.code)] = sector
            self.sectors[fold(sector.name)] = sector
        self.legal_forms = legal_form_lookup()


def validate_rows(*, parsed: ParsedFile, actor, province) -> list[RowResult]:
    """Check every row of ``parsed`` for an import into ``province`` by ``actor``: the
    same rules as the form, plus commune matching and duplicates within the file."""
    lookups = _Lookups(province)
    results = []
    for number, cells in parsed.rows:
        values = {}
        for key, index in parsed.columns.items():
            cell = cells[index] if index < len(cells) else None
            if key == "tax_code":
                values[key] = _identifier(cell, 10, branch_length=13)
            elif key == "citizen_id":
                values[key] = _identifier(cell, 12)
            elif key == "phone":
                values[key] = _identifier(cell, 10)
            else:
                values[key] = _text(cell)
        results.append(_validate_row(number, values, actor, lookups))
    _foreign_commune_codes(results, province)
    _duplicates(results)
    return results


# A cell beginning with one of these is a formula in a spreadsheet, never a name or an
# address: the row is refused. "+" and "-" also start formulas but begin real text too
# (a "+84" phone number, a "- " list line): those rows are imported with a warning, and
# every export writes them as text anyway (core.excel.workbook_bytes).
FORMULA_REFUSED = ("=", "@")
FORMULA_WARNED_EXCEPT = ("phone", "workers")  # checked by their own rules


def _formula_checks(row: RowResult, values: dict) -> None:
    """Flag the cells a spreadsheet could run as a formula (spreadsheet injection)."""
    for key, value in values.items():
        if not formula_like(value) or key not in COLUMN_BY_KEY:
            continue  # (a legacy column is not imported at all)
        column = COLUMN_BY_KEY[key].header
        if value.startswith(FORMULA_REFUSED):
            row.errors.append(
                RowError(
                    _(
                        "“%(column)s” begins with “%(sign)s”, so a spreadsheet would run it as "
                        "a formula: write the text without it."
                    )
                    % {"column": column, "sign": value[0]}
                )
            )
        elif key not in FORMULA_WARNED_EXCEPT:
            row.warnings.append(
                _(
                    "“%(column)s” begins with “%(sign)s”, which a spreadsheet may take for a "
                    "formula: check that it is meant. It is kept as written."
                )
                % {"column": column, "sign": value[0]}
            )


def _validate_row(number, values, actor, lookups: _Lookups) -> RowResult:
    row = RowResult(number=number, values=values)
    _formula_checks(row, values)
    for key in REQUIRED_VALUES:
        if not values.get(key):
            row.errors.append(
                RowError(
                    _("The required column “%(column)s” is empty.")
                    % {"column": COLUMN_BY_KEY[key].header}
                )
            )
    data = {
        key: values.get(key, "")
        for key in (
            "name",
            "tax_code",
            "citizen_id",
            "address",
            "product_line",
            "representative",
            "phone",
            "email",
        )
    }
    legal_form = values.get("legal_form", "")
    data["legal_form"] = lookups.legal_forms.get(fold(legal_form))
    if legal_form and data["legal_form"] is None:
        row.errors.append(
            RowError(
                _("Unknown legal form “%(value)s”: use a code from the second sheet.")
                % {"value": legal_form}
            )
        )
    sector = values.get("sector", "")
    data["sector"] = lookups.sectors.get(fold(sector))
    if sector and data["sector"] is None:
        row.errors.append(
            RowError(
                _("Unknown sector “%(value)s”: use a code from the second sheet.")
                % {"value": sector}
            )
        )
    data["commune"] = _commune(row, values, lookups)
    if values.get("legacy_craft_village", "").strip():
        row.warnings.append(
            _(
                "The craft village columns are no longer imported: a province's administrator "
                "records the establishment as a member in the register of craft villages."
            )
        )
    workers = values.get("workers", "").replace(".", "").replace(",", "").replace(" ", "")
    if not workers:
        data["workers"] = 0
    elif workers.isdigit():
        data["workers"] = int(workers)
    else:
        row.errors.append(RowError(_("The number of workers is a whole number, 0 or more.")))
        data["workers"] = 0
    for key in BOOLEAN_FIELDS:
        text = fold(values.get(key, ""))
        if text in _TRUE:
            data[key] = True
        elif text in _FALSE:
            data[key] = False
        else:
            data[key] = False
            row.errors.append(
                RowError(
                    _("“%(column)s”: write x for yes and leave the cell empty for no.")
                    % {"column": COLUMN_BY_KEY[key].header}
                )
            )
    if row.errors or row.foreign_code is not None:
        # Rule checks on half-parsed data would only repeat these errors.
        return row
    try:
        row.cleaned = beneficiary_clean(actor=actor, data=data)
    except ValidationError as exc:
        for messages in exc.message_dict.values():
            row.errors.extend(RowError(m) for m in messages)
    return row


def _commune(row: RowResult, values, lookups: _Lookups):
    code_text = values.get("commune_code", "").strip()
    name = values.get("commune_name", "").strip()
    if not code_text and not name:
        row.errors.append(RowError(_("Give the commune or ward (its code or its name).")))
        return None
    if code_text:
        if not code_text.isdigit():
            row.errors.append(
                RowError(_("The commune code “%(value)s” is not a number.") % {"value": code_text})
            )
            return None
        commune = lookups.by_code.get(int(code_text))
        if commune is None:
            row.foreign_code = int(code_text)  # explained in bulk by _foreign_commune_codes
            return None
        if name and fold(name) not in (commune.name_folded, _without_prefix(commune.name_folded)):
            row.errors.append(
                RowError(
                    _("The commune code %(code)s is %(commune)s, not “%(name)s”.")
                    % {"code": code_text, "commune": commune.name, "name": name}
                )
            )
            return None
        return commune
    matches = lookups.by_name.get(fold(name), [])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        row.errors.append(
            RowError(
                _("Several communes or wards of %(province)s are called “%(name)s”: give the code.")
                % {"province": lookups.province.name, "name": name}
            )
        )
    else:
        row.errors.append(
            RowError(
                _("There is no commune or ward “%(name)s” in %(province)s.")
                % {"name": name, "province": lookups.province.name}
            )
        )
    return None


def _without_prefix(folded: str) -> str:
    for prefix in _DIVISION_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def _foreign_commune_codes(results: list[RowResult], province) -> None:
    """A code not found in the province: another province's commune, or no commune."""
    pending = [r for r in results if r.foreign_code is not None]
    if not pending:
        return
    codes = {r.foreign_code for r in pending}
    found = {c.code: c for c in Commune.objects.filter(code__in=codes).select_related("province")}
    for row in pending:
        commune = found.get(row.foreign_code)
        if commune is None:
            row.errors.insert(
                0,
                RowError(
                    _("There is no commune or ward with the code %(code)s.")
                    % {"code": row.foreign_code}
                ),
            )
        else:
            row.errors.insert(
                0,
                RowError(
                    _("%(commune)s (code %(code)s) is in %(other)s, outside %(province)s.")
                    % {
                        "commune": commune.name,
                        "code": commune.code,
                        "other": commune.province.name,
                        "province": province.name,
                    }
                ),
            )
        row.cleaned = None


def _duplicates(results: list[RowResult]) -> None:
    """Duplicates within the file (a later row repeating an earlier one's identifier, even
    if the earlier row has errors of its own: both are to be looked at) and in the registry
    (one query for the whole file)."""
    first_row: dict[tuple[str, str], int] = {}
    for row in results:
        key = _raw_identity(row.values)
        if key is None:
            continue
        if key in first_row:
            row.errors.append(
                RowError(
                    _("Row %(row)s of this file has the same %(what)s.")
                    % {"row": first_row[key], "what": _identity_label(key[0])}
                )
            )
            row.cleaned = None
        else:
            first_row[key] = row.number
    keys = [_identity(row.cleaned) for row in results if row.cleaned is not None]
    tax_codes = [k[1] for k in keys if k[0] == "tax_code"]
    citizen_ids = [k[1] for k in keys if k[0] == "citizen_id"]
    existing = {}
    if keys:
        qs = Beneficiary.objects.select_related("province").filter(
            Q(tax_code__in=tax_codes) | Q(citizen_id__in=citizen_ids)
        )
        for record in qs:
            if record.tax_code:
                existing[("tax_code", record.tax_code)] = record
            if record.citizen_id:
                existing[("citizen_id", record.citizen_id)] = record
    for row in results:
        if row.cleaned is None:
            continue
        kind, value = _identity(row.cleaned)
        record = existing.get((kind, value))
        if record is None:
            continue
        row.errors.append(registered_error(kind, record))
        row.cleaned = None


def registered_error(kind: str, record: Beneficiary, *, since_upload: bool = False) -> RowError:
    """A row whose ``kind`` of identifier ("tax_code", "citizen_id") is that of ``record``,
    found at upload or, with ``since_upload``, registered between the upload and the
    confirmation. ``record.province`` is read."""
    if since_upload:
        message = _(
            "Registered after this file was uploaded, with the same %(what)s: %(name)s "
            "(%(province)s)."
        )
    else:
        message = _("Already in the registry with the same %(what)s: %(name)s (%(province)s).")
    return RowError(
        message
        % {"what": _identity_label(kind), "name": record.name, "province": record.province.name},
        record=record.pk,
        record_province=record.province_id,
    )


def _raw_identity(values: dict) -> tuple[str, str] | None:
    tax_code = tax_code_normalise(values.get("tax_code"))
    if tax_code:
        return ("tax_code", tax_code)
    citizen_id = citizen_id_normalise(values.get("citizen_id"))
    if citizen_id:
        return ("citizen_id", citizen_id)
    return None


def _identity(cleaned: dict) -> tuple[str, str]:
    if cleaned["tax_code"]:
        return ("tax_code", cleaned["tax_code"])
    return ("citizen_id", cleaned["citizen_id"])


def _identity_label(kind: str) -> str:
    return _("tax code") if kind == "tax_code" else _("citizen ID")
