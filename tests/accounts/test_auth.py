import pytest
from django.urls import reverse

from demo.seeding import DEMO_PASSWORD, DEMO_USERS

DEMO_USERNAMES = ["admin"] + [row[0] for row in DEMO_USERS]


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_every_demo_account_logs_in_and_sees_its_home(world, client, username):
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["user"].username == username


@pytest.mark.django_db
def test_home_shows_the_scope_of_the_role(world, client):
    client.post(reverse("login"), {"username": "sct-sonla", "password": DEMO_PASSWORD})
    home = client.get(reverse("home"))
    assert home.context["province"].short_name == "Sơn La"
    assert home.context["province_count"] == 1
    badge = home.content.decode().split('data-testid="scope-badge">')[1].split("</span>")[0]
    assert "Sơn La" in badge and "34" not in badge
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "ministry", "password": DEMO_PASSWORD})
    home = client.get(reverse("home"))
    assert home.context["national"] is True
    assert home.context["province_count"] == 34
    assert home.context["commune_count"] == 3321


@pytest.mark.django_db
def test_wrong_password_is_explained_in_vietnamese(world, client):
    response = client.post(reverse("login"), {"username": "sct-hanoi", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "ttkc-daklak", "password": "wrong"})
    # Now even the right password is refused, with the lock-out page.
    response = client.post(reverse("login"), {"username": "ttkc-daklak", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "tạm thời bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected.
    ok = client.post(reverse("login"), {"username": "sct-daklak", "password": DEMO_PASSWORD})
    assert ok.status_code == 302


@pytest.mark.django_db
def test_logout_needs_a_post_and_ends_the_session(world, client):
    client.post(reverse("login"), {"username": "sct-hanoi", "password": DEMO_PASSWORD})
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_password_change(world, client):
    client.post(reverse("login"), {"username": "ttkc-sonla", "password": DEMO_PASSWORD})
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Khuyen-cong-2026-moi",
            "new_password2": "Khuyen-cong-2026-moi",
        },
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    old = client.post(reverse("login"), {"username": "ttkc-sonla", "password": DEMO_PASSWORD})
    assert old.status_code == 200  # the old password no longer works
    response = client.post(
        reverse("login"), {"username": "ttkc-sonla", "password": "Khuyen-cong-2026-moi"}
    )
    assert response.status_code == 302
