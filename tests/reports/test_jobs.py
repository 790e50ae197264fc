"""Report jobs in the services: scoping and validation of the parameters, numbering, the
compare-and-set claim, one file per job whatever happens, the sweeper, retries. The PDFs
are produced by the real renderer (reports.documents), in-process; the Celery side is in
test_tasks.py."""

from __future__ import annotations

import datetime
import hashlib
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from inspections.models import Inspection
from programs.models import Program
from reference.models import Province
from reports import services
from reports.models import ReportJob, report_path
from tests.programs.factories import draft_plan, local_program
from tests.reports.test_jobs_factories import (
    compliance_params,
    done_job_in,
    inspection_in,
    report_files,
    use_report_media,
    viewer,
    word_copies,
)

HANOI, SONLA = 1, 14
S = ReportJob.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_media(settings, tmp_path):
    return use_report_media(settings, tmp_path)


def _province(code):
    return Province.objects.get(code=code)


def _national_plan():
    from tests.projects.factories import plan_for

    return plan_for(HANOI, national=True, year=2027)


# --- Request: scoping --------------------------------------------------------------------------


def test_inspector_asks_for_the_record_of_an_inspection_of_their_province(world, users):
    inspection = inspection_in(HANOI)
    job = services.report_request(
        actor=users["inspector-hanoi"],
        kind="inspection_record",
        params={"inspection": str(inspection.pk)},
    )
    assert job.status == S.PENDING and job.attempts == 0 and job.enqueued_at
    assert job.params == {"inspection": inspection.pk}
    assert job.province.code == HANOI
    assert job.title == f"Biên bản kiểm tra đề án {inspection.proposal.code}"
    assert job.number == "01/BB-SCT"
    assert job.requested_by == users["inspector-hanoi"]


def test_inspector_asks_for_the_compliance_report_of_their_province(world, users):
    hanoi = _province(HANOI)
    job = services.report_request(
        actor=users["inspector-hanoi"], kind="compliance", params=compliance_params(hanoi)
    )
    assert job.province == hanoi
    assert job.params == {"province": hanoi.pk, "date_from": "2026-01-01", "date_to": "2026-12-31"}
    assert job.title == (
        "Báo cáo tình hình sử dụng kinh phí khuyến công thành phố Hà Nội "
        "từ 01/01/2026 đến 31/12/2026"
    )


def _foreign_params(variant):
    sonla = _province(SONLA)
    if variant == "inspection_record":
        return {"inspection": inspection_in(SONLA).pk}
    if variant == "disbursement-plan":
        return {"plan": draft_plan(sonla).pk}
    if variant == "program_results":
        return {"program": local_program(sonla).pk}
    return compliance_params(sonla)  # compliance, disbursement over a period


@pytest.mark.parametrize(
    "variant",
    ["inspection_record", "compliance", "disbursement-plan", "disbursement", "program_results"],
)
@pytest.mark.parametrize("username", ["sct-hanoi", "ttkc-hanoi", "inspector-hanoi"])
def test_a_provincial_user_is_refused_another_provinces_report(world, users, username, variant):
    params = _foreign_params(variant)
    kind = variant.removesuffix("-plan")
    with pytest.raises(PermissionDenied):
        services.report_request(actor=users[username], kind=kind, params=params)
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize(
    "kind, params",
    [
        ("compliance", lambda: compliance_params(None)),
        ("disbursement", lambda: compliance_params(None)),
        ("disbursement", lambda: {"plan": _national_plan().pk}),
        ("program_results", lambda: {"program": Program.objects.get(code="kcqg-2026-2030").pk}),
    ],
)
def test_a_provincial_user_never_asks_for_a_national_report(world, users, kind, params):
    # The national plan and programme are visible to provincial users (read-only), but a
    # report on them covers every province.
    with pytest.raises(PermissionDenied):
        services.report_request(actor=users["sct-hanoi"], kind=kind, params=params())


def test_the_ministry_asks_for_national_and_provincial_reports(world, users):
    national = services.report_request(
        actor=users["ministry"], kind="compliance", params=compliance_params(None)
    )
    assert national.province is None
    assert "khuyến công toàn quốc từ 01/01/2026" in national.title
    assert national.number == "01/BC-ĐMST"
    plan = _national_plan()
    by_plan = services.report_request(
        actor=users["ministry"], kind="disbursement", params={"plan": plan.pk}
    )
    assert by_plan.province is None and by_plan.params == {"plan": plan.pk}
    assert by_plan.title.startswith("Báo cáo tình hình giải ngân ")
    sonla = services.report_request(
        actor=users["ministry"],
        kind="program_results",
        params={"program": local_program(_province(SONLA)).pk},
    )
    assert sonla.province.code == SONLA
    assert sonla.title.startswith("Báo cáo kết quả thực hiện chương trình khuyến công tỉnh Sơn La")
    assert sonla.number == "03/BC-ĐMST"


