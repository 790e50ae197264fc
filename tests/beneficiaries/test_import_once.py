"""The import reads and checks the workbook once, at upload: the preview, the errors download
and the confirmation use the stored rows. The confirmation checks again, set-wise, only what
can have changed since (establishments registered meanwhile, a sector removed), reports each
such row in Vietnamese, and still has the database constraints behind it. A file of 10,000
rows goes through."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from bench.datasets import import_workbook
from beneficiaries import imports, selectors, services
from beneficiaries.models import Beneficiary, ImportBatch, Sector
from reference.models import Province
from tests.beneficiaries.factories import (
    BeneficiaryFactory,
    commune_of,
    valid_tax_code,
    workbook_bytes,
)


def _upload(client, content: bytes, name="co-so.xlsx"):
    response = client.post(
        reverse("beneficiary-import"),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )
    assert response.status_code == 302, response.context["form"].errors
    return ImportBatch.objects.latest("created_at")


def _rows(n, **extra):
    commune = commune_of(14)
    return [
        {
            "name": f"Tổ hợp tác Thử {i}",
            "legal_form": "THT",
            "tax_code": valid_tax_code(),
            "commune_code": commune.code,
            "sector": "khac",
            **extra,
        }
        for i in range(n)
    ]


def _errors_download(client, batch) -> dict[int, str]:
    response = client.get(reverse("beneficiary-import-errors", args=[batch.pk]))
    assert response.status_code == 200
    table = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = table[0]
    return {
        row[header.index("Dòng trong tệp gốc")]: row[header.index(imports.ERROR_HEADER)]
        for row in table[1:]
    }


@pytest.mark.django_db
def test_the_workbook_is_opened_once_from_upload_to_confirmation(client, users, monkeypatch):
    """openpyxl's loader is counted (the real one runs) across upload, preview (both tabs,
    two pages), errors download, confirmation and the page after it: one opening. The file
    is even removed from the storage after the upload, and everything still works."""
    opened = []
    real = imports.load_workbook

    def counting(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "load_workbook", counting)
    client.force_login(users["sct-sonla"])
    rows = _rows(150)
    rows[120]["tax_code"] = "0100109107"  # wrong check digit
    batch = _upload(client, workbook_bytes(rows))
    assert len(opened) == 1
    assert batch.rows.count() == 150 and batch.valid_count == 149
    default_storage.delete(batch.file.name)

    preview = reverse("beneficiary-import-preview", args=[batch.pk])
    first = client.get(preview)
    assert [r.number for r in first.context["rows"]] == list(range(2, 102))
    second = client.get(preview, {"page": 2})
    assert [r.number for r in second.context["rows"]] == list(range(102, 152))
    errors = client.get(preview, {"only": "errors"})
    assert [r.number for r in errors.context["rows"]] == [122]
    assert "Chữ số kiểm tra" in errors.content.decode()
    assert set(_errors_download(client, batch)) == {122}

    before = Beneficiary.objects.count()
    response = client.post(reverse("beneficiary-import-confirm", args=[batch.pk]))
    assert response.status_code == 302
    assert Beneficiary.objects.count() == before + 149
    after = client.get(preview)
    assert 'data-testid="import-result"' in after.content.decode()
    assert [r.number for r in after.context["rows"]] == [122]
    assert set(_errors_download(client, batch)) == {122}
    assert len(opened) == 1


@pytest.mark.django_db
def test_rows_registered_after_the_upload_are_refused_at_confirmation(client, users):
    """Between upload and confirmation someone registers two of the file's establishments
    (one by tax code in Hà Nội, one household by CCCD): those two rows are refused with the
    reason in Vietnamese, the others are written once, the errors download lists them."""
    client.force_login(users["sct-sonla"])
    rows = _rows(5)
    rows.append(
        {
            "name": "Hộ kinh doanh Lò Văn Pọm",
            "legal_form": "HKD",
            "citizen_id": "014190099999",
            "commune_code": commune_of(14).code,
            "sector": "khac",
        }
    )
    batch = _upload(client, workbook_bytes(rows))
    assert batch.valid_count == 6
    elsewhere = BeneficiaryFactory(
        name="Công ty Đăng ký trước", tax_code=rows[1]["tax_code"], commune=commune_of(1)
    )
    household = BeneficiaryFactory(
        name="Hộ Lò Văn Pọm (nhập tay)",
        legal_form="household_business",
        tax_code=None,
        citizen_id="014190099999",
        commune=commune_of(14),
    )
    before = Beneficiary.objects.count()
    client.post(reverse("beneficiary-import-confirm", args=[batch.pk]))
    assert Beneficiary.objects.count() == before + 4

    batch.refresh_from_db()
    assert batch.is_confirmed and batch.created_count == 4 and batch.refused_count == 2
    refused = {r.number: r for r in batch.rows.filter(ok=False)}
    assert sorted(refused) == [3, 7]
    assert refused[3].errors[-1]["message"] == (
        "Đã có người đăng ký sau khi tệp này được tải lên, cùng mã số thuế: "
        "Công ty Đăng ký trước (Thành phố Hà Nội)."
    )
    assert refused[3].errors[-1]["record"] == elsewhere.pk
    assert refused[7].errors[-1]["record"] == household.pk
    assert "số CCCD" in refused[7].errors[-1]["message"]
    downloaded = _errors_download(client, batch)
    assert set(downloaded) == {3, 7} and "Công ty Đăng ký trước" in downloaded[3]
    # The Sở user of Sơn La gets a link to the Sơn La household only.
    page = client.get(reverse("beneficiary-import-preview", args=[batch.pk]))
    shown = {r.number: r.shown_errors[-1]["url"] for r in page.context["rows"]}
    assert shown == {3: "", 7: reverse("beneficiary-detail", args=[household.pk])}


@pytest.mark.django_db
def test_a_sector_removed_after_the_upload_refuses_its_rows(client, users):
    Sector.objects.create(code="tam-thoi", name="Ngành tạm thời", order=99)
    client.force_login(users["sct-sonla"])
    rows = _rows(3)
    rows[0]["sector"] = "tam-thoi"
    batch = _upload(client, workbook_bytes(rows))
    assert batch.valid_count == 3
    Sector.objects.filter(code="tam-thoi").delete()
    batch = services.import_batch_confirm(batch=batch, actor=users["sct-sonla"])
    assert batch.created_count == 2
    refused = batch.rows.get(ok=False)
    assert refused.number == 2
    assert "Ngành nghề của dòng này đã bị xóa khỏi danh mục." in refused.errors[-1]["message"]


@pytest.mark.django_db
def test_the_unique_constraints_remain_the_last_guard(users, monkeypatch):
    """An establishment registered after the confirmation's check and before its insert (the
    check is made to miss it, as if the other transaction committed in between): the unique
    constraint refuses the insert, the chunk is written again without that row, which is
    refused with the reason."""
    sonla = Province.objects.get(code=14)
    actor = users["sct-sonla"]
    rows = _rows(4)
    batch = services.import_batch_create(
        actor=actor,
        upload=SimpleUploadedFile("co-so.xlsx", workbook_bytes(rows)),
        province=sonla,
    )
    BeneficiaryFactory(name="Đăng ký chen ngang", tax_code=rows[2]["tax_code"])
    real = services._import_changes
    calls = []

    def first_check_misses(batch, rows):
        calls.append(1)
        return {} if len(calls) == 1 else real(batch, rows)

    monkeypatch.setattr(services, "_import_changes", first_check_misses)
    before = Beneficiary.objects.count()
    batch = services.import_batch_confirm(batch=batch, actor=actor)
    assert len(calls) == 2  # the check before the insert, then the one after the refusal
    assert Beneficiary.objects.count() == before + 3 and batch.created_count == 3
    refused = batch.rows.get(ok=False)
    assert refused.number == 4 and "Đăng ký chen ngang" in refused.errors[-1]["message"]


@pytest.mark.django_db
def test_confirmation_queries_do_not_grow_with_rows(client, users, django_assert_max_num_queries):
    """The checks at confirmation are set-wise: the same number of queries for 3 and for 300
    rows (the rows are written in chunks of a thousand)."""
    actor = users["sct-sonla"]

    def confirm_queries(n):
        batch = services.import_batch_create(
            actor=actor, upload=SimpleUploadedFile("co-so.xlsx", workbook_bytes(_rows(n)))
        )
        with django_assert_max_num_queries(20) as captured:
            confirmed = services.import_batch_confirm(batch=batch, actor=actor)
        assert confirmed.created_count == n
        return len(captured.captured_queries)

    assert confirm_queries(3) == confirm_queries(300)


@pytest.mark.django_db
def test_an_upload_in_english_still_matches_vietnamese_legal_form_names(client, users):
    client.force_login(users["sct-sonla"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    batch = _upload(client, workbook_bytes(_rows(1, legal_form="Tổ hợp tác")))
    assert batch.valid_count == 1


@pytest.mark.django_db
@pytest.mark.slow
def test_ten_thousand_rows_in_one_file(client, users, django_assert_max_num_queries):
    sonla = Province.objects.get(code=14)
    content = import_workbook(province=sonla, rows=imports.MAX_ROWS)
    assert len(content) < imports.MAX_UPLOAD_BYTES
    imports.workbook_size_check(content)
    client.force_login(users["sct-sonla"])
    batch = _upload(client, content, "muoi-nghin.xlsx")
    assert batch.row_count == 10_000 and batch.valid_count == 10_000
    assert batch.rows.count() == 10_000

    preview = reverse("beneficiary-import-preview", args=[batch.pk])
    with django_assert_max_num_queries(12):
        page = client.get(preview, {"page": 100})
    assert len(page.context["rows"]) == selectors.IMPORT_PAGE_SIZE
    assert page.context["rows"][-1].number == 10_001
    assert 'data-testid="row-count">10.000<' in page.content.decode()

    before = Beneficiary.objects.count()
    client.post(reverse("beneficiary-import-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.is_confirmed and batch.created_count == 10_000
    assert Beneficiary.objects.count() == before + 10_000
    assert Beneficiary.objects.filter(province=sonla, created_by=users["sct-sonla"]).count() >= (
        10_000
    )


@pytest.mark.django_db
def test_a_batch_uploaded_before_the_rows_were_stored_asks_for_the_file_again(client, users):
    """Migration 0005 keeps no rows for a batch that was awaiting confirmation: its page
    says to upload the file again, and it cannot be confirmed."""
    batch = ImportBatch.objects.create(
        province=Province.objects.get(code=14),
        file="imports/cu.xlsx",
        original_filename="cu.xlsx",
        row_count=3,
        valid_count=3,
    )
    client.force_login(users["sct-sonla"])
    page = client.get(reverse("beneficiary-import-preview", args=[batch.pk]))
    assert page.status_code == 200 and "vui lòng tải tệp lên lại" in page.content.decode()
    assert 'data-testid="confirm"' not in page.content.decode()
    before = Beneficiary.objects.count()
    client.post(reverse("beneficiary-import-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "preview" and Beneficiary.objects.count() == before
