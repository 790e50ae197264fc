"""Shared fixtures. The database is PostgreSQL and the broker Redis, as in production."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils import translation

from demo import seeding
from tests import dbstate

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"


# The shared states a test may ask for, by the fixture that asks (tests/dbstate.py). The
# session builds only those that the collected tests use.
LAYER_FIXTURES = {
    "world": "world",
    "beneficiaries": "demo_beneficiaries",
    "scale": "scale_data",
    "demo": "demo_data",
}


def _build_layers(needed: set[str]) -> None:
    from demo import beneficiaries
    from demo.scale import seed_scale

    dbstate.capture_base()
    if not needed:
        return
    seeding.seed_all(seed=2026, beneficiaries=False)
    dbstate.capture_layer("world")
    if "beneficiaries" in needed:
        beneficiaries.seed_beneficiaries(seed=2026)
        dbstate.capture_layer("beneficiaries", under=("world",))
        dbstate.restore_base()
        dbstate.add_layer("world")
    if "scale" in needed:
        seed_scale(seed=11, scale=0.01)
        dbstate.capture_layer("scale", under=("world",))
        dbstate.restore_base()
        dbstate.add_layer("world")
    if "demo" in needed:
        seeding.seed_all(seed=2026)
        dbstate.capture_layer("demo", under=("world",))
    dbstate.restore_base()


def _put_back_the_base(sender, **kwargs):
    """A transactional test's flush empties every table, then sends post_migrate once per
    application: after the last one, the base goes back."""
    if sender.label == LAST_APP and dbstate.has_base():
        dbstate.restore_base(after_flush=True)


LAST_APP = list(django_apps.get_app_configs())[-1].label


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """Migrate once (pytest-django), then build the shared states once (tests/dbstate.py)."""
    used = set()
    for item in request.session.items:
        used.update(getattr(item, "fixturenames", ()))
    needed = {layer for layer, fixture in LAYER_FIXTURES.items() if fixture in used}
    with django_db_blocker.unblock():
        _build_layers(needed)
    post_migrate.connect(_put_back_the_base, dispatch_uid="tests-put-back-the-base")
    yield
    post_migrate.disconnect(dispatch_uid="tests-put-back-the-base")


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the portal's language (Vietnamese). A request through the test
    client leaves its language active in the thread (LocaleMiddleware does not reset it): a
    test that asked for English would otherwise turn the next test's messages English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def world(db):
    """Reference data, agencies, the demo accounts, programmes and plans: the rows that
    ``demo.seeding.seed_all(beneficiaries=False)`` makes, built once per session and copied
    in. The 900 demo establishments are left out: tests that need them ask for
    ``demo_beneficiaries``."""
    dbstate.add_layer("world")
    return seeding


@pytest.fixture
def demo_beneficiaries(world):
    """The 900 demo establishments (``demo.beneficiaries.seed_beneficiaries``)."""
    dbstate.add_layer("beneficiaries")


@pytest.fixture
def demo_data(world):
    """Everything ``make run`` shows: establishments, đề án in every state, contracts,
    payments, inspections (``demo.seeding.seed_all``)."""
    dbstate.add_layer("demo")


@pytest.fixture
def users(world):
    from accounts.models import User

    return {u.username: u for u in User.objects.select_related("agency__province")}


@pytest.fixture
def artifacts_dir():
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _worker_name() -> str:
    return f"test-worker-{os.getpid()}@{socket.gethostname()}"


def _wait_for_worker(app, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5)
        if replies:
            return replies
    raise RuntimeError("the Celery worker did not answer in time")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test Redis and the test database.

    Not eager mode and not an in-process thread: the same command as in production, so
    acks, serialisation and routing are exercised for real."""
    from django.db import connection

    from khuyencong.celery import app

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "khuyencong.settings.test"
    env["KHUYENCONG_TEST_DATABASE_NAME"] = connection.settings_dict["NAME"]
    suffix = f"-{settings.XDIST_WORKER}" if settings.XDIST_WORKER else ""
    log_path = ARTIFACTS / f"celery-worker{suffix}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "khuyencong",
            "worker",
            "--queues",
            "default,reports",
            "--concurrency",
            "1",
            "--hostname",
            _worker_name(),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        app.control.purge()
        _wait_for_worker(app, timeout=60)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(autouse=True)
def _worker_idle_before_teardown(request):
    """A test that used the real worker ends only when the worker has nothing left to do.

    A task still running when a transactional test flushes the database (a report being
    rendered, the last e-mails of a reminder) holds locks the flush's TRUNCATE waits for,
    and may then wait for one of the flush's: PostgreSQL ends the deadlock by cancelling one
    of them, and a cancelled flush leaves the test's rows for the next test. Set up after
    pytest-django's database fixtures, so torn down before their flush."""
    yield
    if "celery_worker_process" not in request.fixturenames:
        return
    from khuyencong.celery import app

    name = _worker_name()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        inspect = app.control.inspect(destination=[name], timeout=2)
        active, reserved = inspect.active() or {}, inspect.reserved() or {}
        if name in active and not active[name] and not reserved.get(name):
            return
        time.sleep(0.05)
    pytest.fail("the Celery worker was still busy two minutes after the test")
