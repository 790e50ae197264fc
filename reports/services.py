"""Report jobs: request, run, sweep, retry. The ``ReportJob`` row is the source of truth.

* :func:`report_request` checks the parameters against what the requester may see (a
  provincial user never asks for a national or another province's report), gives the
  report its title and its number (Nghị định 30/2020/NĐ-CP: numbered per issuing agency
  and year), creates the job and enqueues ``reports.tasks.report_generate`` after commit.
* :func:`report_run` (called by the task) claims the job with a compare-and-set UPDATE,
  renders it (``reports.documents.render_report``) and stores the file, its SHA-256 and
  ``done`` in one compare-and-set transaction, under a name fixed by the job — a
  redelivered, retried or late task never produces a second file.
* :func:`report_sweep` (Celery beat) puts back to work the jobs left pending or running
  too long: a worker killed in the middle of a report loses nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from accounts.models import Agency
from accounts.policies import has_perm, is_national, object_province_id, require
from core.formatting import document_number, format_date
from core.queue import task_send
from core.replica import read_from_replica
from cycle.models import RegistrationBatch
from inspections.models import Inspection
from inspections.services import record_issuer, record_number_give
from programs.models import AnnualPlan, Program
from projects.models import AppraisalCouncil
from projects.workflow import may_council_act
from reference.models import Province
from reports.models import ReportJob, ReportNumberSequence, report_path, word_copy_path

logger = logging.getLogger(__name__)

K = ReportJob.Kind
S = ReportJob.Status

# Errors that go away by themselves (a database restart, a storage or Redis hiccup): the
# task is retried with backoff. Anything else fails the job with a message.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    OSError,
)
# Inspections that have a record to print (a planned or cancelled one has none).
INSPECTION_RECORDED = (Inspection.Status.RECORDED, Inspection.Status.CONCLUDED)
# The longest period a report may cover (a programme runs five years).
MAX_PERIOD_DAYS = 366 * 5
# Progress is written at most this often (seconds); the page polls every 2 s.
PROGRESS_WRITE_INTERVAL = 1.0
# Symbols of the issuing agencies in a document's number ("12/BC-SCT").
AGENCY_SYMBOLS = {
    Agency.Kind.MINISTRY_DEPARTMENT: "ĐMST",
    Agency.Kind.DEPARTMENT: "SCT",
    Agency.Kind.PROMOTION_CENTRE: "TTKC",
}


class ReportJobLost(Exception):
    """This run no longer owns the job (another run took it over, or it was failed)."""


# --- Request --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Resolved:
    params: dict
    province: Province | None
    title: str
    # The document's own number (a signed report's), or "" for a draft that has none yet;
    # None: numbered from the issuer's register like every report.
    number: str | None = None


# What another app's resolver (RESOLVERS) checks its parameters with, like the kinds here.
Resolved = _Resolved
# Kinds of report whose parameters another app checks (an app above this one registers
# them in its AppConfig.ready(): periodic): kind -> resolver(actor, params) -> Resolved.
RESOLVERS: dict = {}


def register_resolver(kind: str, resolver) -> None:
    RESOLVERS[kind] = resolver


def where(province: Province | None) -> str:
    """The place a report is about, as its title says it: "tỉnh Sơn La", "toàn quốc"."""
    return province.administrative_name if province else "toàn quốc"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _pk(params: dict, field: str) -> int:
    value = params.get(field)
    if value in (None, ""):
        raise ValidationError({field: _("This field is required.")})
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Choose one of the options offered.")}) from None


def _date(params: dict, field: str) -> datetime.date:
    value = params.get(field)
    if value in (None, ""):
        raise ValidationError({field: _("Enter a date (dd/mm/yyyy).")})
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("Enter a valid date (dd/mm/yyyy).")}) from None


def _period(params: dict) -> tuple[datetime.date, datetime.date]:
    date_from, date_to = _date(params, "date_from"), _date(params, "date_to")
    if date_to < date_from:
        raise ValidationError({"date_to": _("The end of the period is before its start.")})
    if (date_to - date_from).days > MAX_PERIOD_DAYS:
        raise ValidationError({"date_to": _("A report covers at most five years.")})
    return date_from, date_to


def _reach(actor, province_id: int | None) -> None:
    """Refuse parameters that reach a province ``actor`` may not see: a provincial user
    reports on their own province only — never nationally, never on another province."""
    if is_national(actor):
        return
    if province_id is None or province_id != actor.province_id:
        raise PermissionDenied(_("You may only ask for reports on your own province."))


def report_object(actor, queryset, params: dict, field: str):
    """The object ``params[field]`` names in ``queryset``, on a province ``actor`` may report
    on (a ValidationError on the field, or PermissionDenied); RESOLVERS use it too."""
    obj = queryset.filter(pk=_pk(params, field)).first()
    if obj is None:
        raise ValidationError({field: _("Choose one of the options offered.")})
    _reach(actor, object_province_id(obj))
    return obj


def _province_param(actor, params: dict) -> Province | None:
    """``{"province": id}`` or ``{"province": null}`` (national, for national users)."""
    value = params.get("province")
    if value in (None, ""):
        _reach(actor, None)
        return None
    return report_object(actor, Province.objects.all(), params, "province")


def _province_period(actor, params: dict, subject: str) -> _Resolved:
    """A report on a province (or the whole country) over a period: the compliance and
    the disbursement reports share these parameters and the shape of their title."""
    province = _province_param(actor, params)
    date_from, date_to = _period(params)
    return _Resolved(
        params={
            "province": province.pk if province else None,
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
        },
        province=province,
        title=(
            f"{subject} {where(province)} từ {format_date(date_from)} đến {format_date(date_to)}"
        ),
    )


def _resolve(actor, kind: str, params: dict) -> _Resolved:
    """Check the parameters of a kind of report and derive its province and title."""
    if kind == K.INSPECTION_RECORD:
        inspection = report_object(
            actor,
            Inspection.objects.select_related("proposal__province"),
            params,
            "inspection",
        )
        if inspection.status not in INSPECTION_RECORDED:
            raise ValidationError(
                {"inspection": _("A record exists only once the inspection has been recorded.")}
            )
        return _Resolved(
            params={"inspection": inspection.pk},
            province=inspection.proposal.province,
            title=f"Biên bản kiểm tra đề án {inspection.proposal.code}",
        )
    if kind == K.COMPLIANCE:
        return _province_period(actor, params, "Báo cáo tình hình sử dụng kinh phí khuyến công")
    if kind == K.DISBURSEMENT:
        if params.get("plan") not in (None, ""):
            plan = report_object(
                actor, AnnualPlan.objects.select_related("province"), params, "plan"
            )
            return _Resolved(
                params={"plan": plan.pk},
                province=plan.province,
                title=f"Báo cáo tình hình giải ngân {_lower_first(plan.title)}",
            )
        return _province_period(actor, params, "Báo cáo tình hình giải ngân kinh phí khuyến công")
    if kind == K.PROGRAM_RESULTS:
        program = report_object(
            actor, Program.objects.select_related("province"), params, "program"
        )
        return _Resolved(
            params={"program": program.pk},
            province=program.province,
            title=f"Báo cáo kết quả thực hiện {_lower_first(program.name)}",
        )
    if kind == K.COUNCIL_MINUTES:
        council = report_object(
            actor, AppraisalCouncil.objects.select_related("agency__province"), params, "council"
        )
        if not may_council_act(actor, "minutes", council):
            if council.status != AppraisalCouncil.Status.CONCLUDED:
                raise ValidationError(
                    {"council": _("The minutes exist once the council's work is concluded.")}
                )
            raise PermissionDenied(
                _("Only the council's members and organisers ask for its minutes.")
            )
        return _Resolved(
            params={"council": council.pk},
            province=council.agency.province,
            title=f"Biên bản họp {_lower_first(council.name)}",
        )
    if kind == K.REGISTRATION:
        batches = RegistrationBatch.objects.select_related("province", "call__plan")
        batch = report_object(actor, batches, params, "batch")
        return _Resolved(
            params={"batch": batch.pk},
            province=batch.province,
            title=(
                f"Báo cáo đăng ký kế hoạch khuyến công quốc gia năm {batch.call.plan.year} "
                f"{where(batch.province)}"
            ),
        )
    if kind in RESOLVERS:
        return RESOLVERS[kind](actor, params)
    raise ValidationError({"kind": _("Choose a kind of report.")})


def council_minutes_number(council_id: int) -> tuple[str, Agency]:
    """The number of a council's minutes (biên bản) and its issuer, the council's agency:
    the next number of that agency's register for the year of the meeting, given once and
    kept on the council, so asking for the minutes again prints the same number."""
    council = (
        AppraisalCouncil.objects.select_for_update().select_related("agency").get(pk=council_id)
    )
    if not council.minutes_number:
        council.minutes_number = _allocate_record_number(council.agency, council.meeting_date.year)
        council.save(update_fields=["minutes_number"])
    return council.minutes_number, council.agency


def agency_symbol(agency: Agency | None) -> str:
    """The issuing agency's part of a number and symbol: SCT, TTKC, ĐMST; for another
    unit the initials of its name; BCT when the requester belongs to no agency."""
    if agency is None:
        return "BCT"
    if agency.kind in AGENCY_SYMBOLS:
        return AGENCY_SYMBOLS[agency.kind]
    words = (agency.short_name or agency.name).split()
    return "".join(w[0] for w in words if w[:1].isalpha()).upper()[:10] or "DV"


def _next_number(issuer: Agency | None, year: int) -> int:
    """The issuer's next number in ``year``. The UPDATE locks the counter row until the
    caller's transaction ends, so concurrent requests are numbered one after the other."""
    sequence, _created = ReportNumberSequence.objects.get_or_create(issuer=issuer, year=year)
    ReportNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    return ReportNumberSequence.objects.values_list("last", flat=True).get(pk=sequence.pk)


