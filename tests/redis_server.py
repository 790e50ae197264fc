"""A throwaway redis-server a test starts, stops and starts again on its own port, and
the portal (cache, health check, Celery broker) pointed at it."""

from __future__ import annotations

import socket
import subprocess
import time
from contextlib import contextmanager

import redis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayRedis:
    """No persistence: a restart comes back empty, as after a crash."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


def _point_celery_at(app, broker_url: str, backend_url: str) -> None:
    """The broker connection pool and result backend of these URLs. The pools are kombu's
    process-wide ones, one per URL: dropped here, never closed (the session worker's
    tests go on with the pool of the usual URL)."""
    app.conf.broker_url = broker_url
    app.conf.result_backend = backend_url
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


@contextmanager
def portal_on(server: ThrowawayRedis, settings):
    """Cache, health check and Celery broker on ``server`` for the duration."""
    from khuyencong.celery import app

    saved = (app.conf.broker_url, app.conf.result_backend)
    settings.REDIS_URL = server.url
    settings.CELERY_BROKER_URL = server.url
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": server.url}
    }  # setting_changed closes and forgets the cache connections
    _point_celery_at(app, server.url, server.url)
    try:
        yield app
    finally:
        _point_celery_at(app, *saved)
