"""Shared fixtures. The database is PostgreSQL and the broker Redis, as in production."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from demo import seeding

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"


@pytest.fixture
def world(db):
    """Reference data, agencies, the demo accounts, programmes and plans.

    Migrations load the reference data, but a transactional test flushes every table
    afterwards, so the fixture puts it back when needed (idempotent, cheap when present).
    The 900 demo establishments are left out: tests that need them ask for
    ``demo_beneficiaries``."""
    seeding.seed_all(seed=2026, beneficiaries=False)
    return seeding


@pytest.fixture
def demo_beneficiaries(world):
    from demo import beneficiaries

    beneficiaries.seed_beneficiaries(seed=2026)


@pytest.fixture
def users(world):
    from accounts.models import User

    return {u.username: u for u in User.objects.select_related("agency__province")}


@pytest.fixture
def artifacts_dir():
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    log_path = ARTIFACTS / "celery-worker.log"
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
            f"test-worker-{os.getpid()}@%h",
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
