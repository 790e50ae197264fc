"""Periodic reports and their versions.

A ``PeriodicReport`` is one report owed: a province's (or, without a province, the Cục's
national) six-month or annual report of a year, or its period summary of a programme. Its
text and figures live in ``ReportVersion`` rows: the current version moves draft → reviewed
→ signed → sent (``periodic.workflow.STEPS``); reopening a signed or sent version keeps it
as it was and starts the next version as a draft. A version's figures are computed from the
portal while it is a draft and frozen in ``figures`` when it is signed, so the copy sent is
the copy kept; a national version records the provincial versions it consolidated.

Writes go through ``periodic.services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from periodic.rules import Kind


class ReportingDeadline(models.Model):
    """Hạn gửi báo cáo: the day a kind of report is due, for the provinces' reports or for
    the national one (the year of the period's end plus ``year_offset``). Data, editable by
    the ministry, with the basis it comes from."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Provinces to the ministry")
        NATIONAL = "national", _("National report of the ministry")

    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("who reports"), max_length=10, choices=Level.choices)
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))
    year_offset = models.PositiveSmallIntegerField(
        _("years after the period's end"),
        default=0,
        help_text=_("0: in the year the period ends; 1: in the following year."),
    )
    basis = models.CharField(_("basis"), max_length=300)
    verified = models.BooleanField(
        _("verified in the published text"),
        default=False,
        help_text=_("Tick only when the article giving this date has been read."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "kind"]
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        constraints = [
            models.UniqueConstraint(fields=["kind", "level"], name="one_deadline_per_kind_level"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12) & Q(day__gte=1, day__lte=31),
                name="deadline_day_in_year",
                violation_error_message=_("Enter a day of the year."),
            ),
            models.CheckConstraint(
                condition=Q(year_offset__lte=1), name="deadline_offset_at_most_one_year"
            ),
        ]

    def __str__(self):
        due = f"{self.day:02d}/{self.month:02d}"
        return f"{self.get_kind_display()} · {self.get_level_display()}: {due}"


class PeriodicReport(models.Model):
    """One report owed by a province (or nationally, ``province`` empty) for a period."""

    province_scope = "province"

    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="periodic_reports",
    )
    # The year of the period's end (a period summary: the programme's last year).
    year = models.PositiveSmallIntegerField(_("year"))
    # The programme whose targets the figures are measured against (a period summary's own).
    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "kind", "province__code"]
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "province", "year"],
                nulls_distinct=False,
                name="one_periodic_report_per_period",
                violation_error_message=_("This report already exists: open it from the list."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.PERIOD_SUMMARY) | Q(program__isnull=False),
                name="period_summary_has_program",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} · {self.province or 'Toàn quốc'}"

    @property
    def is_national(self) -> bool:
        return self.province_id is None


def scan_path(instance, filename):
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()
    return f"periodic/{instance.report_id}/v{instance.number}-{uuid.uuid4().hex}{suffix}"


class ReportVersion(models.Model):
    """One version of a periodic report: its narrative, and once signed its frozen figures,
    its number, date, signer and the scan of the signed copy."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWED = "reviewed", _("Reviewed")
        # A context of its own: "Signed" alone is a column heading ("date signed") elsewhere.
        SIGNED = "signed", pgettext_lazy("report status", "Signed")
        SENT = "sent", _("Sent to the ministry")

    province_scope = "report__province"

    report = models.ForeignKey(PeriodicReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The narrative: {section key: sanitised HTML} (periodic.rules.SECTIONS).
    sections = models.JSONField(_("narrative"), default=dict, blank=True)
    # The figures as signed (periodic.figures.compute), frozen; empty while a draft.
    figures = models.JSONField(null=True, blank=True, editable=False)
    # A national version: the provincial versions whose frozen figures it added up.
    sources = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="used_by", editable=False
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    document_number = models.CharField(_("number and symbol"), max_length=60, blank=True)
    signed_on = models.DateField(_("date signed"), null=True, blank=True)
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    scan = models.FileField(
        _("scan of the signed copy"), upload_to=scan_path, blank=True, max_length=300
    )
    signed_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_on = models.DateField(_("date sent"), null=True, blank=True)
    sent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["report", "-number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="one_version_number"),
            # At most one version of a report is being written at a time.
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(status__in=["draft", "reviewed"]),
                name="one_open_version_per_report",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "reviewed", "signed", "sent"]),
                name="version_known_status",
            ),
            # A signed or sent version has its number, date, signer, scan and frozen figures.
            models.CheckConstraint(
                condition=Q(status__in=["draft", "reviewed"])
                | (
                    Q(document_number__gt="")
                    & Q(signed_on__isnull=False)
                    & Q(signer__gt="")
                    & ~Q(scan="")
                    & Q(figures__isnull=False)
                ),
                name="signed_version_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_on__isnull=False),
                name="sent_version_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.report} · v{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REVIEWED)

    @property
    def is_frozen(self) -> bool:
        return self.figures is not None


class ReportEvent(models.Model):
    """What happened to a report, by whom and when (the report's history)."""

    LABELS = {
        "start": _("started"),
        "edit": _("text edited"),
        "review": _("marked as reviewed"),
        "sign": _("signed copy recorded"),
        "send": _("recorded as sent"),
        "reopen": _("reopened"),
    }

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.version_id} {self.action}"

    @property
    def label(self):
        return self.LABELS.get(self.action, self.action)


class DeadlineReminder(models.Model):
    """A reminder e-mailed before a report's deadline, once per report kind, year, province
    and day count (the daily job may run twice: the unique row keeps the e-mail single)."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    province = models.ForeignKey("reference.Province", on_delete=models.CASCADE, related_name="+")
    days_left = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "province", "days_left"], name="deadline_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.year} · {self.province_id} · {self.days_left}"