def record_symbol(issuer: Agency | None) -> str:
    """The symbol of a biên bản issued by ``issuer``: "BB-SCT"."""
    return f"BB-{agency_symbol(issuer)}"


def _allocate_record_number(issuer: Agency | None, year: int) -> str:
    return document_number(_next_number(issuer, year), record_symbol(issuer))


def record_number(inspection_id: int) -> tuple[str, Agency | None]:
    """The number of an inspection's biên bản and its issuing agency: the number the
    inspector typed, or the next number of the issuing agency's register for the year of
    the inspection, given once and kept on the inspection
    (``inspections.services.record_number_give``). A record of an inspection not concluded
    yet is a draft: no number (the PDF leaves it blank)."""
    inspection = Inspection.objects.select_related(
        "concluded_by__agency", "created_by__agency"
    ).get(pk=inspection_id)
    if inspection.status != Inspection.Status.CONCLUDED:
        return "", record_issuer(inspection)
    given = record_number_give(inspection=inspection, allocate=_allocate_record_number)
    issuer = given.number_issuer if given.number_issuer_id else record_issuer(given)
    return given.number, issuer


def _send(job_id: int) -> bool:
    """Put one job's message on the broker. A broker that cannot be reached is logged,
    not raised: the job row is already committed, and its ``enqueued_at`` is cleared so the
    sweeper sends it at its next run (the row is the outbox). Returns whether it was sent."""
    from reports.tasks import report_generate

    # The message carries the time limits the worker applies (Celery reads them from the
    # message, not from the worker's own settings).
    sent = task_send(
        report_generate,
        args=[job_id],
        soft_time_limit=settings.REPORTS_SOFT_TIME_LIMIT,
        time_limit=settings.REPORTS_TIME_LIMIT,
        ignore_result=True,
    )
    if not sent:
        logger.warning("report job %s kept pending, unsent: the sweeper will send it", job_id)
        ReportJob.objects.filter(pk=job_id, status=S.PENDING).update(enqueued_at=None)
    return sent


