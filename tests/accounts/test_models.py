import pytest
from django.db import IntegrityError, transaction

from accounts.models import Agency
from reference.models import Province


@pytest.mark.django_db
def test_every_province_has_its_department_and_promotion_centre(world):
    assert Agency.objects.filter(kind="ministry_department").count() == 1
    for province in Province.objects.all():
        kinds = set(province.agencies.values_list("kind", flat=True))
        assert {"department", "promotion_centre"} <= kinds, province
    sonla = Agency.objects.get(kind="department", province__code=14)
    assert sonla.name == "Sở Công Thương tỉnh Sơn La"
    hanoi = Agency.objects.get(kind="promotion_centre", province__code=1)
    assert hanoi.name == "Trung tâm Khuyến công thành phố Hà Nội"


@pytest.mark.django_db
def test_the_database_refuses_a_ministry_department_with_a_province(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(
            kind="ministry_department", name="X", province=Province.objects.first()
        )


@pytest.mark.django_db
def test_the_database_refuses_a_provincial_agency_without_province(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(kind="promotion_centre", name="Y", province=None)


@pytest.mark.django_db
def test_the_database_refuses_a_second_department_in_a_province(world):
    province = Province.objects.get(code=14)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(kind="department", name="Sở thứ hai", province=province)
    # Other implementing units may be many.
    Agency.objects.create(kind="other_unit", name="Trường Cao đẳng A", province=province)
    Agency.objects.create(kind="other_unit", name="Trường Cao đẳng B", province=province)
