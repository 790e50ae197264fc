"""Reads of periodic reports for the pages: the list, the reports a user owes soon, and
the Cục's view of which province has sent what."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch

from accounts.policies import is_national, visible
from reference.models import Province

from . import services
from .models import PeriodicReport, ReportVersion
from .rules import Kind

# How far ahead the home page announces a deadline, and how long it keeps listing a report
# not sent after its deadline.
ANNOUNCE_DAYS = 30
OVERDUE_SHOWN_DAYS = 180


def reports(*, user):
    """The reports ``user`` sees, each with its versions (latest first) prefetched."""
    return (
        visible(user, PeriodicReport.objects.all())
        .select_related("province", "program")
        .prefetch_related(Prefetch("versions", queryset=ReportVersion.objects.order_by("-number")))
    )


def latest(report: PeriodicReport) -> ReportVersion:
    """The report's latest version (from the prefetch when there is one)."""
    return next(iter(report.versions.all()))


def owed(*, user, today: datetime.date | None = None) -> list[dict]:
    """The reports of the user's province (nationally: the Cục's own) not yet sent whose
    deadline is at most ANNOUNCE_DAYS ahead or already past: what the home page lists."""
    from django.utils import timezone

    today = today or timezone.localdate()
    national = is_national(user)
    level = "national" if national else "province"
    province_id = None if national else user.province_id
    if not national and province_id is None:
        return []
    table = services.deadline_table()
    existing = {(r.kind, r.year): r for r in reports(user=user).filter(province_id=province_id)}
    rows = []
    for kind, year, _due in services.owed_periods(today, table):
        due = services.due_date(kind, level, year, table)
        if due is None or (due - today).days > ANNOUNCE_DAYS:
            continue
        report = existing.get((kind, year))
        version = latest(report) if report else None
        if version is not None and version.status == ReportVersion.Status.SENT:
            continue
        if (today - due).days > OVERDUE_SHOWN_DAYS:
            continue
        rows.append(
            {
                "kind": kind,
                "label": Kind(kind).label,
                "year": year,
                "due": due,
                "days_left": (due - today).days,
                "days_late": max(0, (today - due).days),
                "report": report,
                "version": version,
            }
        )
    return sorted(rows, key=lambda r: r["due"])


def national_view(*, year: int, today: datetime.date | None = None) -> dict:
    """For each province, its six-month and annual report of ``year``: the latest version,
    its state, when it was sent, and whether that was after the deadline."""
    from django.utils import timezone

    today = today or timezone.localdate()
    table = services.deadline_table()
    kinds = (Kind.SIX_MONTH, Kind.ANNUAL)
    dues = {k: services.due_date(k, "province", year, table) for k in kinds}
    found = {}
    for report in PeriodicReport.objects.filter(
        year=year, kind__in=kinds, province__isnull=False
    ).prefetch_related(Prefetch("versions", queryset=ReportVersion.objects.order_by("-number"))):
        found[(report.province_id, report.kind)] = report
    rows = []
    counts = {k: {"sent": 0, "late": 0, "missing": 0} for k in kinds}
    for province in Province.objects.order_by("code"):
        cells = []
        for kind in kinds:
            report = found.get((province.pk, kind))
            version = latest(report) if report else None
            sent_version = None
            if report is not None:
                sent_version = next(
                    (v for v in report.versions.all() if v.status == ReportVersion.Status.SENT),
                    None,
                )
            due = dues[kind]
            late = bool(
                due
                and (
                    (sent_version and sent_version.sent_on > due)
                    or (sent_version is None and today > due)
                )
            )
            if sent_version:
                counts[kind]["sent"] += 1
            else:
                counts[kind]["missing"] += 1
            if late:
                counts[kind]["late"] += 1
            cells.append(
                {
                    "kind": kind,
                    "report": report,
                    "version": version,
                    "sent": sent_version,
                    "due": due,
                    "late": late,
                }
            )
        rows.append({"province": province, "cells": cells})
    return {"year": year, "rows": rows, "dues": dues, "counts": counts, "kinds": kinds}
