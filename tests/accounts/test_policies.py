import pytest

from accounts.models import Agency, Role, User
from accounts.policies import PERMISSIONS, has_perm, in_scope, is_national, visible
from reference.models import Commune, Province


@pytest.mark.django_db
def test_national_users_see_every_province(users):
    for username in ["admin", "ministry"]:
        assert is_national(users[username])
        assert visible(users[username], Province.objects.all()).count() == 34
        assert visible(users[username], Commune.objects.all()).count() == 3321


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username,code",
    [
        ("sct-hanoi", 1),
        ("ttkc-hanoi", 1),
        ("inspector-hanoi", 1),
        ("sct-sonla", 14),
        ("ttkc-sonla", 14),
        ("sct-daklak", 66),
        ("ttkc-daklak", 66),
    ],
)
def test_provincial_users_see_their_province_only(users, username, code):
    user = users[username]
    assert not is_national(user)
    assert list(visible(user, Province.objects.all()).values_list("code", flat=True)) == [code]
    communes = visible(user, Commune.objects.all())
    assert communes.count() == Commune.objects.filter(province__code=code).count()
    assert set(visible(user, Agency.objects.all()).values_list("province__code", flat=True)) == {
        code
    }
    assert set(
        visible(user, User.objects.all()).values_list("agency__province__code", flat=True)
    ) == {code}


@pytest.mark.django_db
def test_object_scope_follows_the_province_path(users):
    sonla_centre = Agency.objects.get(kind="promotion_centre", province__code=14)
    assert in_scope(users["ttkc-sonla"], sonla_centre)
    assert not in_scope(users["ttkc-hanoi"], sonla_centre)
    assert in_scope(users["ministry"], sonla_centre)
    assert in_scope(users["sct-sonla"], users["ttkc-sonla"])
    assert not in_scope(users["sct-hanoi"], users["ttkc-sonla"])


@pytest.mark.django_db
def test_a_user_without_agency_sees_nothing(world):
    stray = User.objects.create_user("stray", password="x", role=Role.PROVINCE_STAFF)
    assert visible(stray, Province.objects.all()).count() == 0
    assert not has_perm(stray, "agency.view", Agency.objects.first())


@pytest.mark.django_db
def test_inactive_users_may_do_nothing(users):
    user = users["sct-hanoi"]
    user.is_active = False
    assert not has_perm(user, "home.view")
    assert visible(user, Province.objects.all()).count() == 0


@pytest.mark.django_db
def test_permission_table_by_role(users):
    assert has_perm(users["admin"], "admin.access")
    assert not has_perm(users["ministry"], "admin.access")
    assert not has_perm(users["sct-hanoi"], "agency.manage")
    for username in ["ministry", "sct-hanoi", "ttkc-hanoi", "inspector-hanoi"]:
        assert has_perm(users[username], "home.view")
    viewer = User.objects.create_user(
        "viewer-hn", password="x", role=Role.VIEWER, agency=users["sct-hanoi"].agency
    )
    assert has_perm(viewer, "home.view")
    assert not has_perm(viewer, "user.view")


def test_unknown_actions_are_programming_errors():
    with pytest.raises(KeyError):
        has_perm(object(), "no.such.action")
    assert all(isinstance(roles, frozenset) for roles in PERMISSIONS.values())