def _enqueue_after_commit(job_ids: list[int]) -> None:
    def send():
        for job_id in job_ids:
            _send(job_id)

    transaction.on_commit(send)


def request_permission(kind: str) -> str:
    """The permission to ask for a report of ``kind`` (accounts.policies.PERMISSIONS): an
    inspector asks for records and compliance reports only."""
    if kind not in ReportJob.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of report.")})
    return f"report.request.{kind}"


def report_request(*, actor, kind: str, params: dict) -> ReportJob:
    """Ask for a report: validate and scope the parameters, number it, queue it.

    The report's province comes from its parameters (an inspection's đề án, a plan or
    programme, or the province chosen); a provincial user may only reach their own. The
    number follows Nghị định 30/2020/NĐ-CP (core.formatting.document_number): ``01/BB-<issuer>``
    for a record (biên bản), ``01/BC-<issuer>`` for a report (báo cáo), numbered per issuing
    agency and year.

    A biên bản has one number, the inspection's (:func:`record_number`): the job takes it,
    so the inspection page, the PDF, the verification page and the list of reports show
    the same number, and asking for the record again gives it again."""
    require(actor, request_permission(kind))
    resolved = _resolve(actor, kind, params or {})
    issuer = actor.agency if actor.agency_id else None
    now = timezone.now()
    with transaction.atomic():
        if kind == K.INSPECTION_RECORD:
            number, issuer = record_number(resolved.params["inspection"])
        elif kind == K.COUNCIL_MINUTES:
            number, issuer = council_minutes_number(resolved.params["council"])
        elif resolved.number is not None:
            number = resolved.number
        else:
            sequence = _next_number(issuer, timezone.localdate(now).year)
            number = document_number(sequence, f"BC-{agency_symbol(issuer)}")
        job = ReportJob.objects.create(
            kind=kind,
            params=resolved.params,
            province=resolved.province,
            title=resolved.title[:400],
            number=number,
            issuer=issuer,
            requested_by=actor,
            enqueued_at=now,
        )
        _enqueue_after_commit([job.pk])
    return job