def test_a_provincial_disbursement_report_by_plan_or_by_period(world, users):
    hanoi = _province(HANOI)
    plan = draft_plan(hanoi)
    by_plan = services.report_request(
        actor=users["ttkc-hanoi"],
        kind="disbursement",
        params={"plan": plan.pk, "date_from": "2026-01-01"},  # the plan wins
    )
    assert by_plan.params == {"plan": plan.pk} and by_plan.province == hanoi
    by_period = services.report_request(
        actor=users["ttkc-hanoi"], kind="disbursement", params=compliance_params(hanoi)
    )
    assert by_period.params == compliance_params(hanoi)
    assert by_period.title.endswith("thành phố Hà Nội từ 01/01/2026 đến 31/12/2026")
    assert [by_plan.number, by_period.number] == ["01/BC-TTKC", "02/BC-TTKC"]


def test_a_read_only_viewer_asks_for_nothing(world):
    with pytest.raises(PermissionDenied):
        services.report_request(
            actor=viewer(HANOI), kind="compliance", params=compliance_params(_province(HANOI))
        )


# --- Request: validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, params, field",
    [
        (
            "compliance",
            {"province": "HN", "date_from": "2026-01-01", "date_to": "2026-02-01"},
            "province",
        ),
        ("compliance", {"date_to": "2026-02-01"}, "date_from"),
        ("compliance", {"date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_to"),
        ("compliance", {"date_from": "2020-01-01", "date_to": "2026-02-01"}, "date_to"),
        ("compliance", {"date_from": "01/02/2026", "date_to": "2026-02-01"}, "date_from"),
        ("disbursement", {"plan": 0}, "plan"),
        ("program_results", {}, "program"),
        ("inspection_record", {"inspection": 987654}, "inspection"),
        ("annual_everything", {}, "kind"),
    ],
)
def test_bad_parameters_are_explained_field_by_field(world, users, kind, params, field):
    params = {"province": _province(HANOI).pk, **params}
    with pytest.raises(ValidationError) as caught:
        services.report_request(actor=users["sct-hanoi"], kind=kind, params=params)
    assert field in caught.value.message_dict


@pytest.mark.parametrize("status", ["planned", "cancelled"])
def test_a_planned_or_cancelled_inspection_has_no_record(world, users, status):
    inspection = inspection_in(HANOI, status=status)
    with pytest.raises(ValidationError) as caught:
        services.report_request(
            actor=users["inspector-hanoi"],
            kind="inspection_record",
            params={"inspection": inspection.pk},
        )
    assert "inspection" in caught.value.message_dict


def test_the_job_is_enqueued_after_commit_only(world, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.report_request(
            actor=users["sct-hanoi"],
            kind="compliance",
            params=compliance_params(_province(HANOI)),
        )
    assert len(callbacks) == 1


def test_numbers_follow_the_issuer_and_the_year(world, users):
    hanoi, sonla = _province(HANOI), _province(SONLA)
    numbers = [
        services.report_request(
            actor=users[name], kind="compliance", params=compliance_params(province)
        ).number
        for name, province in [
            ("sct-hanoi", hanoi),
            ("sct-hanoi", hanoi),
            ("ttkc-hanoi", hanoi),
            ("sct-sonla", sonla),
            ("inspector-hanoi", hanoi),  # same Sở as sct-hanoi: same sequence
        ]
    ]
    assert numbers == ["01/BC-SCT", "02/BC-SCT", "01/BC-TTKC", "01/BC-SCT", "03/BC-SCT"]
    from reports.models import ReportNumberSequence

    sequence = ReportNumberSequence.objects.get(issuer=users["sct-hanoi"].agency)
    assert sequence.year == timezone.localdate().year and sequence.last == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_get_distinct_numbers(world, users):
    """Six requests numbered at the same moment by the same Sở, each holding its
    transaction open a little (as report_request does while it creates the job)."""
    import time

    from django.db import transaction

    agency = users["sct-hanoi"].agency
    barrier = threading.Barrier(6)
    numbers, errors = [], []

    def number():
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                numbers.append(services._next_number(agency, 2026))
                time.sleep(0.2)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=number) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]


# --- Run: claim, one file, errors ------------------------------------------------------------


def _compliance_job(user, code=HANOI):
    return services.report_request(
        actor=user, kind="compliance", params=compliance_params(_province(code))
    )


