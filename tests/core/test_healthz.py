"""/healthz reports database, Redis and worker status as JSON; 503 when one is down."""

import pytest
from django.urls import reverse


@pytest.mark.celery
@pytest.mark.django_db
def test_healthy_when_database_redis_and_a_worker_answer(client, celery_worker_process):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["redis"]["ok"] and body["worker"]["ok"]
    assert any(name.startswith("test-worker-") for name in body["worker"]["detail"])
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_503_when_no_worker_listens(client, settings):
    # A broker database no worker consumes from: the ping gets no answer. Not 14: under
    # xdist that is the second process's own (settings/test.py), with its worker; eight
    # below this process's database is below every test process's and smoke test's.
    base, db = settings.REDIS_URL.rsplit("/", 1)
    settings.CELERY_BROKER_URL = f"{base}/{max(int(db) - 8, 0)}"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert body["worker"] == {**body["worker"], "ok": False}
    assert "no Celery worker answered" in body["worker"]["detail"]


@pytest.mark.django_db
def test_503_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is False and "Error" in body["redis"]["detail"]
    assert body["worker"]["ok"] is False


def test_503_when_the_database_is_down(client, django_db_blocker):
    """Point the connection at a port where no PostgreSQL listens, as after a crash."""
    from django.db import connection

    with django_db_blocker.unblock():
        connection.close()
        saved = dict(connection.settings_dict)
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
        try:
            response = client.get(reverse("healthz"))
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is False
    assert "OperationalError" in body["database"]["detail"]
    assert body["redis"]["ok"] is True


@pytest.mark.celery
@pytest.mark.django_db
def test_503_naming_a_queue_no_worker_consumes(client, celery_worker_process):
    """A worker that answers but no longer takes from ``reports``: reports would wait."""
    from khuyencong.celery import app

    workers = [name for reply in app.control.ping(timeout=1.0) for name in reply]
    app.control.cancel_consumer("reports", destination=workers, reply=True, timeout=5)
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.control.add_consumer("reports", destination=workers, reply=True, timeout=5)
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert body["worker"]["ok"] is False
    assert body["worker"]["detail"] == "RuntimeError: no worker consumes the queue(s): reports"
    assert client.get(reverse("healthz")).status_code == 200  # consuming again


def test_json_503_for_a_request_with_a_session_cookie_when_the_database_is_down(
    client, django_db_blocker, settings
):
    """A session cookie would make the session and login middleware read the database
    first: the health check still answers its JSON."""
    from django.db import connection

    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    with django_db_blocker.unblock():
        connection.close()
        saved = dict(connection.settings_dict)
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
        try:
            response = client.get(reverse("healthz"))
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["database"]["ok"] is False
