"""The registry's pages: list, detail, form, tax-code check; scope and query counts."""

import re

import pytest
from django.urls import reverse

from accounts.models import Agency, Role, User
from beneficiaries.models import Beneficiary, LegalForm, Sector
from reference.models import Province
from tests.beneficiaries.factories import (
    BeneficiaryFactory,
    commune_of,
    valid_tax_code,
    wrong_check_digit,
)
from tests.villages.factories import join, make_village


def _form(commune, **overrides):
    data = {
        "name": "Hợp tác xã Dệt thổ cẩm Bản Mòng",
        "legal_form": LegalForm.COOPERATIVE,
        "tax_code": valid_tax_code(),
        "citizen_id": "",
        "commune": commune.pk,
        "address": "Bản Mòng",
        "sector": Sector.objects.get(code="det-may-da-giay").pk,
        "product_line": "Khăn piêu",
        "workers": "25",
        "woman_owned": "on",
        "representative": "Lò Thị Hoa",
        "phone": "0912345678",
        "email": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def quiet_province(world):
    """A province without demo establishments, and a Sở Công Thương user of it."""
    province = Province.objects.exclude(code__in=[1, 14, 66]).order_by("code").first()
    user = User.objects.create(
        username="sct-quiet",
        role=Role.PROVINCE_STAFF,
        agency=Agency.objects.get(kind="department", province=province),
    )
    return province, user


# --- List -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_own_province_only_with_a_count(client, users, demo_beneficiaries):
    client.force_login(users["sct-sonla"])
    response = client.get(reverse("beneficiary-list"))
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.paginator.count == Beneficiary.objects.filter(province__code=14).count()
    assert len(page.object_list) == 50
    assert {b.province.code for b in page.object_list} == {14}
    body = response.content.decode()
    assert reverse("beneficiary-create") in body and reverse("beneficiary-import") in body
    assert reverse("beneficiary-export") in body


@pytest.mark.django_db
def test_readers_get_no_edit_buttons(client, users):
    client.force_login(users["inspector-hanoi"])
    body = client.get(reverse("beneficiary-list")).content.decode()
    assert reverse("beneficiary-create") not in body
    assert reverse("beneficiary-import") not in body


@pytest.mark.django_db
def test_the_list_searches_without_accents(client, users):
    wanted = BeneficiaryFactory(name="Hợp tác xã Dệt thổ cẩm Chiềng Cơi", commune=commune_of(14))
    client.force_login(users["sct-sonla"])
    response = client.get(reverse("beneficiary-list"), {"q": "det tho cam"})
    found = list(response.context["page_obj"].object_list)
    assert wanted in found
    assert all("det tho cam" in b.name_folded for b in found)


@pytest.mark.django_db
def test_the_list_filters_and_keeps_them_across_pages(client, users, demo_beneficiaries):
    client.force_login(users["ministry"])
    sonla = Province.objects.get(code=14)
    response = client.get(
        reverse("beneficiary-list"), {"province": sonla.pk, "legal_form": "household_business"}
    )
    page = response.context["page_obj"]
    assert {b.province_id for b in page.object_list} == {sonla.pk}
    assert {b.legal_form for b in page.object_list} == {"household_business"}
    if page.has_next():
        assert f"province={sonla.pk}" in re.search(
            r'href="(\?[^"]*page=2[^"]*)"', response.content.decode()
        ).group(1)
    # The national user picks a province; its communes then fill the commune filter.
    assert 'data-hx-get="/reference/communes/options/"' in response.content.decode()


@pytest.mark.django_db
def test_a_malformed_filter_does_not_break_the_list(client, users):
    client.force_login(users["sct-sonla"])
    response = client.get(reverse("beneficiary-list"), {"commune": "abc", "sector": "999999"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_rows(client, quiet_province, django_assert_max_num_queries):
    province, user = quiet_province
    commune = commune_of(province.code, "xa") or province.communes.first()
    client.force_login(user)
    BeneficiaryFactory.create_batch(5, commune=commune)
    with django_assert_max_num_queries(10) as few:
        assert len(client.get(reverse("beneficiary-list")).context["page_obj"].object_list) == 5
    BeneficiaryFactory.create_batch(55, commune=commune)
    with django_assert_max_num_queries(10) as many:
        assert len(client.get(reverse("beneficiary-list")).context["page_obj"].object_list) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Detail ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_detail_page_shows_the_record_eligibility_and_an_empty_history(client, users):
    beneficiary = BeneficiaryFactory(
        name="Hợp tác xã Chè Shan tuyết Tà Xùa",
        commune=commune_of(14),
        product_line="Chè Shan tuyết cổ thụ",
    )
    join(make_village(14, name="Làng nghề chè Tà Xùa", commune=beneficiary.commune), beneficiary)
    client.force_login(users["sct-sonla"])
    response = client.get(reverse("beneficiary-detail", args=[beneficiary.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        beneficiary.name,
        beneficiary.tax_code,
        "Chè Shan tuyết cổ thụ",
        "Làng nghề chè Tà Xùa",
    ):
        assert text in body
    assert response.context["eligibility"].eligible is True
    assert response.context["eligibility"].reason in body
    assert 'data-testid="support-history"' in body
    assert reverse("beneficiary-update", args=[beneficiary.pk]) in body


@pytest.mark.django_db
def test_the_detail_page_in_english_says_no_support_yet(client, users):
    beneficiary = BeneficiaryFactory(commune=commune_of(1, "phuong"))
    client.force_login(users["sct-hanoi"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("beneficiary-detail", args=[beneficiary.pk])).content.decode()
    assert "No support recorded yet" in body
    assert "Not eligible" in body  # a ward of Hà Nội, not in a craft village


@pytest.mark.django_db
def test_another_provinces_record_is_404(client, users):
    foreign = BeneficiaryFactory(commune=commune_of(14))
    client.force_login(users["sct-hanoi"])
    assert client.get(reverse("beneficiary-detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("beneficiary-update", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("beneficiary-update", args=[foreign.pk]), {}).status_code == 404


@pytest.mark.django_db
def test_the_owners_cccd_is_shown_whole_to_editors_only(client, users):
    beneficiary = BeneficiaryFactory(
        legal_form=LegalForm.HOUSEHOLD_BUSINESS,
        tax_code=None,
        citizen_id="001190012345",
        commune=commune_of(1),
    )
    url = reverse("beneficiary-detail", args=[beneficiary.pk])
    client.force_login(users["sct-hanoi"])
    assert "001190012345" in client.get(url).content.decode()
    client.force_login(users["inspector-hanoi"])
    body = client.get(url).content.decode()
    assert "001190012345" not in body and "001******345" in body


@pytest.mark.django_db
def test_detail_queries_are_bounded(client, quiet_province, django_assert_max_num_queries):
    province, user = quiet_province
    beneficiary = BeneficiaryFactory(commune=province.communes.first())
    client.force_login(user)
    # The page reads the establishment, its đề án, its craft village (villages), its
    # certificates (typical_products) and the priorities it meets (priorities): a fixed
    # number, whatever the data.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("beneficiary-detail", args=[beneficiary.pk])).status_code == 200


# --- Create and update ----------------------------------------------------------------


@pytest.mark.django_db
def test_create_from_the_form(client, users):
    client.force_login(users["sct-sonla"])
    commune = commune_of(14, "phuong")
    assert client.get(reverse("beneficiary-create")).status_code == 200
    response = client.post(reverse("beneficiary-create"), _form(commune))
    created = Beneficiary.objects.get(name="Hợp tác xã Dệt thổ cẩm Bản Mòng")
    assert response.status_code == 302
    assert response["Location"] == reverse("beneficiary-detail", args=[created.pk])
    assert created.province.code == 14 and created.woman_owned and created.workers == 25


@pytest.mark.django_db
def test_the_form_offers_only_own_communes_to_a_provincial_user(client, users):
    client.force_login(users["sct-hanoi"])
    response = client.get(reverse("beneficiary-create"))
    offered = {c.province.code for c in response.context["form"].fields["commune"].queryset}
    assert offered == {1}
    before = Beneficiary.objects.count()
    response = client.post(reverse("beneficiary-create"), _form(commune_of(14)))
    assert response.status_code == 200 and "commune" in response.context["form"].errors
    assert Beneficiary.objects.count() == before


@pytest.mark.django_db
def test_a_national_user_picks_the_province_then_the_commune(client, users):
    client.force_login(users["admin"])
    daklak = Province.objects.get(code=66)
    # A commune of another province than the one chosen is refused...
    response = client.post(reverse("beneficiary-create"), _form(commune_of(14), province=daklak.pk))
    assert response.status_code == 200 and "commune" in response.context["form"].errors
    # ...one of the chosen province is accepted.
    response = client.post(reverse("beneficiary-create"), _form(commune_of(66), province=daklak.pk))
    assert response.status_code == 302
    assert Beneficiary.objects.get(name="Hợp tác xã Dệt thổ cẩm Bản Mòng").province == daklak


@pytest.mark.django_db
def test_a_bad_check_digit_is_explained_next_to_the_field(client, users):
    client.force_login(users["sct-sonla"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(
        reverse("beneficiary-create"),
        _form(commune_of(14), tax_code=wrong_check_digit(valid_tax_code())),
    )
    errors = response.context["form"].errors["tax_code"]
    assert errors and errors[0].startswith("The tax code check digit is wrong (expected ")


@pytest.mark.django_db
def test_a_duplicate_tax_code_in_the_form_links_to_the_existing_record(client, users):
    existing = BeneficiaryFactory(name="Hợp tác xã Chè Tà Xùa", commune=commune_of(14))
    client.force_login(users["sct-sonla"])
    before = Beneficiary.objects.count()
    response = client.post(
        reverse("beneficiary-create"), _form(commune_of(14), tax_code=existing.tax_code)
    )
    assert response.status_code == 200
    assert Beneficiary.objects.count() == before
    assert "tax_code" in response.context["form"].errors
    body = response.content.decode()
    link = reverse("beneficiary-detail", args=[existing.pk])
    assert re.search(rf'<a href="{link}"[^>]*>Hợp tác xã Chè Tà Xùa</a>', body)


@pytest.mark.django_db
def test_a_duplicate_in_another_province_is_named_without_a_link(client, users):
    existing = BeneficiaryFactory(name="Công ty TNHH Cà phê Ea Tu", commune=commune_of(66))
    client.force_login(users["sct-sonla"])
    response = client.post(
        reverse("beneficiary-create"), _form(commune_of(14), tax_code=existing.tax_code)
    )
    body = response.content.decode()
    assert "Công ty TNHH Cà phê Ea Tu" in body
    assert reverse("beneficiary-detail", args=[existing.pk]) not in body


@pytest.mark.django_db
def test_update_from_the_form(client, users):
    beneficiary = BeneficiaryFactory(commune=commune_of(14))
    client.force_login(users["ttkc-sonla"])
    url = reverse("beneficiary-update", args=[beneficiary.pk])
    form = client.get(url).context["form"]
    assert form.initial["tax_code"] == beneficiary.tax_code and form.initial["version"] == 1
    response = client.post(
        url, _form(beneficiary.commune, tax_code=beneficiary.tax_code, name="Tên mới", version=1)
    )
    assert response.status_code == 302
    beneficiary.refresh_from_db()
    assert beneficiary.name == "Tên mới" and beneficiary.version == 2
    # The same (now stale) form sent again is refused, not silently overwriting.
    response = client.post(
        url, _form(beneficiary.commune, tax_code=beneficiary.tax_code, name="Khác", version=1)
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    beneficiary.refresh_from_db()
    assert beneficiary.name == "Tên mới"


@pytest.mark.django_db
def test_readers_cannot_open_the_forms(client, users):
    beneficiary = BeneficiaryFactory(commune=commune_of(1))
    client.force_login(users["inspector-hanoi"])
    assert client.get(reverse("beneficiary-create")).status_code == 403
    assert client.get(reverse("beneficiary-update", args=[beneficiary.pk])).status_code == 403


# --- Tax code check (HTMX) --------------------------------------------------------------


@pytest.mark.django_db
def test_tax_code_check(client, users):
    existing = BeneficiaryFactory(name="Hợp tác xã Gốm Bát Tràng", commune=commune_of(1))
    foreign = BeneficiaryFactory(commune=commune_of(14))
    url = reverse("beneficiary-tax-code-check")
    client.force_login(users["sct-hanoi"])

    def state(**params):
        body = client.get(url, params, HTTP_HX_REQUEST="true").content.decode()
        match = re.search(r'data-state="(\w+)"', body)
        return (match.group(1) if match else None), body

    assert state(tax_code="")[0] is None
    assert state(tax_code=wrong_check_digit(valid_tax_code()))[0] == "invalid"
    assert state(tax_code="12345")[0] == "invalid"
    assert state(tax_code=valid_tax_code())[0] == "valid"
    found, body = state(tax_code=existing.tax_code)
    assert found == "exists"
    assert reverse("beneficiary-detail", args=[existing.pk]) in body
    assert state(tax_code=existing.tax_code, exclude=existing.pk)[0] == "valid"
    found, body = state(tax_code=foreign.tax_code)
    assert found == "exists"
    assert reverse("beneficiary-detail", args=[foreign.pk]) not in body


@pytest.mark.django_db
def test_the_tax_code_input_calls_the_check_on_blur(client, users):
    client.force_login(users["sct-hanoi"])
    body = client.get(reverse("beneficiary-create")).content.decode()
    tag = re.search(r'<input[^>]*name="tax_code"[^>]*>', body).group(0)
    assert f'data-hx-get="{reverse("beneficiary-tax-code-check")}"' in tag
    assert 'data-hx-trigger="blur"' in tag and 'data-hx-target="#tax-code-check"' in tag
    assert 'id="tax-code-check"' in body


@pytest.mark.django_db
def test_a_page_beyond_the_end_shows_the_last_page(client, users):
    client.force_login(users["sct-sonla"])
    response = client.get(reverse("beneficiary-list"), {"q": "det tho cam", "page": "99"})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.number == page.paginator.num_pages
