import pytest
from django.core.management import CommandError, call_command

from accounts.models import Agency, Role, User
from demo.seeding import DEMO_PASSWORD
from reference.models import Commune, LegacyCommune, Province


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_twice_duplicates_nothing(world):
    call_command("seed_demo")
    counts = (User.objects.count(), Agency.objects.count(), Commune.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Agency.objects.count(), Commune.objects.count()) == counts
    assert counts[1] == 1 + 2 * 34


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_seed_demo_loads_reference_data_first_when_missing():
    LegacyCommune.objects.all().delete()  # they point at today's communes
    Commune.objects.all().delete()
    call_command("seed_demo")
    assert Commune.objects.count() == 3321
    assert LegacyCommune.objects.count() == 10_040
    assert Province.objects.count() == 34


@pytest.mark.django_db
def test_demo_accounts_have_their_roles_and_provinces(world):
    expected = {
        "ministry": (Role.MINISTRY_OFFICIAL, None),
        "sct-hanoi": (Role.PROVINCE_STAFF, 1),
        "ttkc-hanoi": (Role.CENTRE_STAFF, 1),
        "inspector-hanoi": (Role.INSPECTOR, 1),
        "sct-sonla": (Role.PROVINCE_STAFF, 14),
        "ttkc-sonla": (Role.CENTRE_STAFF, 14),
        "sct-daklak": (Role.PROVINCE_STAFF, 66),
        "ttkc-daklak": (Role.CENTRE_STAFF, 66),
    }
    for username, (role, province_code) in expected.items():
        user = User.objects.select_related("agency__province").get(username=username)
        assert user.role == role
        assert (user.agency.province.code if user.agency.province else None) == province_code
        assert user.check_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_vietnamese_names_read_family_name_first(world):
    assert User.objects.get(username="ttkc-sonla").get_full_name() == "Cầm Văn Dũng"


@pytest.mark.django_db
def test_seed_demo_is_refused_under_production_settings(world, settings):
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError, match="refused"):
        call_command("seed_demo")


def test_production_settings_forbid_demo_data():
    from khuyencong.settings import base

    assert base.ALLOW_DEMO_DATA is False
