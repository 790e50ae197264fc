"""Reads of report jobs, already scoped with ``accounts.policies.visible``."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from accounts.policies import visible
from reports.models import CODE_ALPHABET, ReportJob


def report_queryset(*, user) -> QuerySet[ReportJob]:
    """The report jobs ``user`` may see (their province's, or all for national users)."""
    return visible(
        user,
        ReportJob.objects.select_related("requested_by__agency", "province"),
    )


def report_list(*, user) -> QuerySet[ReportJob]:
    """The report jobs ``user`` may see, newest first (reports.filters narrows them)."""
    return report_queryset(user=user).order_by("-requested_at", "-id")


def normalise_code(text: str) -> str | None:
    """``abcd efgh-jkmn`` → ``ABCD-EFGH-JKMN``; None when it cannot be a code."""
    raw = re.sub(r"[\s\-–—.]", "", text or "").upper()
    if len(raw) != 12 or any(c not in CODE_ALPHABET for c in raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def report_by_code(code: str) -> ReportJob | None:
    """A finished report, for the public verification page (only finished reports have a
    file that carries the code; others are answered as unknown)."""
    normalised = normalise_code(code)
    if normalised is None:
        return None
    return (
        ReportJob.objects.select_related("requested_by__agency__province", "issuer")
        .filter(verification_code=normalised, status=ReportJob.Status.DONE)
        .first()
    )
