"""Writes of periodic reports: start a report, edit its narrative, review, sign (figures
frozen), send, reopen as a new version; deadlines and their reminders.

Every transition locks the version row (``select_for_update``) and checks
``periodic.workflow``; the database keeps one open version per report and a signed version
complete (``periodic.models`` constraints) whatever the interleaving of requests."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import DEPARTMENT_ROLES, User
from core.formatting import format_date
from core.richtext import clean_html
from projects.services import MAGIC
from reference.models import Province

from . import drafting, figures, rules, workflow
from .models import (
    DeadlineReminder,
    PeriodicReport,
    ReportEvent,
    ReportingDeadline,
    ReportVersion,
)
from .rules import Kind

SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
MAX_SCAN_BYTES = 20 * 1024 * 1024
S = ReportVersion.Status


def _event(version, action, actor, comment=""):
    ReportEvent.objects.create(version=version, action=action, actor=actor, comment=comment)


# --- Starting a report ----------------------------------------------------------------------


def report_start(*, actor, kind: str, province: Province | None, year: int, program=None):
    """Start the report of ``kind`` for ``province`` (None: national) and ``year``, with its
    first draft version pre-filled from the portal. A report that exists is refused (it is
    opened from the list)."""
    if kind == Kind.PERIOD_SUMMARY:
        if program is None:
            raise ValidationError({"program": _("Choose the programme the summary is of.")})
        year = program.end_year
    report = PeriodicReport(
        kind=kind, province=province, year=year, program=program, created_by=actor
    )
    if not workflow.may_act(actor, "edit", report):
        raise PermissionDenied
    if report.program is None:
        report.program = default_program(province, year)
    try:
        with transaction.atomic():
            report.save()
            missing = missing_provinces(report) if report.is_national else ()
            version = ReportVersion.objects.create(
                report=report,
                number=1,
                sections=drafting.prefill(report, missing_provinces=missing),
                created_by=actor,
                updated_by=actor,
            )
            _event(version, "start", actor)
    except IntegrityError:
        raise ValidationError(_("This report already exists: open it from the list.")) from None
    return report


def default_program(province, year):
    """The programme a six-month or annual report measures its outputs against: the
    province's own programme covering the year, or nationally the national programme."""
    from programs.models import Program

    programs = Program.objects.filter(start_year__lte=year, end_year__gte=year)
    if province is None:
        return programs.filter(province__isnull=True).order_by("-start_year").first()
    return programs.filter(province=province).order_by("-start_year").first()


# --- The narrative ------------------------------------------------------------------------


def _lock(version: ReportVersion) -> ReportVersion:
    return ReportVersion.objects.select_for_update().select_related("report").get(pk=version.pk)


def version_update(*, version: ReportVersion, actor, sections: dict, seen_updated_at=None):
    """Save the narrative. Editing a reviewed version takes it back to draft (the review no
    longer covers the text). ``seen_updated_at`` (from the form) refuses a save over
    somebody else's newer one."""
    with transaction.atomic():
        version = _lock(version)
        workflow.require(actor, "edit", version)
        if seen_updated_at is not None and version.updated_at.replace(
            microsecond=0
        ) > seen_updated_at.replace(microsecond=0):
            raise ValidationError(
                _(
                    "%(name)s saved this report after you opened it: reload the page to see "
                    "their text, then make your changes again."
                )
                % {"name": version.updated_by.get_full_name() or version.updated_by.username}
            )
        version.sections = {key: clean_html(sections.get(key, "")) for key in rules.SECTION_KEYS}
        comment = ""
        if version.status == S.REVIEWED:
            version.status = S.DRAFT
            version.reviewed_by = None
            version.reviewed_at = None
            comment = _("Edited after review: back to draft.")
        version.updated_by = actor
        version.save()
        _event(version, "edit", actor, comment)
    return version


# --- The flow -----------------------------------------------------------------------------


def version_review(*, version: ReportVersion, actor) -> ReportVersion:
    with transaction.atomic():
        version = _lock(version)
        workflow.require(actor, "review", version)
        version.status = S.REVIEWED
        version.reviewed_by = actor
        version.reviewed_at = timezone.now()
        version.updated_by = actor
        version.save()
        _event(version, "review", actor)
    return version