def report_retry_check(actor, job: ReportJob) -> None:
    """Who starts a report again, and when: whoever may request reports of its scope,
    once it has failed. Raises PermissionDenied or ValidationError; the report's page asks
    the same (``allows``) before offering the button."""
    if not has_perm(actor, request_permission(job.kind), job):
        raise PermissionDenied
    if job.status != S.FAILED:
        raise ValidationError(_("Only a failed report can be started again."))


def report_retry(*, job: ReportJob, actor) -> ReportJob:
    """Start a failed report again (from its first attempt), with the same number and
    verification code."""
    job.refresh_from_db(fields=["status"])  # the check reads the job as it is now
    report_retry_check(actor, job)
    with transaction.atomic():
        updated = ReportJob.objects.filter(pk=job.pk, status=S.FAILED).update(
            status=S.PENDING,
            attempts=0,
            progress=0,
            error="",
            started_at=None,
            heartbeat_at=None,
            finished_at=None,
            enqueued_at=timezone.now(),
        )
        if not updated:  # started again by someone else since it was read
            raise ValidationError(_("Only a failed report can be started again."))
        _enqueue_after_commit([job.pk])
    job.refresh_from_db()
    return job


# --- Run ------------------------------------------------------------------------------------


def _message(text, **params) -> str:
    """Errors are stored for the requester in the portal's language (Vietnamese),
    whatever language is active in the process that records them."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text) % params if params else str(text)


def _claim(job_id: int) -> int | None:
    """Compare-and-set: pending (or running with a stale heartbeat: its worker died) →
    running, one more attempt. Returns the attempt number this run owns, or None when
    there is nothing to do (done, failed, or running elsewhere with a fresh heartbeat)."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.REPORTS_STALE_AFTER)
    claimable = Q(status=S.PENDING) | Q(status=S.RUNNING, heartbeat_at__lt=stale)
    with transaction.atomic():
        claimed = ReportJob.objects.filter(
            claimable, pk=job_id, attempts__lt=settings.REPORTS_MAX_ATTEMPTS
        ).update(
            status=S.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0,
            error="",
        )
        if claimed:
            # The UPDATE holds the row lock: this reads our own attempt number.
            return ReportJob.objects.values_list("attempts", flat=True).get(pk=job_id)
        _fail_exhausted(ReportJob.objects.filter(claimable, pk=job_id), now)
    return None


def _fail_exhausted(queryset, now) -> int:
    return queryset.filter(attempts__gte=settings.REPORTS_MAX_ATTEMPTS).update(
        status=S.FAILED,
        finished_at=now,
        error=_message(
            gettext_lazy(
                "The report could not be produced after %(n)s attempts. "
                "Try again later or tell the administrators."
            ),
            n=settings.REPORTS_MAX_ATTEMPTS,
        ),
    )


