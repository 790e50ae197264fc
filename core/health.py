"""Checks behind /healthz: database, Redis and Celery workers."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection


def _timed(check):
    start = time.monotonic()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure
        detail, ok = f"{type(exc).__name__}: {exc}", False
    result = {"ok": ok, "ms": round((time.monotonic() - start) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def check_redis():
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        if not client.ping():
            raise RuntimeError("no PONG")
    finally:
        client.close()
    return None


def watched_queues() -> list[str]:
    """The queues work is sent to: the default one and every routed one (``reports``)."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return sorted({settings.CELERY_TASK_DEFAULT_QUEUE, *routed})


def check_workers(timeout: float = 1.0):
    """Every queue has a live consumer: the workers that answer within ``timeout`` say
    which queues they consume (a worker on ``default`` alone leaves reports waiting)."""
    from khuyencong.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        replies = app.control.inspect(timeout=timeout, connection=conn).active_queues() or {}
    if not replies:
        raise RuntimeError("no Celery worker answered")
    consumers = {queue: [] for queue in watched_queues()}
    for worker, queues in replies.items():
        for queue in queues or ():
            consumers.setdefault(queue["name"], []).append(worker)
    missing = [queue for queue in watched_queues() if not consumers[queue]]
    if missing:
        raise RuntimeError(f"no worker consumes the queue(s): {', '.join(missing)}")
    return sorted(replies)


def health_report() -> tuple[bool, dict]:
    report = {
        "database": _timed(check_database),
        "redis": _timed(check_redis),
    }
    # Without Redis the worker ping would hang on the broker; report it down at once.
    if report["redis"]["ok"]:
        report["worker"] = _timed(check_workers)
    else:
        report["worker"] = {"ok": False, "detail": "broker unreachable"}
    healthy = all(part["ok"] for part in report.values())
    return healthy, {"status": "ok" if healthy else "error", **report}