def _check_scan(scan) -> None:
    name = (getattr(scan, "name", "") or "").lower()
    if not name.endswith(SCAN_EXTENSIONS):
        raise ValidationError({"scan": _("Upload the signed copy as PDF, JPG or PNG.")})
    if scan.size > MAX_SCAN_BYTES:
        raise ValidationError({"scan": _("The file is larger than 20 MB.")})
    head = scan.read(8)
    scan.seek(0)
    suffix = "." + name.rsplit(".", 1)[-1]
    if not any(head.startswith(magic) for magic in MAGIC[suffix]):
        raise ValidationError({"scan": _("The file's content is not what its name says.")})


def sent_versions(report) -> list[ReportVersion]:
    """For a national report: the latest sent version of each province's report of the same
    kind and year (the ones it consolidates)."""
    latest = {}
    for v in (
        ReportVersion.objects.filter(
            status=S.SENT,
            report__kind=report.kind,
            report__year=report.year,
            report__province__isnull=False,
        )
        .select_related("report__province")
        .order_by("report_id", "-number")
    ):
        latest.setdefault(v.report_id, v)
    return sorted(latest.values(), key=lambda v: v.report.province.code)


def missing_provinces(report) -> list[Province]:
    sent = {v.report.province_id for v in sent_versions(report)}
    return [p for p in Province.objects.order_by("code") if p.pk not in sent]


def live_figures(report) -> tuple[dict, list[ReportVersion]]:
    """The figures of a report now, and (national) the provincial versions they add up."""
    sources = sent_versions(report) if report.is_national else []
    return figures.compute(report, provincial_versions=sources), sources


def version_sign(
    *,
    version: ReportVersion,
    actor,
    document_number: str,
    signed_on: datetime.date,
    signer: str,
    signer_title: str = "",
    scan=None,
) -> ReportVersion:
    """Record the signed copy: its number, date, signer and scan; the figures are frozen as
    computed now (a national version records which provincial versions it used)."""
    errors = {}
    if not (document_number or "").strip():
        errors["document_number"] = _("Enter the number of the signed report.")
    if not (signer or "").strip():
        errors["signer"] = _("Enter who signed the report.")
    if signed_on is None:
        errors["signed_on"] = _("Enter the date the report was signed.")
    elif signed_on > timezone.localdate():
        errors["signed_on"] = _("The date cannot be in the future.")
    if scan is None:
        errors["scan"] = _("Upload the scan of the signed copy.")
    if errors:
        raise ValidationError(errors)
    _check_scan(scan)
    with transaction.atomic():
        version = _lock(version)
        workflow.require(actor, "sign", version)
        frozen, sources = live_figures(version.report)
        version.figures = frozen
        version.document_number = document_number.strip()
        version.signed_on = signed_on
        version.signer = signer.strip()
        version.signer_title = (signer_title or "").strip()
        version.scan = scan
        version.status = S.SIGNED
        version.signed_recorded_by = actor
        version.updated_by = actor
        version.save()
        version.sources.set(sources)
        _event(version, "sign", actor, version.document_number)
    return version


def version_send(*, version: ReportVersion, actor, sent_on: datetime.date) -> ReportVersion:
    if sent_on is None:
        raise ValidationError({"sent_on": _("Enter the date the report was sent.")})
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        version = _lock(version)
        workflow.require(actor, "send", version)
        if sent_on < version.signed_on:
            raise ValidationError({"sent_on": _("A report is sent after it is signed.")})
        version.status = S.SENT
        version.sent_on = sent_on
        version.sent_recorded_by = actor
        version.updated_by = actor
        version.save()
        _event(version, "send", actor, format_date(sent_on))
    return version


