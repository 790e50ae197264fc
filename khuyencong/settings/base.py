"""Settings shared by every environment; everything that differs comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Our apps, in dependency order (each depends only on those above it).
    "core",
    "reference",
    "accounts",
    "beneficiaries",
    "villages",
    "programs",
    "projects",
    "priorities",
    "typical_products",
    "cycle",
    "disbursement",
    "inspections",
    "reports",
    "periodic",
    "dashboards",
    "history",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # /healthz answers here, whatever the session, user or login middleware would need.
    "core.middleware.HealthzMiddleware",
    # Before anything reads a parameter: no control characters in input (core.middleware).
    "core.middleware.ControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With a read replica: a user's successful change marks the session, and their next
    # pages read the primary (core.replica).
    "core.replica.RecentWriteMiddleware",
    # The second factor: which device verified this session, and the pages a user who must
    # use one reaches before (accounts.twofactor).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    # Every page needs a logged-in user unless its view says @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp), on every response in every setting so that the tests
# and `make run` meet it as production does: scripts, fonts, images and requests from the
# portal itself only (no CDN: it runs on intranets), no inline script or event handler
# (static/js has them), no plugins, no framing, forms posting back to the portal. Inline
# style attributes stay allowed: a few templates set widths and colours inline, and htmx
# adds its indicator style; a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],  # Bootstrap's CSS draws its arrows as data: SVG
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

# Two-factor sign-in (accounts.twofactor): who is exempt from the second factor. "none" in
# production (enforced there); the development settings exempt the demo accounts, the test
# settings everybody but the tests of the second factor.
TWO_FACTOR_EXEMPT = "none"
OTP_TOTP_ISSUER = "Khuyến công"
OTP_TOTP_THROTTLE_FACTOR = 1  # 1 s, 2 s, 4 s … after each wrong code in a row (django-otp)
OTP_STATIC_THROTTLE_FACTOR = 1

ROOT_URLCONF = "khuyencong.urls"
WSGI_APPLICATION = "khuyencong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
            "builtins": ["core.templatetags.vn"],
        },
    }
]

# --- Data stores ----------------------------------------------------------------------
# PostgreSQL only, everywhere. DATABASE_URL / REDIS_URL come from the environment; the
# development and test settings start embedded servers when they are missing.
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A streaming replica of the primary (optional): the dashboards, their Excel exports and
# the rendering of PDF reports read from it (core.replica); writes, and every page a user
# reads just after a change of theirs, use the primary.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer costs a page two seconds at most, then the primary
    # serves it (and the next pages for REPLICA_RETRY_AFTER seconds).
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # In tests the replica serves the test database the primary streams to it: Django
    # must neither create it nor flush it, only give the alias the test database's NAME
    # (what a test MIRROR does: set_as_test_mirror copies NAME and keeps HOST and PORT).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# Seconds: a user who changed something reads the primary this long afterwards; the
# dashboards say how old their figures are when the replica is further behind than
# REPLICA_LAG_NOTICE; a report's task waits up to REPLICA_CATCH_UP for the replica to
# replay what was committed before it started; after a failed connection the replica is
# left alone for REPLICA_RETRY_AFTER.
REPLICA_READ_YOUR_WRITES = env.int("REPLICA_READ_YOUR_WRITES", default=30)
REPLICA_LAG_NOTICE = env.int("REPLICA_LAG_NOTICE", default=5)
REPLICA_CATCH_UP = env.float("REPLICA_CATCH_UP", default=10.0)
REPLICA_RETRY_AFTER = env.int("REPLICA_RETRY_AFTER", default=30)

REDIS_URL = env("REDIS_URL")
# Redis is a cache: while it is unreachable every cache call logs one line and acts as a
# miss (core.cache), and short socket timeouts keep a hung Redis from holding requests.
CACHES = {
    "default": {
        "BACKEND": "core.cache.FailSoftRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="kc"),
        "TIMEOUT": 300,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
# Sessions are written to the database and read through Redis (core.sessions): any web
# machine can serve any request, and a Redis restart or outage logs nobody out and breaks
# no page. Cached copies live SESSION_CACHE_TIMEOUT seconds at most, so a sign-out made
# while Redis was unreachable is not undone for long by the copy it could not delete.
SESSION_ENGINE = "core.sessions"
SESSION_CACHE_TIMEOUT = env.int("SESSION_CACHE_TIMEOUT", default=300)
SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day

# Uploaded files and generated reports go through STORAGES, never through a local path,
# so the worker and the web server need not share a disk. Local disk by default; any
# S3-compatible object store (MinIO, Viettel/VNPT/FPT cloud) by setting STORAGE_BACKEND=s3.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "/media/"  # never served directly: downloads go through permission-checked views
if env("STORAGE_BACKEND", default="filesystem") == "s3":
    _s3_options = {
        "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
        "region_name": env("AWS_S3_REGION_NAME", default=None),
        "access_key": env("AWS_ACCESS_KEY_ID", default=None),
        "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
STORAGES = {
    "default": _default_storage,
    "reports": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Memory of a dashboard page's read transaction (SET LOCAL work_mem): the distinct count of
# establishments and the GROUPING SETS hash in memory instead of sorting on disk
# (bench/dashboards.py). Per page, not per connection: other queries keep the server's.
DASHBOARD_WORK_MEM = env.str("DASHBOARD_WORK_MEM", default="64MB")

# --- People ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock an account/IP pair for 15 minutes after 5 failed logins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

# --- Language, time, numbers ----------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [env.path("KHUYENCONG_LOCALE_DIR", default=BASE_DIR / "locale")]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["khuyencong.formats"]

# --- Forms ----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# The empty choice of a list's filter (core.lists): "Tất cả".
FILTERS_EMPTY_CHOICE_LABEL = _("All")

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="khuyencong@localhost")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)

# --- Celery: work that must not be lost -----------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only when it has finished, and is handed back to the queue when
# its worker dies; each worker process reserves one task at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
# Redis re-delivers an unacknowledged task after this many seconds: longer than any task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# Long work (PDF reports, imports of past records) on the reports worker, one at a time.
CELERY_TASK_ROUTES = {
    "reports.tasks.*": {"queue": "reports"},
    "history.tasks.history_run_task": {"queue": "reports"},
}
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 60.0},
    "disbursement-flags": {
        "task": "disbursement.tasks.flags_evaluate_task",
        "schedule": crontab(hour=6, minute=0),  # CELERY_TIMEZONE: 06:00 Asia/Ho_Chi_Minh
    },
    # Reminders before the deadline of open calls for đề án (cycle).
    "cycle-reminders": {
        "task": "cycle.tasks.registration_remind_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Reminders before the deadlines of the provinces' periodic reports (periodic).
    "periodic-reminders": {
        "task": "periodic.tasks.deadline_remind_task",
        "schedule": crontab(hour=7, minute=10),
    },
    # Re-enqueues report jobs left pending or running too long (see REPORTS_* below); on
    # the default queue, so it never waits behind long reports.
    "reports-sweep": {
        "task": "reports.tasks.report_sweep",
        "schedule": 120.0,
        "options": {"queue": "default"},
    },
    # Re-sends imports of past records whose message or worker was lost (HISTORY_* below).
    "history-sweep": {
        "task": "history.tasks.history_sweep_task",
        "schedule": 120.0,
        "options": {"queue": "default"},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / ".data" / "celerybeat-schedule")
)

# --- PDF ------------------------------------------------------------------------------
# Fonts with full Vietnamese glyphs (Tinos: metric-compatible with Times New Roman), built
# by the set-up step from the npm package @fontsource/tinos (see core/fonts.py).
PDF_FONT_DIR = Path(env("PDF_FONT_DIR", default=str(BASE_DIR / "static" / "vendor" / "fonts")))
# The portal's public address, printed on every official PDF with its verification code
# (PORTAL_BASE_URL + "/reports/verify/?code=...").
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Portal-specific settings.
# seed_demo creates accounts with a published password: only dev/test settings allow it.
ALLOW_DEMO_DATA = False
PORTAL_NAME = _("Khuyến công portal")

# Disbursement rules and flag thresholds (configurable per deployment).
DISBURSEMENT_ADVANCE_MAX_SHARE = env("DISBURSEMENT_ADVANCE_MAX_SHARE", default="0.5")
DISBURSEMENT_NO_CONTRACT_DAYS = env.int("DISBURSEMENT_NO_CONTRACT_DAYS", default=30)
DISBURSEMENT_YEAR_END_WARNING_DAYS = env.int("DISBURSEMENT_YEAR_END_WARNING_DAYS", default=45)
DISBURSEMENT_ADVANCE_SETTLE_DAYS = env.int("DISBURSEMENT_ADVANCE_SETTLE_DAYS", default=90)
DISBURSEMENT_ACCEPTANCE_GRACE_DAYS = env.int("DISBURSEMENT_ACCEPTANCE_GRACE_DAYS", default=30)

# PDF report jobs (reports app), in seconds. A report is stopped by its soft limit (the job
# fails with a message) and killed at the hard limit; a running job whose heartbeat is older
# than REPORTS_STALE_AFTER (longer than the hard limit, so a live task is never taken over)
# is put back to pending by the sweeper, and a pending job not started within
# REPORTS_PENDING_REQUEUE_AFTER is enqueued again. After REPORTS_MAX_ATTEMPTS starts the
# job fails. The Redis visibility_timeout above stays longer than REPORTS_TIME_LIMIT.
# Imports of past records (history app): the dry run and the import of one workbook, up
# to 10,000 đề án (bench/history_import.py). A running job writes a heartbeat every few
# seconds; one silent for HISTORY_STALE_AFTER (longer than the hard limit) goes back to its
# queue, a queued one not started within HISTORY_REQUEUE_AFTER is sent again.
HISTORY_SOFT_TIME_LIMIT = env.int("HISTORY_SOFT_TIME_LIMIT", default=1800)
HISTORY_TIME_LIMIT = env.int("HISTORY_TIME_LIMIT", default=1900)
HISTORY_STALE_AFTER = env.int("HISTORY_STALE_AFTER", default=2000)
HISTORY_REQUEUE_AFTER = env.int("HISTORY_REQUEUE_AFTER", default=600)
HISTORY_MAX_ATTEMPTS = env.int("HISTORY_MAX_ATTEMPTS", default=3)
REPORTS_SOFT_TIME_LIMIT = env.int("REPORTS_SOFT_TIME_LIMIT", default=300)
REPORTS_TIME_LIMIT = env.int("REPORTS_TIME_LIMIT", default=360)
REPORTS_STALE_AFTER = env.int("REPORTS_STALE_AFTER", default=480)
REPORTS_PENDING_REQUEUE_AFTER = env.int("REPORTS_PENDING_REQUEUE_AFTER", default=600)
REPORTS_MAX_ATTEMPTS = env.int("REPORTS_MAX_ATTEMPTS", default=4)
# A running report that sent no progress (a pending one no worker took) for this long is
# shown as delayed, with the time the sweeper will take it up again (a live run writes its
# heartbeat at least every 30 s, also while WeasyPrint renders).
REPORTS_STALLED_AFTER = env.int("REPORTS_STALLED_AFTER", default=120)
# First retry delay after a transient error (database, storage, Redis), doubled each time.
REPORTS_RETRY_BACKOFF = env.float("REPORTS_RETRY_BACKOFF", default=10.0)
# Lookups of the public verification page per client address and hour.
REPORTS_VERIFY_RATE = env.int("REPORTS_VERIFY_RATE", default=60)
# Reports in bounded memory (reports.documents.sections, .limits): a table longer than
# REPORT_SECTION_ROWS rows is laid out a section at a time; before rendering, a job whose
# estimated peak (reports.documents.limits, calibrated by bench/report_compliance.py)
# exceeds REPORT_MEMORY_CEILING_MB fails with a message instead of being killed. The worker
# process is replaced after a task that left it above the ceiling (value in KiB).
REPORT_SECTION_ROWS = env.int("REPORT_SECTION_ROWS", default=150)
REPORT_MEMORY_CEILING_MB = env.int("REPORT_MEMORY_CEILING_MB", default=600)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = REPORT_MEMORY_CEILING_MB * 1024
