"""Redis stopped under a logged-in user: pages, sign-in and report requests keep working
from PostgreSQL, the report waits in its job row and is sent when Redis is back."""

import json
import shutil

import pytest
from django.urls import reverse

from demo.seeding import DEMO_PASSWORD
from reference.models import Province
from reports import services
from reports.models import ReportJob
from tests.redis_server import ThrowawayRedis, portal_on

pytestmark = pytest.mark.django_db

HANOI = 1  # province code


@pytest.fixture
def throwaway_redis():
    assert shutil.which("redis-server"), "the outage tests need redis-server on the PATH"
    server = ThrowawayRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


PAGES = ["home", "report-list", "report-request"]


def queued_job_ids(server) -> list[int]:
    """The report jobs whose messages wait on the ``reports`` queue of ``server``."""
    ids = []
    for raw in server.client().lrange("reports", 0, -1):
        headers = json.loads(raw)["headers"]
        assert headers["task"] == "reports.tasks.report_generate"
        ids.extend(json.loads(headers["argsrepr"]))
    return ids


def test_pages_sign_in_and_report_requests_survive_a_redis_outage(
    world, client, settings, throwaway_redis, django_capture_on_commit_callbacks, caplog
):
    with portal_on(throwaway_redis, settings):
        response = client.post(
            reverse("login"), {"username": "sct-hanoi", "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302
        for name in PAGES:
            assert client.get(reverse(name)).status_code == 200, name
        # The session is read through Redis, its cached copy short-lived.
        [key] = throwaway_redis.client().keys("*django.contrib.sessions.cached_db*")
        assert 0 < throwaway_redis.client().ttl(key) <= settings.SESSION_CACHE_TIMEOUT

        throwaway_redis.stop()

        for name in PAGES:
            assert client.get(reverse(name)).status_code == 200, name
        # The public verification page counts lookups in the cache: without it the
        # lookup still answers (not found here), and the cache logs why it was skipped.
        response = client.get(reverse("report-verify"), {"code": "ABCD-EFGH-JKMN"})
        assert response.status_code == 404
        assert "cache add skipped, Redis unreachable" in caplog.text

        # Signing out and in again needs no Redis either.
        assert client.post(reverse("logout")).status_code == 302
        response = client.post(
            reverse("login"), {"username": "sct-hanoi", "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200

        # The report is kept in its job row, marked as not sent.
        hanoi = Province.objects.get(code=HANOI)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("report-request"),
                {
                    "kind": "compliance",
                    "province": hanoi.pk,
                    "date_from": "01/01/2026",
                    "date_to": "31/12/2026",
                },
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        job = ReportJob.objects.get(requested_by__username="sct-hanoi")
        assert job.status == ReportJob.Status.PENDING and job.enqueued_at is None
        assert "not sent, broker unreachable" in caplog.text
        page = client.get(reverse("report-detail", args=[job.pk]))
        assert page.status_code == 200
        assert 'data-testid="report-queued"' in page.content.decode()

        # A sweep while the broker is still away keeps the job waiting, unsent.
        with django_capture_on_commit_callbacks(execute=True):
            services.report_sweep()
        job.refresh_from_db()
        assert job.enqueued_at is None

        # Redis is back (empty, as after a crash): the next sweep sends the job at once.
        throwaway_redis.start()
        with django_capture_on_commit_callbacks(execute=True):
            swept = services.report_sweep()
        assert swept["requeued_pending"] == 1
        job.refresh_from_db()
        assert job.status == ReportJob.Status.PENDING and job.enqueued_at is not None
        assert queued_job_ids(throwaway_redis) == [job.pk]
        page = client.get(reverse("report-detail", args=[job.pk])).content.decode()
        assert 'data-testid="report-queued"' not in page


def test_healthz_answers_json_naming_redis_with_and_without_a_session(
    world, client, settings, throwaway_redis
):
    with portal_on(throwaway_redis, settings):
        client.post(reverse("login"), {"username": "sct-hanoi", "password": DEMO_PASSWORD})
        assert settings.SESSION_COOKIE_NAME in client.cookies
        throwaway_redis.stop()
        for label, request_client in [("logged in", client), ("anonymous", None)]:
            if request_client is None:
                client.cookies.clear()
                request_client = client
            response = request_client.get(reverse("healthz"))
            assert response.status_code == 503, label
            assert response["Content-Type"] == "application/json", label
            body = response.json()
            assert body["status"] == "error" and body["database"]["ok"], label
            assert body["redis"]["ok"] is False and "Error" in body["redis"]["detail"], label
            assert body["worker"]["ok"] is False, label


@pytest.mark.celery
@pytest.mark.timeout(600)
@pytest.mark.django_db(transaction=True)
def test_a_report_asked_for_during_the_outage_completes_once_redis_is_back(
    world, users, settings, throwaway_redis, tmp_path
):
    """The whole path with a real worker: asked for while Redis is down, kept unsent,
    sent by the sweep once Redis is back (empty, as after a crash), produced."""
    from tests.reports.test_jobs_factories import compliance_params, storage_settings
    from tests.reports.test_tasks import S, job_state, start_worker, stop_worker, wait_for

    media = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, **storage_settings(media)}
    with portal_on(throwaway_redis, settings):
        throwaway_redis.stop()
        job = services.report_request(
            actor=users["sct-hanoi"],
            kind="compliance",
            params=compliance_params(Province.objects.get(code=HANOI)),
        )
        assert job_state(job.pk).enqueued_at is None  # committed, not sent

        throwaway_redis.start()
        # The worker's test settings put it on database TEST_REDIS_DB of REDIS_URL.
        worker = start_worker(
            "after-outage",
            media,
            REDIS_URL=throwaway_redis.url,
            TEST_REDIS_DB="0",
            PYTEST_XDIST_WORKER="",
        )
        try:
            assert services.report_sweep()["requeued_pending"] == 1
            done = wait_for(
                lambda: (j := job_state(job.pk)).status in (S.DONE, S.FAILED) and j,
                timeout=240,
                what="the worker to produce the report asked for during the outage",
            )
        finally:
            stop_worker(worker)
    assert done.status == S.DONE, done.error
    assert done.attempts == 1 and done.file


def test_a_task_that_cannot_be_sent_is_logged_at_once_not_raised(settings, throwaway_redis, caplog):
    """A proposal's notification sent after its commit: with the broker away the request
    goes on within a moment (Celery's own publishing retries for seconds, then raises)."""
    import time

    from core.queue import task_send
    from projects.tasks import proposal_notify_task

    with portal_on(throwaway_redis, settings):
        throwaway_redis.stop()
        start = time.monotonic()
        assert task_send(proposal_notify_task, args=[42]) is False
        assert time.monotonic() - start < 2
        assert "task projects.tasks.proposal_notify_task(42,) not sent" in caplog.text
        throwaway_redis.start()
        assert task_send(proposal_notify_task, args=[42]) is True
        [raw] = throwaway_redis.client().lrange("default", 0, -1)
        assert json.loads(raw)["headers"]["task"] == "projects.tasks.proposal_notify_task"


def test_the_session_store_fails_soft_over_any_cache_backend(db, settings, caplog):
    """Django's own RedisCache (which raises) behind core.sessions: a session is saved,
    read, checked and deleted from the database alone."""
    from core.sessions import SessionStore

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    store = SessionStore()
    store["answer"] = 42
    store.save()
    again = SessionStore(store.session_key)
    assert again["answer"] == 42 and again.exists(store.session_key)
    again.flush()
    assert not SessionStore().exists(store.session_key)
    assert "session cache get skipped: ConnectionError" in caplog.text