class _Progress:
    """The ``progress`` callable given to the renderer: records the percentage and the
    heartbeat, only while this run still owns the job. Throttled: a write when the
    percentage moved by 5 points, or moved at all after a second, or after 30 seconds
    without news (the heartbeat) — a renderer may call it for every row."""

    STEP = 5
    HEARTBEAT = 30.0

    def __init__(self, job_id: int, attempt: int):
        self.job_id, self.attempt = job_id, attempt
        self.written_at = float("-inf")
        self.percent = 0

    def __call__(self, percent: int) -> None:
        percent = max(self.percent, min(99, int(percent)))  # 100 only with the stored file
        elapsed = time.monotonic() - self.written_at
        moved = percent - self.percent
        if not (
            moved >= self.STEP
            or (moved > 0 and elapsed >= PROGRESS_WRITE_INTERVAL)
            or elapsed >= self.HEARTBEAT
        ):
            return
        owned = ReportJob.objects.filter(
            pk=self.job_id, status=S.RUNNING, attempts=self.attempt
        ).update(progress=percent, heartbeat_at=timezone.now())
        if not owned:
            raise ReportJobLost(self.job_id)
        self.written_at, self.percent = time.monotonic(), percent


def _owned(job_id: int, attempt: int):
    return ReportJob.objects.filter(pk=job_id, status=S.RUNNING, attempts=attempt)


