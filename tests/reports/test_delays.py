"""A report that waits longer than it should says so, and says what happens next."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportJob
from tests.reports.test_views import login, pending_job

pytestmark = pytest.mark.django_db

S = ReportJob.Status


def set_back(job, **seconds_ago):
    now = timezone.now()
    ReportJob.objects.filter(pk=job.pk).update(
        **{field: now - datetime.timedelta(seconds=ago) for field, ago in seconds_ago.items()}
    )


def progress_card(client, job) -> str:
    return client.get(reverse("report-progress", args=[job.pk])).content.decode()


def test_a_running_report_without_progress_is_shown_delayed_with_its_restart(
    world, client, settings
):
    settings.REPORTS_STALLED_AFTER = 90
    settings.REPORTS_STALE_AFTER = 480
    user = login(client, "sct-hanoi")
    job = pending_job(user)
    ReportJob.objects.filter(pk=job.pk).update(status=S.RUNNING, attempts=1, progress=5)
    set_back(job, started_at=60, heartbeat_at=60)
    assert 'data-testid="report-delayed"' not in progress_card(client, job)

    set_back(job, heartbeat_at=100)  # no news for longer than REPORTS_STALLED_AFTER
    job.refresh_from_db()
    restart = timezone.localtime(job.heartbeat_at + datetime.timedelta(seconds=480))
    card = progress_card(client, job)
    assert 'data-testid="report-delayed"' in card
    assert "Đang chậm: báo cáo chưa cập nhật tiến độ từ" in card
    assert f"tự động lập lại vào khoảng {restart:%H:%M}" in card
    listing = client.get(reverse("report-list")).content.decode()
    assert 'data-testid="report-delayed"' in listing and "đang chậm" in listing
    detail = client.get(reverse("report-detail", args=[job.pk])).content.decode()
    assert 'data-testid="report-delayed"' in detail

    # Past the sweeper's time (beat late or down): the next check will take it up.
    set_back(job, heartbeat_at=600)
    assert "ở lần kiểm tra kế tiếp" in progress_card(client, job)


def test_a_pending_report_no_worker_takes_is_shown_delayed(world, client, settings):
    settings.REPORTS_STALLED_AFTER = 90
    settings.REPORTS_PENDING_REQUEUE_AFTER = 600
    user = login(client, "sct-hanoi")
    job = pending_job(user)
    assert 'data-testid="report-delayed"' not in progress_card(client, job)
    set_back(job, enqueued_at=120)
    card = progress_card(client, job)
    assert "Đang chậm: chưa có máy xử lý nào nhận lập báo cáo từ" in card


def test_an_unsent_report_says_it_is_queued_until_the_workers_are_back(world, client):
    user = login(client, "sct-hanoi")
    job = pending_job(user)
    ReportJob.objects.filter(pk=job.pk).update(enqueued_at=None)
    card = progress_card(client, job)
    assert 'data-testid="report-queued"' in card and "Đã xếp hàng" in card
    assert 'data-testid="report-delayed"' not in card
    assert "đã xếp hàng" in client.get(reverse("report-list")).content.decode()


@pytest.mark.parametrize("status", [S.DONE, S.FAILED])
def test_a_finished_report_is_never_delayed(world, status):
    job = ReportJob(status=status, heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    assert job.delayed_since is None and job.automatic_restart_at is None and not job.unsent


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_goes_on_while_the_pdf_renders_without_progress(world, users, monkeypatch):
    """WeasyPrint gives no progress for up to minutes: a thread keeps the heartbeat fresh
    while the run owns the job, and stops with the render."""
    import time

    from reports import services

    monkeypatch.setattr(services, "task_send", lambda task, **options: True)  # no broker
    job = pending_job(users["sct-hanoi"])
    ReportJob.objects.filter(pk=job.pk).update(status=S.RUNNING, attempts=1)
    set_back(job, heartbeat_at=600)
    with services._heartbeat(job.pk, 1, every=0.1):
        time.sleep(0.5)  # a render that reports nothing
        job.refresh_from_db()
        assert job.heartbeat_at > timezone.now() - datetime.timedelta(seconds=2)
        assert job.delayed_since is None
    set_back(job, heartbeat_at=600)
    time.sleep(0.3)
    job.refresh_from_db()  # stopped with the render
    assert job.heartbeat_at < timezone.now() - datetime.timedelta(seconds=500)

    # A run that lost the job (another attempt owns it) writes nothing.
    with services._heartbeat(job.pk, 2, every=0.1):
        time.sleep(0.3)
    job.refresh_from_db()
    assert job.heartbeat_at < timezone.now() - datetime.timedelta(seconds=500)