def test_the_claim_is_a_compare_and_set(world, users):
    job = _compliance_job(users["sct-hanoi"])
    assert services._claim(job.pk) == 1
    job.refresh_from_db()
    assert job.status == S.RUNNING and job.attempts == 1 and job.started_at and job.heartbeat_at
    # A second delivery while the first run is alive (fresh heartbeat): nothing to do.
    assert services._claim(job.pk) is None
    assert services.report_run(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.attempts == 1 and job.status == S.RUNNING
    # The first run's worker died: once its heartbeat is stale, a new run takes over.
    ReportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert services._claim(job.pk) == 2


def test_a_job_is_produced_once_with_one_file(world, users, report_media):
    job = _compliance_job(users["sct-hanoi"])
    assert services.report_run(job.pk) == "done"
    job.refresh_from_db()
    assert job.status == S.DONE and job.progress == 100 and job.attempts == 1
    assert job.finished_at and job.error == ""
    [path] = report_files(report_media)
    content = path.read_bytes()
    assert content.startswith(b"%PDF")
    assert (
        job.file.name
        == report_path(job, None)
        == f"reports/{path.parent.parent.name}/"
        + (f"{path.parent.name}/{job.verification_code}.pdf")
    )
    assert job.sha256 == hashlib.sha256(content).hexdigest()
    assert job.size == len(content) and job.page_count >= 1
    # Its Word copy, made in the same run from the same data, is beside it.
    [word] = word_copies(report_media)
    assert word.name == f"{job.verification_code}.docx" and word.parent == path.parent
    # A redelivered task: nothing produced again.
    assert services.report_run(job.pk) == "skipped"
    assert report_files(report_media) == [path] and path.read_bytes() == content
    assert word_copies(report_media) == [word]
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_file_left_by_a_killed_run_is_replaced_not_duplicated(world, users, report_media):
    job = _compliance_job(users["sct-hanoi"])
    leftover = report_media / report_path(job, None)
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"%PDF-1.7 half-written by a worker that was killed")
    assert services.report_run(job.pk) == "done"
    job.refresh_from_db()
    [path] = report_files(report_media)
    assert path == leftover
    assert hashlib.sha256(path.read_bytes()).hexdigest() == job.sha256


def test_a_run_that_lost_the_job_writes_nothing(world, users, report_media):
    job = _compliance_job(users["sct-hanoi"])
    first = services._claim(job.pk)
    ReportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert services.report_run(job.pk) == "done"  # the second run took over and finished
    job.refresh_from_db()
    assert job.attempts == 2
    [path] = report_files(report_media)
    before = path.read_bytes()
    # The first run comes back late: its progress and its file are refused.
    with pytest.raises(services.ReportJobLost):
        services._Progress(job.pk, first)(50)
    assert services._store(job, first, b"%PDF another file", 1) is False
    assert report_files(report_media) == [path] and path.read_bytes() == before
    job.refresh_from_db()
    assert job.status == S.DONE and job.attempts == 2


def test_progress_is_throttled_and_never_goes_back(world, users):
    job = _compliance_job(users["sct-hanoi"])
    attempt = services._claim(job.pk)
    progress = services._Progress(job.pk, attempt)
    progress(5)
    assert ReportJob.objects.get(pk=job.pk).progress == 5
    progress(7)  # a small step within the second: not written
    assert ReportJob.objects.get(pk=job.pk).progress == 5
    progress(30)  # a real step: written at once
    assert ReportJob.objects.get(pk=job.pk).progress == 30
    progress(10)
    progress(100)  # 100 is reserved for the stored file
    assert ReportJob.objects.get(pk=job.pk).progress == 99


def test_a_storage_failure_is_retried_and_then_succeeds(world, users, settings, tmp_path):
    from tests.reports.test_jobs_factories import storage_settings

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the storage expects a directory")
    settings.STORAGES = {**settings.STORAGES, **storage_settings(blocked)}
    job = _compliance_job(users["sct-hanoi"])
    with pytest.raises(OSError):
        services.report_run(job.pk)
    job.refresh_from_db()
    # Released for the retry: pending again, the attempt counted, no file, no error shown.
    assert job.status == S.PENDING and job.attempts == 1 and not job.file and job.error == ""
    good = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, **storage_settings(good)}
    assert services.report_run(job.pk) == "done"
    job.refresh_from_db()
    assert job.status == S.DONE and job.attempts == 2
    assert len(report_files(good)) == 1


def test_a_permanent_error_fails_the_job_with_a_message(world, users, report_media):
    inspection = inspection_in(HANOI)
    job = services.report_request(
        actor=users["inspector-hanoi"],
        kind="inspection_record",
        params={"inspection": inspection.pk},
    )
    Inspection.objects.filter(pk=inspection.pk).delete()  # gone before the worker starts
    assert services.report_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == S.FAILED and job.finished_at and job.attempts == 1
    assert job.error and not job.file and not report_files(report_media)


