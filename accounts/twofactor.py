"""Two-factor sign-in: a time-based code from an authenticator app (TOTP, RFC 6238) after
the password, with ten single-use backup codes. django-otp keeps the devices, checks the
codes and slows down guessing (1 s, 2 s, 4 s … after each wrong code in a row).

Who must use it: the accounts that approve or pay — the ministry, the Sở Công Thương (it
approves plans and appraises đề án) and everyone who records contracts and payments — and
superusers. Everybody else may enrol; once enrolled, their sessions need the code too.
``settings.TWO_FACTOR_EXEMPT`` lets development and tests through ("demo": the demo
accounts of ``make run``; "all": the tests); production has "none"."""

from __future__ import annotations

import base64
import io
import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, verify_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import MINISTRY_ROLES
from accounts.policies import PERMISSIONS

# The roles that approve (plans, đề án) or record money, and the ministry.
REQUIRED_ROLES = frozenset(
    MINISTRY_ROLES | PERMISSIONS["plan.approve"] | PERMISSIONS["disbursement.record"]
)
BACKUP_CODES = 10
APP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"


def exempt(user) -> bool:
    mode = settings.TWO_FACTOR_EXEMPT
    if mode == "all":
        return True
    if mode == "demo":
        from demo.seeding import DEMO_USERS

        return user.username in {"admin", *(row[0] for row in DEMO_USERS)}
    return False


def required(user) -> bool:
    """Must ``user`` sign in with a second factor?"""
    if not user.is_authenticated or exempt(user):
        return False
    return user.is_superuser or user.role in REQUIRED_ROLES


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs(user) -> str | None:
    """What this signed-in session still needs: "verify" (a code), "setup" (enrolment) or
    None. An exempt user is let through even when enrolled."""
    if not user.is_authenticated or exempt(user) or user.is_verified():
        return None
    if enrolled(user):
        return "verify"
    return "setup" if required(user) else None


def pending_device(user) -> TOTPDevice:
    """The authenticator device being enrolled (a new secret until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as typed into an app by hand: base32 in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as a QR code (SVG in a data: URI: no file, no script)."""
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def new_backup_codes(user) -> list[str]:
    """Ten new single-use codes (the old ones stop working); shown once."""
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def confirm(request, device: TOTPDevice, token: str) -> str | None:
    """Enrolment: the first code from the app confirms the device and verifies the session.
    Returns an error message, or None."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            return _("Too many wrong codes: wait a moment and try again.")
        if not device.verify_token(token):
            return _("This code is not right, or has expired. Enter the code the app shows now.")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return None


def verify(request, token: str) -> str | None:
    """Sign-in: a code from the app or a backup code. Returns an error message, or None."""
    token = "".join(token.split())
    throttled = False
    for device in devices_for_user(request.user):
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        verified = verify_token(request.user, device.persistent_id, token)
        if verified is not None:
            otp_login(request, verified)
            return None
    if throttled:
        return _("Too many wrong codes: wait a moment and try again.")
    return _("This code is not right, or has expired. Enter the code the app shows now.")