@contextmanager
def _heartbeat(job_id: int, attempt: int, every: float = _Progress.HEARTBEAT):
    """While the report renders, a thread writes the job's heartbeat every ``every``
    seconds: WeasyPrint reports no progress for up to minutes, and the report's page would
    show a live job as delayed (REPORTS_STALLED_AFTER). The hard time limit kills the
    process, thread included, so a hung render still goes stale for the sweeper."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(every):
                if not _owned(job_id, attempt).update(heartbeat_at=timezone.now()):
                    return  # no longer ours: the run will find out at its next step
        except TRANSIENT_ERRORS:
            logger.warning("report job %s: heartbeat not written", job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"report-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _release(job_id: int, attempt: int) -> None:
    """Back to pending after a transient error, so the retried task can claim it."""
    try:
        _owned(job_id, attempt).update(status=S.PENDING, enqueued_at=timezone.now())
    except TRANSIENT_ERRORS:
        # The database itself is away: the sweeper will find the stale heartbeat.
        logger.warning("report job %s could not be released", job_id, exc_info=True)


def _fail(job_id: int, attempt: int, message) -> None:
    _owned(job_id, attempt).update(
        status=S.FAILED, finished_at=timezone.now(), error=_message(message)
    )


def _store(job: ReportJob, attempt: int, pdf: bytes, page_count: int, docx: bytes = b"") -> bool:
    """One compare-and-set transaction: while the row is locked and still ours, write
    the file under the job's own name (removing what a killed run may have left there,
    so the storage never adds a suffixed second file), its Word copy beside it, its
    checksum, and ``done``."""
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = _owned(job.pk, attempt).select_for_update().first()
        if locked is None:
            return False  # another run finished or took over first: write nothing
        name = report_path(locked, None)
        storage = locked.file.storage
        if docx:
            word_name = word_copy_path(locked)
            if storage.exists(word_name):
                storage.delete(word_name)
            storage.save(word_name, ContentFile(docx))
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(pdf))
        now = timezone.now()
        _owned(job.pk, attempt).update(
            file=saved,
            sha256=digest,
            size=len(pdf),
            page_count=page_count,
            status=S.DONE,
            progress=100,
            heartbeat_at=now,
            finished_at=now,
            error="",
        )
    return True


def report_run(job_id: int) -> str:
    """Produce the report of a job once: "done", "skipped" (nothing to do, or another run
    owns it) or "failed". Transient errors release the job and are raised again, for the
    task to retry with backoff; any other error fails the job with a message for the
    requester (the traceback goes to the log)."""
    from celery.exceptions import SoftTimeLimitExceeded

    from reports.documents import render_report
    from reports.documents.common import ReportDataMissing
    from reports.documents.limits import ReportTooLarge

    attempt = _claim(job_id)
    if attempt is None:
        return "skipped"
    job = ReportJob.objects.select_related("requested_by__agency__province", "province").get(
        pk=job_id
    )
    try:
        # The report's reads go to the replica once it has replayed what was committed
        # before this run began (core.replica); its writes to the primary.
        with _heartbeat(job_id, attempt), read_from_replica(catch_up=settings.REPLICA_CATCH_UP):
            rendered = render_report(job, progress=_Progress(job_id, attempt))
        stored = _store(job, attempt, rendered.pdf, rendered.page_count, rendered.docx)
    except ReportJobLost:
        return "skipped"
    except TRANSIENT_ERRORS:
        logger.warning("report job %s: transient error, to retry", job_id, exc_info=True)
        _release(job_id, attempt)
        raise
    except SoftTimeLimitExceeded:
        logger.warning("report job %s: soft time limit", job_id)
        _fail(
            job_id, attempt, gettext_lazy("The report took too long. Narrow its period or scope.")
        )
        return "failed"
    except ValidationError as exc:
        _fail(job_id, attempt, " ".join(exc.messages))
        return "failed"
    except ReportTooLarge as exc:  # refused before it outgrows the worker: not retried
        _fail(job_id, attempt, str(exc))
        return "failed"
    except ReportDataMissing as exc:  # its message is written for the requester
        _fail(
            job_id,
            attempt,
            str(exc) or gettext_lazy("The data this report is about no longer exists."),
        )
        return "failed"
    except PermissionDenied:
        _fail(
            job_id,
            attempt,
            gettext_lazy("The requester may no longer see the data of this report."),
        )
        return "failed"
    except ObjectDoesNotExist:
        _fail(job_id, attempt, gettext_lazy("The data this report is about no longer exists."))
        return "failed"
    except Exception:
        logger.exception("report job %s failed", job_id)
        _fail(
            job_id,
            attempt,
            gettext_lazy(
                "The report could not be produced because of an internal error. The "
                "administrators have the details; you may try again."
            ),
        )
        return "failed"
    return "done" if stored else "skipped"


def report_give_up(*, job_id: int) -> None:
    """The task ran out of retries on transient errors: the job (released to pending by
    its last run) fails with a message. A job another run has claimed since is left to
    that run."""
    ReportJob.objects.filter(pk=job_id, status=S.PENDING).update(
        status=S.FAILED,
        finished_at=timezone.now(),
        error=_message(
            gettext_lazy(
                "The report could not be produced: a service (database, file storage) was "
                "unavailable. Try again later."
            )
        ),
    )


# --- Sweep ----------------------------------------------------------------------------------


def report_sweep(*, now: datetime.datetime | None = None) -> dict:
    """Celery beat, every two minutes. Jobs running with a heartbeat older than
    ``REPORTS_STALE_AFTER`` (their worker died: the hard time limit is shorter) go back to
    pending; pending jobs not started within ``REPORTS_PENDING_REQUEUE_AFTER`` are enqueued
    again; jobs out of attempts fail. Enqueuing twice is harmless: the claim is a
    compare-and-set and only one run stores the file."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.REPORTS_STALE_AFTER)
    waiting = now - datetime.timedelta(seconds=settings.REPORTS_PENDING_REQUEUE_AFTER)
    stuck_running = Q(status=S.RUNNING, heartbeat_at__lt=stale)
    with transaction.atomic():
        failed = _fail_exhausted(ReportJob.objects.filter(stuck_running | Q(status=S.PENDING)), now)
        stuck = list(
            ReportJob.objects.select_for_update(skip_locked=True)
            .filter(stuck_running)
            .values_list("pk", flat=True)
        )
        ReportJob.objects.filter(pk__in=stuck).update(status=S.PENDING, progress=0, enqueued_at=now)
        late = list(
            ReportJob.objects.select_for_update(skip_locked=True)
            .filter(status=S.PENDING)
            .filter(Q(enqueued_at__lt=waiting) | Q(enqueued_at__isnull=True))
            .exclude(pk__in=stuck)
            .values_list("pk", flat=True)
        )
        ReportJob.objects.filter(pk__in=late).update(enqueued_at=now)
        _enqueue_after_commit(stuck + late)
    if stuck or late or failed:
        logger.info("report sweep: %s stuck, %s late, %s failed", len(stuck), len(late), failed)
    return {"requeued_stuck": len(stuck), "requeued_pending": len(late), "failed": failed}