def test_a_job_out_of_attempts_fails(world, users, settings):
    job = _compliance_job(users["sct-hanoi"])
    ReportJob.objects.filter(pk=job.pk).update(attempts=settings.REPORTS_MAX_ATTEMPTS)
    assert services.report_run(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == S.FAILED
    assert str(settings.REPORTS_MAX_ATTEMPTS) in job.error


def test_giving_up_after_transient_errors_fails_the_job(world, users):
    job = _compliance_job(users["sct-hanoi"])
    services.report_give_up(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == S.FAILED and job.error
    # A job that another run has claimed meanwhile is left to that run.
    other = _compliance_job(users["sct-hanoi"])
    services._claim(other.pk)
    services.report_give_up(job_id=other.pk)
    assert ReportJob.objects.get(pk=other.pk).status == S.RUNNING


# --- Sweep ------------------------------------------------------------------------------------


def test_the_sweeper_puts_stuck_and_forgotten_jobs_back_to_work(
    world, users, settings, django_capture_on_commit_callbacks
):
    now = timezone.now()
    long_ago = now - datetime.timedelta(seconds=settings.REPORTS_STALE_AFTER + 60)
    a_while_ago = now - datetime.timedelta(seconds=settings.REPORTS_PENDING_REQUEUE_AFTER + 60)
    user = users["sct-hanoi"]
    jobs = {
        name: _compliance_job(user)
        for name in ["stuck", "alive", "forgotten", "waiting", "exhausted", "done"]
    }

    def set_(name, **fields):
        ReportJob.objects.filter(pk=jobs[name].pk).update(**fields)

    set_("stuck", status=S.RUNNING, attempts=1, progress=40, heartbeat_at=long_ago)
    set_("alive", status=S.RUNNING, attempts=1, progress=40, heartbeat_at=now)
    set_("forgotten", enqueued_at=a_while_ago)
    set_(
        "exhausted", status=S.RUNNING, attempts=settings.REPORTS_MAX_ATTEMPTS, heartbeat_at=long_ago
    )
    set_(
        "done",
        status=S.DONE,
        file="reports/x.pdf",
        sha256="0" * 64,
        finished_at=now,
        enqueued_at=a_while_ago,
    )

    waiting_since = ReportJob.objects.get(pk=jobs["waiting"].pk).enqueued_at
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.report_sweep()
    assert result == {"requeued_stuck": 1, "requeued_pending": 1, "failed": 1}
    assert len(callbacks) == 1  # one callback enqueues both jobs

    state = {name: ReportJob.objects.get(pk=job.pk) for name, job in jobs.items()}
    assert state["stuck"].status == S.PENDING and state["stuck"].progress == 0
    assert state["stuck"].enqueued_at >= now and state["stuck"].attempts == 1
    assert state["alive"].status == S.RUNNING
    assert state["forgotten"].status == S.PENDING and state["forgotten"].enqueued_at >= now
    assert state["waiting"].enqueued_at == waiting_since  # asked a moment ago: left alone
    assert state["exhausted"].status == S.FAILED and state["exhausted"].error
    assert state["done"].status == S.DONE


# --- Retry by the user ------------------------------------------------------------------------


def test_a_failed_report_is_started_again(world, users, django_capture_on_commit_callbacks):
    job = _compliance_job(users["sct-hanoi"])
    ReportJob.objects.filter(pk=job.pk).update(
        status=S.FAILED, attempts=4, error="x", finished_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.report_retry(job=job, actor=users["ttkc-hanoi"])
    assert len(callbacks) == 1
    assert job.status == S.PENDING and job.attempts == 0 and job.error == ""
    assert job.finished_at is None
    with pytest.raises(ValidationError):
        services.report_retry(job=job, actor=users["sct-hanoi"])  # not failed
    ReportJob.objects.filter(pk=job.pk).update(status=S.FAILED)
    with pytest.raises(PermissionDenied):
        services.report_retry(job=job, actor=users["sct-sonla"])
    with pytest.raises(PermissionDenied):
        services.report_retry(job=job, actor=viewer(HANOI))


def test_done_job_builder_is_reused(world, report_media):
    hanoi = _province(HANOI)
    first = done_job_in(hanoi)
    assert first.status == S.DONE and done_job_in(hanoi) == first


def test_errors_are_recorded_in_vietnamese_whatever_the_active_language(settings):
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    with translation.override("en"):
        assert services._message(gettext_lazy("Province")) == "Tỉnh, thành phố"
        assert services._message(gettext_lazy("Page %(n)s of %(total)s"), n=1, total=2) == (
            "Trang 1 / 2"
        )
