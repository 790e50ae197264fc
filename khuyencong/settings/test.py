"""Tests: the same PostgreSQL and Redis as production (embedded ones when no URLs are set)."""

from khuyencong.devstack import configure_environment

configure_environment()

from .base import *  # noqa: E402,F403
from .base import CACHES, env  # noqa: E402

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="kc-test")
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
ALLOW_DEMO_DATA = True
