"""Tests: the same PostgreSQL and Redis as production (embedded ones when no URLs are set)."""

from django.core.exceptions import ImproperlyConfigured

from khuyencong.devstack import configure_environment

configure_environment()

from .base import *  # noqa: E402,F403
from .base import CACHES, REDIS_URL, env  # noqa: E402

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# pytest-xdist runs the suite in several processes (gw0, gw1, …): each has its own test
# database (pytest-django adds the suffix), Redis database and cache prefix, so one
# process's Celery worker never takes another's task.
XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="")
_xdist_index = int(XDIST_WORKER[2:]) if XDIST_WORKER.startswith("gw") else 0
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="kc-test") + XDIST_WORKER
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
ALLOW_DEMO_DATA = True
# The tests log in with force_login: the second factor is asked for only by the tests of it
# (tests/accounts/test_two_factor.py) and by the production smoke test.
TWO_FACTOR_EXEMPT = "all"

# Tests use their own Redis database (15 by default; 14, 13… for the next xdist processes) so
# that a `make run` worker on the same Redis never takes a test's task, and the tests never
# see the portal's cache.
_redis_url = REDIS_URL.rstrip("/")
_redis_base = (
    _redis_url.rsplit("/", 1)[0] if _redis_url.rsplit("/", 1)[-1].isdigit() else _redis_url
)
_redis_db = env.int("TEST_REDIS_DB", default=15) - _xdist_index
if _redis_db < 0:
    raise ImproperlyConfigured(f"No Redis database left for the test process {XDIST_WORKER}.")
REDIS_URL = f"{_redis_base}/{_redis_db}"
CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL

# A Celery worker started by the tests connects to the test database that pytest-django
# created; the variable is set only in that worker's environment.
if env("KHUYENCONG_TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["NAME"] = env("KHUYENCONG_TEST_DATABASE_NAME")  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
    if "replica" in DATABASES:  # noqa: F405
        DATABASES["replica"]["NAME"] = env("KHUYENCONG_TEST_DATABASE_NAME")  # noqa: F405
        DATABASES["replica"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Serve static files straight from static/ (no collectstatic needed outside production).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
