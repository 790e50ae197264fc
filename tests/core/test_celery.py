"""Celery against a real worker process and the real Redis broker (no eager mode)."""

import time

import pytest
from django.core.cache import cache

from core.tasks import HEARTBEAT_KEY, heartbeat, ping
from khuyencong.celery import app


def test_configuration_does_not_lose_work():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    # Redis re-delivers unacknowledged tasks only after the longest task could have ended.
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert {q.name for q in conf.task_queues} == {"default", "reports"}
    assert app.amqp.router.route({}, "reports.tasks.report_generate")["queue"].name == "reports"
    assert app.amqp.router.route({}, "core.tasks.ping")["queue"].name == "default"
    assert conf.broker_url.startswith("redis://")


@pytest.mark.celery
def test_a_real_worker_runs_tasks_from_both_queues(celery_worker_process):
    assert ping.delay("xin chào").get(timeout=30) == "xin chào"
    assert ping.apply_async(args=["báo cáo"], queue="reports").get(timeout=30) == "báo cáo"


@pytest.mark.celery
def test_the_beat_heartbeat_task_reaches_the_shared_cache(celery_worker_process):
    cache.delete(HEARTBEAT_KEY)
    heartbeat.delay()
    deadline = time.monotonic() + 30
    while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert cache.get(HEARTBEAT_KEY) is not None


def test_beat_schedules_the_heartbeat(settings):
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["task"] == "core.tasks.heartbeat"
