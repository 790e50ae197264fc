"""Report jobs through real Celery workers on the real Redis broker and the test database
(no eager mode): a report produced by the session worker; a storage failure retried by a
worker with backoff; a worker killed with SIGKILL in the middle of a big report, and the
job completed once, with one file, after a restart and a sweep."""

from __future__ import annotations

import datetime
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from accounts.models import Agency
from khuyencong.celery import app
from programs.models import Activity
from projects.models import Proposal
from reference.models import Province
from reports import services, tasks
from reports.models import ReportJob
from tests.reports.test_jobs_factories import compliance_params, report_files, storage_settings

HANOI = 1
S = ReportJob.Status
LOGS = Path(django_settings.BASE_DIR) / "artifacts"


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def job_state(pk: int) -> ReportJob:
    return ReportJob.objects.get(pk=pk)


# --- Configuration --------------------------------------------------------------------------


def test_the_task_is_routed_acknowledged_late_and_limited(settings):
    task = tasks.report_generate
    assert app.amqp.router.route({}, task.name)["queue"].name == "reports"
    assert task.acks_late is True and task.reject_on_worker_lost is True
    assert task.soft_time_limit == settings.REPORTS_SOFT_TIME_LIMIT
    assert task.time_limit == settings.REPORTS_TIME_LIMIT
    assert 0 < task.soft_time_limit < task.time_limit
    # A live task is never taken for dead, and Redis never re-delivers a running task.
    assert settings.REPORTS_STALE_AFTER > settings.REPORTS_TIME_LIMIT
    assert app.conf.broker_transport_options["visibility_timeout"] > settings.REPORTS_TIME_LIMIT
    assert task.max_retries == settings.REPORTS_MAX_ATTEMPTS
    sweep = settings.CELERY_BEAT_SCHEDULE["reports-sweep"]
    assert sweep["task"] == tasks.report_sweep.name == "reports.tasks.report_sweep"
    assert sweep["schedule"] * 2 < settings.REPORTS_PENDING_REQUEUE_AFTER
    assert sweep["options"]["queue"] == "default"  # never behind long reports


def test_retries_back_off_exponentially(settings):
    settings.REPORTS_RETRY_BACKOFF = 10
    delays = [tasks.retry_countdown(n) for n in range(4)]
    for n, delay in enumerate(delays):
        assert 8 * 2**n <= delay <= 12 * 2**n
    assert tasks.retry_countdown(20) == 600


# --- The session worker ---------------------------------------------------------------------


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_produces_the_report(world, users, celery_worker_process):
    job = services.report_request(
        actor=users["inspector-hanoi"],
        kind="compliance",
        params=compliance_params(Province.objects.get(code=HANOI)),
    )
    # Enqueued after the commit, taken from the reports queue by the worker process.
    done = wait_for(
        lambda: (j := job_state(job.pk)).status in (S.DONE, S.FAILED) and j,
        timeout=180,
        what="the worker to produce the report",
    )
    try:
        assert done.status == S.DONE, done.error
        assert done.attempts == 1 and done.progress == 100
        content = done.file.read()
        assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == done.sha256
        assert done.size == len(content) and done.page_count >= 1
    finally:
        if done.file:
            done.file.storage.delete(done.file.name)


# --- Workers of our own ---------------------------------------------------------------------


@contextmanager
def reports_queue_to_ourselves():
    """Workers already running (the session worker) stop taking from the reports queue
    for the test, so a task goes to the worker the test controls (and kills)."""
    others = [name for reply in app.control.ping(timeout=1.0) for name in reply]
    if others:
        app.control.cancel_consumer("reports", destination=others, reply=True, timeout=5)
    app.control.purge()
    try:
        yield
    finally:
        if others:
            app.control.add_consumer("reports", destination=others, reply=True, timeout=5)


