"""The import as a job: upload, the dry run by a real Celery worker, the preview page,
confirmation, the import by the worker, and the sweeper."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from history import services, tasks
from history.example import example_rows
from history.models import HistoryImport
from history.workbook import template_workbook
from khuyencong.celery import app
from programs.models import Program
from projects.models import Proposal
from reference.models import Province
from tests.reports.test_tasks import wait_for

SONLA = 14
S = HistoryImport.Status


def _local_program(province):
    Program.objects.get_or_create(
        code="kcdp-sla-2021-2025",
        defaults={
            "name": "Chương trình khuyến công tỉnh Sơn La giai đoạn 2021 - 2025",
            "level": "local",
            "province": province,
            "start_year": 2021,
            "end_year": 2025,
        },
    )


def _upload(rows, name="ho-so-son-la.xlsx"):
    return SimpleUploadedFile(name, template_workbook(catalogue={}, examples=rows))


def _state(pk) -> HistoryImport:
    return HistoryImport.objects.get(pk=pk)


def test_the_task_is_routed_to_the_long_work_queue_and_limited(settings):
    task = tasks.history_run_task
    assert app.amqp.router.route({}, task.name)["queue"].name == "reports"
    assert task.acks_late is True and task.reject_on_worker_lost is True
    assert 0 < task.soft_time_limit < task.time_limit < settings.HISTORY_STALE_AFTER
    assert app.conf.broker_transport_options["visibility_timeout"] > settings.HISTORY_TIME_LIMIT
    sweep = settings.CELERY_BEAT_SCHEDULE["history-sweep"]
    assert sweep["task"] == tasks.history_sweep_task.name
    assert sweep["schedule"] * 2 < settings.HISTORY_REQUEUE_AFTER


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_then_imports_a_confirmed_file(
    world, users, celery_worker_process, client
):
    province = Province.objects.get(code=SONLA)
    _local_program(province)
    officer = users["sct-sonla"]
    client.force_login(officer)
    rows = example_rows(province, proposals=10)
    response = client.post(reverse("history-upload"), {"file": _upload(rows)})
    job = HistoryImport.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    ready = wait_for(
        lambda: (j := _state(job.pk)).status not in (S.CHECK_QUEUED, S.CHECKING) and j,
        timeout=180,
        what="the dry run",
    )
    assert ready.status == S.READY, list(ready.issues.values_list("message", flat=True))
    assert ready.preview["created"]["proposals"] == 10 and ready.proposal_count == 10
    assert not Proposal.objects.filter(code__startswith="KC-SLA-").exists()
    page = client.get(job.get_absolute_url())
    assert b'data-testid="history-confirm"' in page.content
    # Without the confirmation the server asks again and imports nothing.
    asked = client.post(reverse("history-confirm", args=[job.pk]))
    assert asked.status_code == 200 and _state(job.pk).status == S.READY
    client.post(reverse("history-confirm", args=[job.pk]), {"confirmed": "1"})
    done = wait_for(
        lambda: (j := _state(job.pk)).status in (S.DONE, S.FAILED) and j,
        timeout=180,
        what="the import",
    )
    assert done.status == S.DONE, done.error
    assert done.result == done.preview
    assert done.confirmed_by == officer
    assert Proposal.objects.filter(code__startswith="KC-SLA-").count() == 10


@pytest.mark.django_db
def test_a_file_with_errors_is_refused_with_each_problem_listed(world, users, client):
    province = Province.objects.get(code=SONLA)
    _local_program(province)
    rows = example_rows(province, proposals=3)
    rows["proposals"][0]["activity"] = "99"
    rows["payments"].append({**rows["payments"][0], "proposal_code": "KHONG-CO"})
    client.force_login(users["sct-sonla"])
    client.post(reverse("history-upload"), {"file": _upload(rows)})
    job = HistoryImport.objects.get()
    assert services.history_run(job.pk) == S.REFUSED
    job.refresh_from_db()
    assert job.error_count == 2
    page = client.get(job.get_absolute_url()).content.decode()
    assert "99" in page and "KHONG-CO" in page
    assert 'data-testid="history-confirm"' not in page
    # Confirming a refused file is refused too.
    client.post(reverse("history-confirm", args=[job.pk]), {"confirmed": "1"})
    assert _state(job.pk).status == S.REFUSED
    download = client.get(reverse("history-issues", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd")


@pytest.mark.django_db
def test_only_a_department_imports_and_only_its_own_province(world, users, client):
    client.force_login(users["ttkc-sonla"])
    assert client.post(reverse("history-upload"), {"file": _upload({})}).status_code == 403
    client.force_login(users["ministry"])
    assert client.post(reverse("history-upload"), {"file": _upload({})}).status_code == 403
    client.force_login(users["sct-sonla"])
    refused = client.post(
        reverse("history-upload"),
        {"file": SimpleUploadedFile("ho-so.csv", b"a;b")},
    )
    assert refused.status_code == 400 and "xlsx" in refused.content.decode()
    assert not HistoryImport.objects.exists()


@pytest.mark.django_db
def test_the_sweeper_sends_a_lost_job_again_and_takes_back_a_dead_workers(world, users):
    province = Province.objects.get(code=SONLA)
    officer = users["sct-sonla"]
    lost = services.history_upload(actor=officer, upload=_upload({}, "mat.xlsx"))
    dead = services.history_upload(actor=officer, upload=_upload({}, "chet.xlsx"))
    assert lost.province == province
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    HistoryImport.objects.filter(pk=lost.pk).update(enqueued_at=None)
    HistoryImport.objects.filter(pk=dead.pk).update(status=S.CHECKING, heartbeat_at=long_ago)
    result = services.history_sweep()
    assert result == {"requeued_stuck": 1, "requeued_queued": 1}
    assert _state(dead.pk).status == S.CHECK_QUEUED
    # Claimed once: a second message for the same job finds nothing to do.
    assert services.history_run(lost.pk) in (S.REFUSED, S.READY)
    assert services.history_run(lost.pk) == "skipped"


@pytest.mark.django_db
def test_the_template_and_the_example_download(world, users, client):
    client.force_login(users["sct-sonla"])
    for name in ("history-template", "history-example"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith('.xlsx"')
