"""Development: `make run`. Embedded PostgreSQL and Redis when no URLs are set."""

from khuyencong.devstack import configure_environment

configure_environment()

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DEBUG = env.bool("DJANGO_DEBUG", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
ALLOW_DEMO_DATA = True
# `make run`: the demo accounts sign in with their password alone (accounts.twofactor); an
# account created here still needs its second factor.
TWO_FACTOR_EXEMPT = "demo"
# Serve static files straight from static/ (no collectstatic needed outside production).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
