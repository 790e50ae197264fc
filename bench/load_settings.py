"""Settings of the server bench/load.py starts: the development settings with DEBUG off and
static files named as they are (no collectstatic manifest; the bench asks for HTML only),
and a minimal view beside the portal's pages (bench/load_urls.py)."""

from khuyencong.settings.dev import *  # noqa: F403
from khuyencong.settings.dev import STORAGES

DEBUG = False
ROOT_URLCONF = "bench.load_urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
