"""The registry list: scope, accent-insensitive search, filters, order."""

import pytest
from django.test import RequestFactory

from beneficiaries.filters import BeneficiaryFilterSet
from beneficiaries.models import LegalForm, Sector
from beneficiaries.selectors import beneficiary_list
from tests.beneficiaries.factories import BeneficiaryFactory, commune_of


def listed(user, **params):
    """The rows of the list for this query string: the user's scope, then the filters."""
    request = RequestFactory().get(
        "/beneficiaries/", {k: getattr(v, "pk", v) for k, v in params.items()}
    )
    request.user = user
    filterset = BeneficiaryFilterSet(
        request.GET or None, queryset=beneficiary_list(user=user), request=request
    )
    return filterset.qs


@pytest.fixture
def sample(world):
    sonla_ward, sonla_commune = commune_of(14, "phuong"), commune_of(14, "xa")
    crafts = Sector.objects.get(code="thu-cong-my-nghe")
    textiles = Sector.objects.get(code="det-may-da-giay")
    return {
        "tho_cam": BeneficiaryFactory(
            name="Hợp tác xã Dệt thổ cẩm Bản Mòng", commune=sonla_ward, sector=textiles
        ),
        "che": BeneficiaryFactory(
            name="Tổ hợp tác Chè Shan tuyết",
            legal_form=LegalForm.COOPERATIVE_GROUP,
            commune=sonla_commune,
            sector=Sector.objects.get(code="nong-lam-thuy-san"),
        ),
        "household": BeneficiaryFactory(
            name="Hộ kinh doanh Lò Thị Đào",
            legal_form=LegalForm.HOUSEHOLD_BUSINESS,
            tax_code=None,
            citizen_id="014190054321",
            commune=sonla_commune,
            sector=crafts,
        ),
        "hanoi": BeneficiaryFactory(
            name="Hợp tác xã Dệt lụa Vạn Phúc", commune=commune_of(1, "phuong"), sector=textiles
        ),
    }


def _names(qs):
    return set(qs.values_list("name", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["det tho cam", "Dệt thổ cẩm", "DỆT THỔ", "  thổ   cẩm  "])
def test_search_ignores_accents_case_and_spaces(users, sample, query):
    found = listed(users["sct-sonla"], q=query)
    assert sample["tho_cam"] in found
    assert sample["che"] not in found


@pytest.mark.django_db
def test_search_by_tax_code_prefix_and_by_citizen_id(users, sample):
    code = sample["che"].tax_code
    by_prefix = listed(users["sct-sonla"], q=code[:7])
    assert sample["che"] in by_prefix
    assert all(t.startswith(code[:7]) for t in by_prefix.values_list("tax_code", flat=True))
    assert list(listed(users["sct-sonla"], q=code)) == [sample["che"]]
    found = listed(users["sct-sonla"], q="014 190 054 321")
    assert list(found) == [sample["household"]]


@pytest.mark.django_db
def test_search_finds_a_branch_by_its_13_digits(users, sample):
    parent = sample["che"].tax_code
    branch = BeneficiaryFactory(tax_code=f"{parent}-002", commune=commune_of(14))
    found = listed(users["sct-sonla"], q=f"{parent}002")
    assert list(found) == [branch]


@pytest.mark.django_db
def test_a_provincial_user_never_sees_another_province(users, sample):
    everything = listed(users["sct-sonla"])
    assert set(everything.values_list("province__code", flat=True)) == {14}
    assert sample["hanoi"] not in listed(users["sct-sonla"], q="dệt")
    # Even when the link names another province: the parameter is not a provincial
    # user's filter, and no filter widens the scope.
    hanoi = sample["hanoi"].province
    named = listed(users["sct-sonla"], province=hanoi)
    assert set(named.values_list("province__code", flat=True)) == {14}


@pytest.mark.django_db
def test_national_users_search_every_province(users, sample):
    found = listed(users["ministry"], q="det")
    assert {sample["tho_cam"], sample["hanoi"]} <= set(found)


@pytest.mark.django_db
def test_filters(users, sample):
    user = users["ministry"]
    by_form = listed(user, legal_form=LegalForm.COOPERATIVE_GROUP)
    assert sample["che"] in by_form and sample["tho_cam"] not in by_form
    assert set(by_form.values_list("legal_form", flat=True)) == {"cooperative_group"}

    # A national user chooses the province first; its communes are then offered.
    che = sample["che"]
    by_commune = listed(user, province=che.province, commune=che.commune)
    assert set(by_commune.values_list("commune", flat=True)) == {che.commune_id}

    by_sector = listed(user, sector=sample["household"].sector)
    assert set(by_sector.values_list("sector__code", flat=True)) == {"thu-cong-my-nghe"}

    by_province = listed(user, province=sample["hanoi"].province)
    assert set(by_province.values_list("province__code", flat=True)) == {1}

    combined = listed(user, q="det", province=sample["tho_cam"].province)
    assert sample["tho_cam"] in combined and sample["hanoi"] not in combined


@pytest.mark.django_db
def test_ordered_by_name_without_accents(users, sample):
    names = list(listed(users["sct-sonla"]).values_list("name_folded", flat=True))
    assert names == sorted(names)