def start_worker(name: str, media: Path, **extra_env) -> subprocess.Popen:
    """A `celery worker` process on the reports queue, in a process group of its own
    (so the test can kill the parent and its pool child at once)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="khuyencong.settings.test",
        KHUYENCONG_TEST_DATABASE_NAME=connection.settings_dict["NAME"],
        MEDIA_ROOT=str(media),
        **{k: str(v) for k, v in extra_env.items()},
    )
    hostname = f"reports-{name}-{os.getpid()}@{socket.gethostname()}"
    LOGS.mkdir(parents=True, exist_ok=True)
    log = open(LOGS / f"celery-worker-reports-{name}.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "khuyencong",
            "worker",
            "--queues",
            "reports",
            "--concurrency",
            "1",
            "--hostname",
            hostname,
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    proc.hostname = hostname
    try:
        wait_for(
            lambda: app.control.ping(destination=[hostname], timeout=0.5),
            timeout=90,
            what=f"worker {name} to start",
            interval=0,
        )
    except AssertionError:
        stop_worker(proc)
        raise
    return proc


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.mark.celery
@pytest.mark.timeout(900)  # two worker starts and a 40-page report on a busy machine
@pytest.mark.django_db(transaction=True)
def test_a_storage_failure_is_retried_by_the_worker(world, users, settings, tmp_path):
    media = tmp_path / "media"
    media.write_text("a file where the storage expects a directory: every save fails")
    settings.STORAGES = {**settings.STORAGES, **storage_settings(media)}
    with reports_queue_to_ourselves():
        worker = start_worker("retry", media, REPORTS_RETRY_BACKOFF=4)
        try:
            job = services.report_request(
                actor=users["sct-hanoi"],
                kind="compliance",
                params=compliance_params(Province.objects.get(code=HANOI)),
            )
            # The first attempt failed to store the file: the job is released for a retry.
            released = wait_for(
                lambda: (j := job_state(job.pk)).attempts == 1 and j.status == S.PENDING and j,
                timeout=180,
                what="the first attempt to fail on the storage",
            )
            assert not released.file and released.error == ""
            media.unlink()  # the storage is back
            done = wait_for(
                lambda: (j := job_state(job.pk)).status in (S.DONE, S.FAILED) and j,
                timeout=180,
                what="the retried task",
            )
        finally:
            stop_worker(worker)
    assert done.status == S.DONE, done.error
    assert done.attempts == 2
    [path] = report_files(media)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == done.sha256


def many_approved_proposals(count: int, actor) -> None:
    """``count`` approved đề án of Hà Nội in 2027: a compliance report of about 40 pages
    for 300 of them, which takes WeasyPrint several seconds — a real big report."""
    from tests.projects.factories import plan_for

    hanoi = Province.objects.get(code=HANOI)
    plan = plan_for(HANOI, year=2027)
    centre = Agency.objects.get(province=hanoi, kind="promotion_centre")
    activity = Activity.objects.get(code="03.1")
    Proposal.objects.bulk_create(
        Proposal(
            code=f"KCĐP-HNI-2027-{n:04d}",
            title=f"Mô hình trình diễn máy sấy chè an toàn số {n} tại thành phố Hà Nội",
            plan=plan,
            sequence=1000 + n,
            level="local",
            province=hanoi,
            kind="ordinary",
            activity=activity,
            implementing_agency=centre,
            start_date=datetime.date(2027, 3, 1),
            end_date=datetime.date(2027, 11, 30),
            status="approved",
            decision_number=f"{n}/QĐ-UBND",
            decision_date=datetime.date(2026, 11, 20),
            approved_kcdp=300_000_000,
            approved_counterpart=700_000_000,
            created_by=actor,
        )
        for n in range(1, count + 1)
    )


@pytest.mark.celery
@pytest.mark.timeout(900)  # two worker starts and a 40-page report on a busy machine
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_report_loses_nothing_and_duplicates_nothing(
    world, users, settings, tmp_path
):
    media = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, **storage_settings(media)}
    actor = users["sct-hanoi"]
    many_approved_proposals(300, actor)
    with reports_queue_to_ourselves():
        first = start_worker("killed", media)
        try:
            job = services.report_request(
                actor=actor,
                kind="compliance",
                params={
                    "province": Province.objects.get(code=HANOI).pk,
                    "date_from": "2026-01-01",
                    "date_to": "2027-12-31",
                },
            )
            running = wait_for(
                lambda: (j := job_state(job.pk)).status == S.RUNNING and j.progress > 0 and j,
                timeout=180,
                what="the report to be in progress",
                interval=0.05,
            )
            # In the middle of the report: SIGKILL the worker and its pool child, as the
            # kernel's OOM killer or a pulled plug would (no clean-up code runs).
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            stop_worker(first)
        assert running.attempts == 1
        killed = job_state(job.pk)
        assert killed.status == S.RUNNING and not killed.file  # died before storing
        assert report_files(media) == []

        second = start_worker("restarted", media)
        try:
            # The sweeper (Celery beat in production) finds the job's heartbeat stale.
            settings.REPORTS_STALE_AFTER = 2
            wait_for(
                lambda: (
                    job_state(job.pk).heartbeat_at < timezone.now() - datetime.timedelta(seconds=2)
                ),
                timeout=30,
                what="the heartbeat to go stale",
            )
            assert services.report_sweep()["requeued_stuck"] == 1
            done = wait_for(
                lambda: (j := job_state(job.pk)).status in (S.DONE, S.FAILED) and j,
                timeout=240,
                what="the restarted worker to finish the report",
            )
        finally:
            stop_worker(second)
    assert done.status == S.DONE, done.error
    assert done.attempts == 2 and done.progress == 100
    [path] = report_files(media)  # exactly one file, under the job's own name
    content = path.read_bytes()
    assert path.name == f"{done.verification_code}.pdf"
    assert hashlib.sha256(content).hexdigest() == done.sha256 and done.size == len(content)
    assert done.page_count >= 20
    # A late duplicate of the message (Redis re-delivers the killed worker's unacknowledged
    # task after the visibility timeout) finds the job done and writes nothing.
    assert services.report_run(job.pk) == "skipped"
    assert report_files(media) == [path] and job_state(job.pk).attempts == 2


@pytest.mark.celery
@pytest.mark.timeout(900)  # two worker starts and a 40-page report on a busy machine
@pytest.mark.django_db(transaction=True)
def test_the_soft_time_limit_stops_a_report_with_a_message(world, users, settings, tmp_path):
    media = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, **storage_settings(media)}
    actor = users["sct-hanoi"]
    many_approved_proposals(300, actor)
    with reports_queue_to_ourselves():
        # The limits travel in the message: they are the sender's settings.
        settings.REPORTS_SOFT_TIME_LIMIT, settings.REPORTS_TIME_LIMIT = 2, 60
        worker = start_worker("limited", media)
        try:
            job = services.report_request(
                actor=actor,
                kind="compliance",
                params={
                    "province": Province.objects.get(code=HANOI).pk,
                    "date_from": "2026-01-01",
                    "date_to": "2027-12-31",
                },
            )
            failed = wait_for(
                lambda: (j := job_state(job.pk)).status in (S.DONE, S.FAILED) and j,
                timeout=180,
                what="the soft time limit",
            )
        finally:
            stop_worker(worker)
    assert failed.status == S.FAILED and failed.attempts == 1
    assert failed.error and failed.finished_at and not failed.file
    assert report_files(media) == []
