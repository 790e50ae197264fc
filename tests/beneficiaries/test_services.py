"""Creating and changing establishments: province rules, duplicates, database guarantees."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from beneficiaries.models import Beneficiary, LegalForm, Sector
from beneficiaries.rules import DuplicateBeneficiary
from beneficiaries.services import beneficiary_create, beneficiary_update
from tests.beneficiaries.factories import BeneficiaryFactory, commune_of, valid_tax_code


def _data(commune, **overrides):
    data = {
        "legal_form": LegalForm.COOPERATIVE,
        "name": "Hợp tác xã Dệt thổ cẩm Bản Mòng",
        "tax_code": valid_tax_code(),
        "citizen_id": None,
        "commune": commune,
        "address": "Bản Mòng",
        "sector": Sector.objects.get(code="det-may-da-giay"),
        "product_line": "Khăn piêu",
        "workers": 25,
        "woman_owned": True,
        "ethnic_minority_owned": True,
        "representative": "Lò Thị Hoa",
        "phone": "0912345678",
        "email": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_sets_the_province_from_the_commune_and_folds_the_name(users):
    commune = commune_of(14, "phuong")
    created = beneficiary_create(actor=users["sct-sonla"], data=_data(commune))
    created.refresh_from_db()
    assert created.province_id == commune.province_id
    assert created.name_folded == "hop tac xa det tho cam ban mong"
    assert created.created_by == users["sct-sonla"] == created.updated_by
    assert created.version == 1


@pytest.mark.django_db
def test_the_tax_code_is_stored_normalised(users):
    code = valid_tax_code()
    created = beneficiary_create(
        actor=users["sct-sonla"], data=_data(commune_of(14), tax_code=f"{code} - 001")
    )
    assert created.tax_code == f"{code}-001"


@pytest.mark.django_db
def test_a_provincial_user_cannot_register_in_another_province(users):
    before = Beneficiary.objects.count()
    with pytest.raises(ValidationError) as info:
        beneficiary_create(actor=users["sct-hanoi"], data=_data(commune_of(14)))
    assert "commune" in info.value.message_dict
    assert Beneficiary.objects.count() == before


@pytest.mark.django_db
def test_a_ministry_administrator_registers_in_any_province(users):
    created = beneficiary_create(actor=users["admin"], data=_data(commune_of(66)))
    assert created.province.code == 66


@pytest.mark.django_db
def test_only_editors_may_register(users):
    with pytest.raises(PermissionDenied):
        beneficiary_create(actor=users["inspector-hanoi"], data=_data(commune_of(1)))
    with pytest.raises(PermissionDenied):  # a ministry official watches, does not edit
        beneficiary_create(actor=users["ministry"], data=_data(commune_of(1)))


@pytest.mark.django_db
def test_a_duplicate_tax_code_is_refused_and_names_the_existing_record(users):
    existing = BeneficiaryFactory(commune=commune_of(14), name="Hợp tác xã Chè Tà Xùa")
    with pytest.raises(DuplicateBeneficiary) as info, translation.override("en"):
        beneficiary_create(
            actor=users["sct-sonla"], data=_data(commune_of(14), tax_code=existing.tax_code)
        )
    assert info.value.existing == existing
    message = info.value.message_dict["tax_code"][0]
    assert "Hợp tác xã Chè Tà Xùa" in message and "Sơn La" in message


@pytest.mark.django_db
def test_a_duplicate_in_another_province_is_still_a_duplicate(users):
    existing = BeneficiaryFactory(commune=commune_of(66))
    with pytest.raises(DuplicateBeneficiary) as info:
        beneficiary_create(
            actor=users["sct-sonla"], data=_data(commune_of(14), tax_code=existing.tax_code)
        )
    assert info.value.existing == existing


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_tax_code(world):
    existing = BeneficiaryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        BeneficiaryFactory(tax_code=existing.tax_code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"tax_code": "0100109107"[:9]},  # wrong shape (9 digits)
        {"tax_code": "01001091060"},  # 11 digits, no hyphen
        {"tax_code": None, "citizen_id": None},  # no identifier
        {"tax_code": None, "citizen_id": "001090012345"},  # CCCD for a cooperative
        {"tax_code": None, "citizen_id": "00109001234", "legal_form": "household_business"},
        {"legal_form": "household_business", "citizen_id": "001090012345"},  # CCCD + MST
    ],
)
def test_the_database_constraints_hold_without_the_service(world, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        BeneficiaryFactory(**fields)


@pytest.mark.django_db
def test_the_database_accepts_the_owners_cccd_for_a_household_without_tax_code(world):
    created = BeneficiaryFactory(
        legal_form=LegalForm.HOUSEHOLD_BUSINESS, tax_code=None, citizen_id="001090012345"
    )
    assert created.pk
    with pytest.raises(IntegrityError), transaction.atomic():  # and one record per CCCD
        BeneficiaryFactory(legal_form=LegalForm.ARTISAN, tax_code=None, citizen_id="001090012345")


@pytest.mark.django_db
def test_the_database_keeps_the_province_that_of_the_commune(world):
    commune = commune_of(14)
    with pytest.raises(IntegrityError), transaction.atomic():
        BeneficiaryFactory(commune=commune, province=commune_of(1).province)
    beneficiary = BeneficiaryFactory(commune=commune)
    with pytest.raises(IntegrityError), transaction.atomic():
        Beneficiary.objects.filter(pk=beneficiary.pk).update(commune=commune_of(66))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"tax_code": "0100109107"}, "tax_code"),
        ({"tax_code": None}, "tax_code"),
        ({"tax_code": None, "citizen_id": "001090012345"}, "citizen_id"),
        (
            {"legal_form": "household_business", "citizen_id": "001090012345"},
            "citizen_id",
        ),
        ({"workers": -1}, "workers"),
        ({"name": "  "}, "name"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_the_service_explains_each_refusal_next_to_its_field(users, overrides, field):
    with pytest.raises(ValidationError) as info:
        beneficiary_create(actor=users["sct-sonla"], data=_data(commune_of(14), **overrides))
    assert field in info.value.message_dict


@pytest.mark.django_db
def test_a_household_business_may_use_the_owners_cccd(users):
    created = beneficiary_create(
        actor=users["sct-sonla"],
        data=_data(
            commune_of(14),
            legal_form=LegalForm.HOUSEHOLD_BUSINESS,
            tax_code="",
            citizen_id="014 190 012 345",
        ),
    )
    assert created.tax_code is None and created.citizen_id == "014190012345"


@pytest.mark.django_db
def test_update_moves_the_province_with_the_commune_and_bumps_the_version(users):
    beneficiary = BeneficiaryFactory(commune=commune_of(1))
    updated = beneficiary_update(
        beneficiary=beneficiary,
        actor=users["admin"],
        data=_data(commune_of(66), tax_code=beneficiary.tax_code, version=1),
    )
    updated.refresh_from_db()
    assert updated.province.code == 66 and updated.version == 2
    assert updated.updated_by == users["admin"]


@pytest.mark.django_db
def test_update_keeps_its_own_tax_code_but_refuses_another_records(users):
    mine = BeneficiaryFactory(commune=commune_of(14))
    other = BeneficiaryFactory(commune=commune_of(14))
    beneficiary_update(
        beneficiary=mine,
        actor=users["sct-sonla"],
        data=_data(commune_of(14), tax_code=mine.tax_code, name="Tên mới"),
    )
    with pytest.raises(DuplicateBeneficiary):
        beneficiary_update(
            beneficiary=mine,
            actor=users["sct-sonla"],
            data=_data(commune_of(14), tax_code=other.tax_code),
        )


@pytest.mark.django_db
def test_update_refuses_a_stale_form(users):
    beneficiary = BeneficiaryFactory(commune=commune_of(14))
    data = _data(commune_of(14), tax_code=beneficiary.tax_code, version=1)
    beneficiary_update(beneficiary=beneficiary, actor=users["sct-sonla"], data=data)
    with pytest.raises(ValidationError) as info:
        beneficiary_update(
            beneficiary=beneficiary, actor=users["ttkc-sonla"], data={**data, "name": "Khác"}
        )
    assert info.value.code == "stale"
    beneficiary.refresh_from_db()
    assert beneficiary.name == data["name"]


@pytest.mark.django_db
def test_a_provincial_user_cannot_change_another_provinces_record(users):
    beneficiary = BeneficiaryFactory(commune=commune_of(14))
    with pytest.raises(PermissionDenied):
        beneficiary_update(
            beneficiary=beneficiary,
            actor=users["sct-hanoi"],
            data=_data(commune_of(1), tax_code=beneficiary.tax_code),
        )
    with pytest.raises(ValidationError):  # nor move its own record out of the province
        own = BeneficiaryFactory(commune=commune_of(1))
        beneficiary_update(
            beneficiary=own,
            actor=users["sct-hanoi"],
            data=_data(commune_of(14), tax_code=own.tax_code),
        )
