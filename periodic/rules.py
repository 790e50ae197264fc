"""The rules of periodic reports, declared once: the reporting periods, the narrative
sections and their Vietnamese headings, the default deadlines and the reminder days.

The deadlines are data (``periodic.models.ReportingDeadline``), editable by the ministry;
``DEFAULT_DEADLINES`` seeds them. **None of these dates was found in a published text**
(Thông tư 36/2013/TT-BCT and Nghị định 45/2012/NĐ-CP were read only in summaries that do not
give them): they are example values of the ministry's practice, marked unverified in the
rows and in the README, to be replaced by the ministry's administrator."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SIX_MONTH = "six_month", _("Six-month report")
    ANNUAL = "annual", _("Annual report")
    PERIOD_SUMMARY = "period_summary", _("Period summary (tổng kết giai đoạn)")


# The title of each kind of report in the document (Vietnamese by law).
DOCUMENT_TITLES = {
    Kind.SIX_MONTH: "Kết quả thực hiện công tác khuyến công 6 tháng đầu năm {year}",
    Kind.ANNUAL: "Kết quả thực hiện công tác khuyến công năm {year}",
    Kind.PERIOD_SUMMARY: "Tổng kết thực hiện chương trình khuyến công giai đoạn {start}–{end}",
}


def document_title(kind: str, year: int, start_year: int | None = None) -> str:
    """The report's title in the document: "Kết quả thực hiện công tác khuyến công năm 2027"."""
    return DOCUMENT_TITLES[kind].format(year=year, start=start_year or year, end=year)


# The narrative sections, in their order in the document: key, heading (Vietnamese, printed
# as written), and the hint shown above the editor.
SECTIONS: tuple[tuple[str, str, object], ...] = (
    (
        "assessment",
        "Đánh giá chung",
        _("What was achieved in the period, in words: the figures are in the tables."),
    ),
    ("shortcomings", "Tồn tại, hạn chế", _("What did not go as planned.")),
    ("causes", "Nguyên nhân", _("Why: objective and subjective causes.")),
    (
        "direction",
        "Phương hướng, nhiệm vụ kỳ tới",
        _("The tasks and targets of the next period."),
    ),
    ("recommendations", "Kiến nghị, đề xuất", _("What the province asks of the ministry.")),
)
SECTION_KEYS = tuple(key for key, _heading, _hint in SECTIONS)

# Days before a deadline on which the Sở is reminded by e-mail (the daily job).
REMINDER_DAYS = (7, 1)


@dataclass(frozen=True)
class DefaultDeadline:
    kind: str
    level: str  # "province": a Sở's report to the ministry; "national": the Cục's own
    month: int
    day: int
    year_offset: int  # 0: the year of the period's end; 1: the year after
    basis: str


_PRACTICE = "Ví dụ theo thực tiễn của Bộ Công Thương; chưa đối chiếu văn bản"
DEFAULT_DEADLINES = (
    DefaultDeadline(Kind.SIX_MONTH, "province", 7, 15, 0, _PRACTICE),
    DefaultDeadline(Kind.ANNUAL, "province", 1, 15, 1, _PRACTICE),
    DefaultDeadline(Kind.PERIOD_SUMMARY, "province", 10, 31, 0, _PRACTICE),
    DefaultDeadline(Kind.SIX_MONTH, "national", 7, 31, 0, _PRACTICE),
    DefaultDeadline(Kind.ANNUAL, "national", 1, 31, 1, _PRACTICE),
    DefaultDeadline(Kind.PERIOD_SUMMARY, "national", 11, 30, 0, _PRACTICE),
)


def period(
    kind: str, year: int, start_year: int | None = None
) -> tuple[datetime.date, datetime.date]:
    """The days a report covers: the first half of ``year``, the whole year, or (a period
    summary) the programme's years ``start_year``–``year``."""
    if kind == Kind.SIX_MONTH:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    if kind == Kind.ANNUAL:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return datetime.date(start_year or year, 1, 1), datetime.date(year, 12, 31)


def previous_period(kind: str, year: int) -> tuple[datetime.date, datetime.date] | None:
    """The period shown beside the report's own: the same period of the year before (a
    period summary compares its years with one another instead)."""
    if kind == Kind.PERIOD_SUMMARY:
        return None
    return period(kind, year - 1)
