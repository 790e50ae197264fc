"""Two-factor sign-in (accounts.twofactor): who must use it, enrolment, sign-in with a code
or a backup code, guessing slowed down, and every page closed until the second factor."""

from __future__ import annotations

import time

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts import twofactor
from accounts.models import Role, User

pytestmark = pytest.mark.django_db

PROTECTED = ["admin", "ministry", "sct-hanoi", "ttkc-hanoi"]


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.TWO_FACTOR_EXEMPT = "none"


def code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def pages_without_arguments() -> list[str]:
    """Every URL name (with its namespace, e.g. the admin's) that takes no argument."""
    names = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if not pattern.pattern.converters and "(?P<" not in str(pattern.pattern):
                    names.append(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_the_roles_that_approve_or_pay_must_use_it(users):
    assert {u for u in PROTECTED if twofactor.required(users[u])} == set(PROTECTED)
    assert not twofactor.required(users["inspector-hanoi"])
    assert Role.INSPECTOR not in twofactor.REQUIRED_ROLES
    assert Role.CENTRE_STAFF in twofactor.REQUIRED_ROLES  # records payments


@pytest.mark.parametrize("username", PROTECTED)
def test_a_protected_account_reaches_no_page_before_the_second_factor(users, client, username):
    user = users[username]
    client.force_login(user)
    opened = []
    for name in pages_without_arguments():
        url = reverse(name)
        response = client.get(url)
        if response.status_code == 302 and "/2fa/setup/" in response["Location"]:
            continue
        view = response.resolver_match.func if response.resolver_match else None
        public = view is not None and getattr(view, "login_required", True) is False
        if name.split(":")[-1] in {"second-factor-setup", "healthz", "logout", "set_language"}:
            continue
        if public:
            continue
        opened.append((name, response.status_code))
    assert not opened, opened
    assert len(pages_without_arguments()) > 30  # the walk found the portal's pages
    # Enrolled but not yet verified in this session: the code is asked for.
    enrol(user)
    response = client.get(reverse("proposal-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second-factor-verify"))
    assert "next=%2Fproposals%2F" in response["Location"]


def test_an_inspector_signs_in_with_the_password_alone(users, client):
    client.force_login(users["inspector-hanoi"])
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_confirms_the_app_and_shows_backup_codes_once(users, client):
    user = users["sct-hanoi"]
    client.force_login(user)
    with freeze_time() as clock:
        page = client.get(reverse("second-factor-setup") + "?next=/proposals/")
        assert page.status_code == 200
        body = page.content.decode()
        assert 'src="data:image/svg+xml;base64,' in body
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        assert twofactor.secret_text(device).replace(" ", "") in body.replace(" ", "")
        setup = reverse("second-factor-setup")
        wrong = client.post(setup, {"token": "000000", "next": "/proposals/"})
        assert wrong.status_code == 400
        assert "Mã không đúng" in wrong.content.decode()
        assert client.get(reverse("proposal-list")).status_code == 302  # not yet
        clock.tick(2)  # past the one-second wait after a wrong code
        ok = client.post(setup, {"token": code(device), "next": "/proposals/"})
    assert ok.status_code == 200
    codes = ok.context["codes"]
    assert len(codes) == 10 and all(len(c) == 8 and c.isdigit() for c in codes)
    assert StaticToken.objects.filter(device__user=user).count() == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("proposal-list")).status_code == 200  # this session is verified


def test_sign_in_with_the_app_or_a_backup_code_once(users, client):
    user = users["ministry"]
    device = enrol(user)
    codes = twofactor.new_backup_codes(user)
    client.force_login(user)
    response = client.post(reverse("second-factor-verify"), {"token": code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    # A new session, with a backup code: it works once.
    client.logout()
    client.force_login(user)
    assert client.post(reverse("second-factor-verify"), {"token": codes[0]}).status_code == 302
    client.logout()
    client.force_login(user)
    assert client.post(reverse("second-factor-verify"), {"token": codes[0]}).status_code == 400


def test_guessing_is_slowed_down(users, client):
    """Each wrong code in a row doubles the wait (1 s, 2 s, 4 s …): while it lasts, no code
    is even checked, the right one included."""
    user = users["ttkc-hanoi"]
    device = enrol(user)
    client.force_login(user)
    verify = reverse("second-factor-verify")
    with freeze_time() as clock:
        for wait in (1, 2):
            assert client.post(verify, {"token": "111111"}).status_code == 400
            clock.tick(wait + 0.1)
        assert client.post(verify, {"token": "222222"}).status_code == 400
        device.refresh_from_db()
        assert device.throttling_failure_count == 3
        clock.tick(2.1)  # the third wrong code asks for 4 s
        response = client.post(verify, {"token": code(device)})
        assert response.status_code == 400
        assert "Thử sai quá nhiều lần" in response.content.decode()
        clock.tick(2)
        assert client.post(verify, {"token": code(device)}).status_code == 302


def test_a_next_address_elsewhere_is_not_followed(users, client):
    user = users["ministry"]
    device = enrol(user)
    client.force_login(user)
    response = client.post(
        reverse("second-factor-verify"), {"token": code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_development_exempts_the_demo_accounts_only(users, settings):
    settings.TWO_FACTOR_EXEMPT = "demo"
    assert not twofactor.required(users["ministry"])
    other = User.objects.create_user("ministry-2", role=Role.MINISTRY_OFFICIAL)
    assert twofactor.required(other)
