"""How much memory a report job will take, estimated before it is rendered (issue 16,
point 3): a job whose estimate exceeds ``settings.REPORT_MEMORY_CEILING_MB`` fails at
once with a message that tells the requester how to narrow it, instead of growing the
worker until the system kills it (and the sweeper starts it again, to be killed again).

The PDF is laid out in sections (``sections``), so WeasyPrint's share is bounded; what
still grows with the rows is the data, the HTML and the Word copy — linear, measured by
``bench/report_compliance.py`` (peak RSS of ``render_report`` in a fresh process):

    rows    peak RSS   (whole layout, before: 176 / 569 / 2,177 MiB)
      100     184 MiB
    1,000     234 MiB
    5,000     488 MiB

``BASE_MB`` and ``PER_ROW_KB`` lie above those figures (187, 245, 503 MiB), so under a
600 MiB ceiling a report lists at most 6,516 đề án; a builder that knows its
rows says so with ``row_count(job)`` (the compliance report: its đề án in scope)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy

from core.formatting import format_number

BASE_MB = 180
PER_ROW_KB = 66


class ReportTooLarge(Exception):
    """The job would need more memory than the worker may use: its message is written for
    the requester (stored on the failed job)."""


def memory_estimate_mb(rows: int) -> int:
    return BASE_MB + -(-rows * PER_ROW_KB // 1024)


def max_rows() -> int:
    """The most rows a report may have under the ceiling."""
    return max(0, (settings.REPORT_MEMORY_CEILING_MB - BASE_MB) * 1024 // PER_ROW_KB)


def check(builder, job) -> int | None:
    """Raise ReportTooLarge when the job's estimate exceeds the ceiling; the rows
    counted (None when the builder does not count them)."""
    counter = getattr(builder, "row_count", None)
    if counter is None:
        return None
    rows = counter(job)
    if memory_estimate_mb(rows) > settings.REPORT_MEMORY_CEILING_MB:
        raise ReportTooLarge(
            str(
                gettext_lazy(
                    "This report would list %(rows)s đề án, more than one report can hold "
                    "(at most %(max)s). Narrow its period or ask for it province by "
                    "province."
                )
            )
            % {"rows": format_number(rows), "max": format_number(max_rows())}
        )
    return rows
