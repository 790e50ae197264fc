"""Report jobs: the database row is the source of truth for every PDF a user asks for.

A request creates a ``ReportJob`` (pending) and enqueues ``reports.tasks.report_generate``
on commit, on the ``reports`` queue. The task claims the job with a compare-and-set update,
renders the PDF (``reports.documents``), and stores the file, its SHA-256 and ``done`` in
one compare-and-set write, so a redelivered or late task never produces a second file. A
periodic sweeper re-enqueues jobs left pending or running too long (a worker killed in the
middle of a report). Anyone holding the printed verification code can check a file online.
"""

import datetime
import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

# Unambiguous characters for a code people type from paper (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verification_code() -> str:
    """12 characters from a 31-letter alphabet: about 59 bits, printed as XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def report_path(instance, filename):
    """One deterministic name per job: a second run overwrites, it never adds a file."""
    return f"reports/{instance.requested_at:%Y/%m}/{instance.verification_code}.pdf"


def word_copy_path(instance) -> str:
    """The Word copy's name, beside the PDF (made in the same run, from the same data)."""
    return report_path(instance, None).removesuffix(".pdf") + ".docx"


class _ReportStorage(LazyObject):
    """``STORAGES["reports"]``, looked up when first used (and again after a settings
    change in tests), so reports can live in their own bucket."""

    def _setup(self):
        self._wrapped = storages["reports"]


report_storage_instance = _ReportStorage()


def report_storage():
    return report_storage_instance


@receiver(setting_changed)
def _reset_report_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        report_storage_instance._wrapped = empty


class ReportJob(models.Model):
    """Yêu cầu lập báo cáo: one requested report and its PDF."""

    class Kind(models.TextChoices):
        INSPECTION_RECORD = "inspection_record", _("Inspection record (biên bản kiểm tra)")
        COMPLIANCE = "compliance", _("Report on the use of khuyến công funds")
        DISBURSEMENT = "disbursement", _("Disbursement report")
        PROGRAM_RESULTS = "program_results", _("Programme results report")
        COUNCIL_MINUTES = (
            "council_minutes",
            _("Minutes of an appraisal council (biên bản họp hội đồng thẩm định)"),
        )
        REGISTRATION = "registration", _("Registration report of national proposals")
        PERIODIC = "periodic", _("Periodic results report (six-month, annual, period summary)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being produced")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    # The province the report is about (None: a national report, for national users).
    province_scope = "province"

    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=400)
    number = models.CharField(_("number and symbol"), max_length=60, blank=True)
    # Cơ quan ban hành: the requester's agency, or for a biên bản the agency of the
    # inspection team that issues the record (its number is from that agency's register).
    issuer = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("issuing agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="report_jobs",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    verification_code = models.CharField(
        _("verification code"), max_length=14, unique=True, default=new_verification_code
    )
    file = models.FileField(
        _("file"), upload_to=report_path, storage=report_storage, blank=True, max_length=300
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["requested_by", "-requested_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100), name="report_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]),
                name="report_known_status",
            ),
            # A finished report has exactly one file and its checksum.
            models.CheckConstraint(
                condition=~Q(status="done")
                | (~Q(file="") & Q(sha256__regex=r"^[0-9a-f]{64}$") & Q(finished_at__isnull=False)),
                name="report_done_has_file",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.verification_code}"

    # What the report's page says while it waits (read from the row and the settings).

    @property
    def unsent(self) -> bool:
        """Pending and not on the broker (it could not be reached): the sweeper sends it."""
        return self.status == self.Status.PENDING and self.enqueued_at is None

    @property
    def delayed_since(self) -> datetime.datetime | None:
        """When a running job last sent progress, or a pending one was sent, if that is
        longer ago than REPORTS_STALLED_AFTER: its worker stopped or none takes it."""
        since = {self.Status.RUNNING: self.heartbeat_at, self.Status.PENDING: self.enqueued_at}
        moved = since.get(self.status)
        limit = timezone.now() - datetime.timedelta(seconds=settings.REPORTS_STALLED_AFTER)
        return moved if moved is not None and moved < limit else None

    @property
    def automatic_restart_at(self) -> datetime.datetime | None:
        """When the sweeper takes a delayed job up again: a running one once its heartbeat
        is REPORTS_STALE_AFTER old, a pending one REPORTS_PENDING_REQUEUE_AFTER after it
        was sent (at the first sweep after that time)."""
        since = self.delayed_since
        if since is None:
            return None
        after = (
            settings.REPORTS_STALE_AFTER
            if self.status == self.Status.RUNNING
            else settings.REPORTS_PENDING_REQUEUE_AFTER
        )
        return since + datetime.timedelta(seconds=after)


class ReportNumberSequence(models.Model):
    """Số văn bản: the last number given by an issuing agency in a year (Nghị định
    30/2020/NĐ-CP numbers an issuer's documents from 01/01 each year). The row is
    incremented with one UPDATE, which holds its lock until the request commits, so two
    requests at once never get the same number."""

    issuer = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("report number sequence")
        verbose_name_plural = _("report number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year"], nulls_distinct=False, name="one_sequence_per_issuer_year"
            )
        ]

    def __str__(self):
        return f"{self.issuer} {self.year}: {self.last}"
