"""Builders for establishments and import batches (used across tests, and by the
URL-enumerating isolation test)."""

from __future__ import annotations

import io
import itertools

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from openpyxl import Workbook

from beneficiaries import imports
from beneficiaries.imports import COLUMNS
from beneficiaries.models import Beneficiary, ImportBatch, ImportRow, LegalForm, Sector
from beneficiaries.validators import tax_code_check_digit
from core.text import fold
from reference.models import Commune, Province

# Prefix 98 is not used by the demo data, so test tax codes never collide with it.
_serial = itertools.count(1)


def valid_tax_code(prefix: str = "98") -> str:
    """A fresh tax code with a correct check digit."""
    while True:
        first_nine = f"{prefix}{next(_serial):07d}"
        check = tax_code_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def wrong_check_digit(code: str) -> str:
    return code[:9] + str((int(code[9]) + 1) % 10)


def commune_of(province_code: int, division_type: str = "xa") -> Commune:
    return (
        Commune.objects.filter(province__code=province_code, division_type=division_type)
        .order_by("code")
        .first()
    )


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    """Writes the row directly (tests of services go through the services)."""

    class Meta:
        model = Beneficiary

    legal_form = LegalForm.COOPERATIVE
    name = factory.Sequence(lambda n: f"Hợp tác xã Thử nghiệm số {n}")
    name_folded = factory.LazyAttribute(lambda o: fold(o.name))
    tax_code = factory.LazyFunction(valid_tax_code)
    citizen_id = None
    commune = factory.LazyFunction(lambda: commune_of(1))
    province = factory.LazyAttribute(lambda o: o.commune.province)
    sector = factory.LazyFunction(lambda: Sector.objects.get(code="thu-cong-my-nghe"))
    workers = 10


def beneficiary_in(province: Province) -> Beneficiary:
    name = f"Cơ sở thử nghiệm {province.short_name}"
    existing = Beneficiary.objects.filter(province=province, name=name).first()
    if existing:
        return existing
    commune = Commune.objects.filter(province=province).order_by("code").first()
    return BeneficiaryFactory(commune=commune, name=name)


def workbook_bytes(rows: list[dict], headers=None) -> bytes:
    """An import file: the template's headers and ``rows`` (dicts by column key)."""
    workbook = Workbook()
    sheet = workbook.active
    columns = headers or [c.header for c in COLUMNS]
    sheet.append(columns)
    keys = [c.key for c in COLUMNS]
    for row in rows:
        sheet.append([row.get(k, "") for k in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_batch_in(province: Province) -> ImportBatch:
    """A batch awaiting confirmation, its file (one good row) in the default storage and
    the row as the upload stores it.

    The file is written once per storage and province (the isolation test asks for many
    batches; the database is rolled back after each test, the storage is not)."""
    from accounts.models import User

    existing = ImportBatch.objects.filter(province=province, original_filename="thu-nghiem.xlsx")
    if existing.exists():
        return existing.first()
    name = f"imports/thu-nghiem-{province.code}.xlsx"
    if not default_storage.exists(name):
        commune = Commune.objects.filter(province=province).order_by("code").first()
        content = workbook_bytes(
            [
                {
                    "name": f"Tổ hợp tác Thử nghiệm {province.short_name}",
                    "legal_form": "THT",
                    "tax_code": valid_tax_code("97"),
                    "commune_code": commune.code,
                    "sector": "khac",
                }
            ]
        )
        name = default_storage.save(name, ContentFile(content))
    uploader = User.objects.filter(agency__province=province).first()
    with default_storage.open(name, "rb") as fh:
        parsed = imports.read_workbook(fh.read())
    results = imports.validate_rows(parsed=parsed, actor=uploader, province=province)
    batch = ImportBatch.objects.create(
        province=province,
        file=name,
        original_filename="thu-nghiem.xlsx",
        created_by=uploader,
        row_count=len(results),
        valid_count=sum(1 for r in results if r.ok),
    )
    ImportRow.objects.bulk_create([ImportRow(batch=batch, **r.stored()) for r in results])
    return batch
