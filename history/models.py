"""Nhập hồ sơ các năm trước: a province's past đề án brought in from its workbooks.

A :class:`HistoryImport` row is the source of truth of one upload: the file, its checksum,
the dry run's result (what would be created, changed or left as it is; every problem with
its sheet, row and column), then the import's. Celery workers do the work
(``history.tasks``); the row says what is left to do, so a lost message or a dead worker
only delays it (``history.services.history_sweep``)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _upload_to(instance, filename):
    return f"history/{uuid.uuid4().hex}.xlsx"


class HistoryImport(models.Model):
    class Status(models.TextChoices):
        CHECK_QUEUED = "check_queued", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        READY = "ready", _("Checked: waiting for your confirmation")
        REFUSED = "refused", _("Errors found: nothing imported")
        IMPORT_QUEUED = "import_queued", _("Waiting to be imported")
        IMPORTING = "importing", _("Being imported")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed: nothing imported")

    # The statuses a worker still has to act on, and those a worker is acting on.
    QUEUED = (Status.CHECK_QUEUED, Status.IMPORT_QUEUED)
    RUNNING = (Status.CHECKING, Status.IMPORTING)

    province_scope = "province"

    province = models.ForeignKey(
        "reference.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), upload_to=_upload_to)
    original_filename = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CHECK_QUEUED
    )
    # {"created": {kind: n}, "changed": …, "removed": …, "unchanged": …}
    preview = models.JSONField(_("what the import does"), default=dict, blank=True)
    result = models.JSONField(_("what the import did"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    proposal_count = models.PositiveIntegerField(_("proposals in the file"), default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(_("reason of the failure"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import of past records")
        verbose_name_plural = _("imports of past records")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="history_import_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["import_queued", "importing", "done"])
                | (Q(confirmed_by__isnull=False) & Q(confirmed_at__isnull=False)),
                name="history_import_confirmed_before_import",
                violation_error_message=_("An import starts only once it is confirmed."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["ready", "import_queued", "importing", "done"])
                | Q(error_count=0),
                name="history_import_no_errors_to_import",
                violation_error_message=_("A file with errors is not imported."),
            ),
        ]

    def __str__(self):
        return self.original_filename

    def get_absolute_url(self):
        return reverse("history-detail", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        return self.status in (*self.QUEUED, *self.RUNNING)

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(99, 100 * self.progress_done // self.progress_total)


class HistoryIssue(models.Model):
    """A problem the dry run found, where the user sees it in Excel."""

    class Severity(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")

    province_scope = "history_import__province"

    history_import = models.ForeignKey(
        HistoryImport, on_delete=models.CASCADE, related_name="issues", db_index=False
    )
    severity = models.CharField(_("kind"), max_length=8, choices=Severity.choices)
    sheet = models.CharField(_("sheet"), max_length=60)
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=80, blank=True)
    message = models.TextField(_("problem"))

    class Meta:
        ordering = ["history_import", "severity", "id"]
        indexes = [
            models.Index(fields=["history_import", "severity", "id"], name="history_issue_order")
        ]

    def __str__(self):
        return f"{self.sheet}:{self.row} {self.column}"