def version_reopen(*, version: ReportVersion, actor, reason: str) -> ReportVersion:
    """Keep the signed (or sent) version as it is and start the next version as a draft
    from its text. Returns the new version."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the report is reopened.")})
    with transaction.atomic():
        version = _lock(version)
        workflow.require(actor, "reopen", version)
        version.reopened_at = timezone.now()
        version.reopen_reason = reason.strip()
        version.save(update_fields=["reopened_at", "reopen_reason", "updated_at"])
        _event(version, "reopen", actor, version.reopen_reason)
        new = ReportVersion.objects.create(
            report=version.report,
            number=version.number + 1,
            sections=dict(version.sections),
            created_by=actor,
            updated_by=actor,
        )
        _event(new, "start", actor, _("Reopened from version %(n)s.") % {"n": version.number})
    return new


# --- Deadlines ------------------------------------------------------------------------------


def deadline_table() -> dict[tuple[str, str], ReportingDeadline]:
    return {(d.kind, d.level): d for d in ReportingDeadline.objects.all()}


def due_date(kind: str, level: str, year: int, table=None) -> datetime.date | None:
    """The day the report of ``kind`` whose period ends in ``year`` is due (None: no
    deadline recorded)."""
    table = deadline_table() if table is None else table
    rule = table.get((kind, level))
    if rule is None:
        return None
    return datetime.date(year + rule.year_offset, rule.month, rule.day)


def deadline_update(*, deadline: ReportingDeadline, actor, **fields) -> ReportingDeadline:
    from accounts.policies import require

    require(actor, "periodic.deadlines")
    for name, value in fields.items():
        setattr(deadline, name, value)
    try:
        datetime.date(2024, deadline.month, deadline.day)  # a leap year: 29/02 allowed
    except ValueError:
        raise ValidationError({"day": _("This day does not exist in that month.")}) from None
    deadline.updated_by = actor
    deadline.full_clean()
    deadline.save()
    return deadline


def reminder_recipients() -> dict[int, list[str]]:
    """province id → the e-mail addresses of its Sở's active users (one query)."""
    recipients: dict[int, list[str]] = {}
    for province_id, email in (
        User.objects.filter(is_active=True, role__in=DEPARTMENT_ROLES)
        .exclude(email="")
        .exclude(agency__province__isnull=True)
        .values_list("agency__province_id", "email")
        .order_by("email")
    ):
        recipients.setdefault(province_id, []).append(email)
    return recipients


def owed_periods(today: datetime.date, table=None) -> list[tuple[str, int, datetime.date]]:
    """The provinces' reports whose deadline falls within a year around ``today``: (kind,
    year, due date), the six-month and annual reports of the last two years and of this
    year, and period summaries of programmes ending this year or last."""
    from programs.models import Program

    table = deadline_table() if table is None else table
    result = []
    for year in (today.year - 2, today.year - 1, today.year):
        for kind in (Kind.SIX_MONTH, Kind.ANNUAL):
            due = due_date(kind, "province", year, table)
            if due is not None:
                result.append((kind, year, due))
    ends = set(
        Program.objects.filter(end_year__in=(today.year - 1, today.year)).values_list(
            "end_year", flat=True
        )
    )
    for year in sorted(ends):
        due = due_date(Kind.PERIOD_SUMMARY, "province", year, table)
        if due is not None:
            result.append((Kind.PERIOD_SUMMARY, year, due))
    return result


def deadline_remind(*, today: datetime.date | None = None) -> int:
    """The daily reminder before each provincial report's deadline (``rules.REMINDER_DAYS``):
    the Sở of every province that has not sent that report gets an e-mail, once per report,
    province and day count. Returns the number of e-mails sent."""
    from programs.models import Program

    today = today or timezone.localdate()
    sent = 0
    starts = dict(Program.objects.values_list("end_year", "start_year"))
    for kind, year, due in owed_periods(today):
        left = (due - today).days
        if left not in rules.REMINDER_DAYS:
            continue
        done = set(
            ReportVersion.objects.filter(
                status=S.SENT, report__kind=kind, report__year=year, report__province__isnull=False
            ).values_list("report__province_id", flat=True)
        )
        addresses = reminder_recipients()
        for province in Province.objects.exclude(pk__in=done).order_by("code"):
            recipients = addresses.get(province.pk, [])
            with transaction.atomic():
                _row, created = DeadlineReminder.objects.get_or_create(
                    kind=kind,
                    year=year,
                    province=province,
                    days_left=left,
                    defaults={"due_on": due, "recipients": recipients},
                )
                if not created or not recipients:
                    continue
                title = rules.document_title(kind, year, starts.get(year))
                sent += send_mail(
                    subject=_("[Khuyến công] %(days)s day(s) left: %(report)s")
                    % {"days": left, "report": title},
                    message=_(
                        "The report “%(report)s” of %(province)s is due on %(due)s and has not "
                        "been sent yet. Open the portal, finish it and record it as sent."
                    )
                    % {"report": title, "province": province.name, "due": format_date(due)},
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=recipients,
                )
    return sent
