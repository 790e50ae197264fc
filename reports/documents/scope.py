"""Which province a report is about, decided for the requester (defence in depth: the
job's parameters were validated when it was requested, but a provincial user's report is
always about that user's own province, whatever the parameters say)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from accounts.policies import is_national, visible
from reference.models import Province

from .common import ReportDataMissing, local_day, parse_day


def report_province(user, province_id) -> Province | None:
    """The province of the report, or None for a national report (national users only)."""
    if not is_national(user):
        return Province.objects.filter(pk=user.province_id).first()
    if province_id in (None, ""):
        return None
    province = visible(user, Province.objects.all()).filter(pk=province_id).first()
    if province is None:  # never widen an unknown province into a national report
        raise ReportDataMissing(_("The province does not exist."))
    return province


def scope_label(province: Province | None) -> str:
    if province is None:
        return "toàn quốc"
    return province.administrative_name


def report_period(params: dict, requested_at) -> tuple[datetime.date, datetime.date]:
    """[date_from, date_to]; by default the calendar year up to the day of the request."""
    date_to = parse_day(params.get("date_to")) or local_day(requested_at)
    date_from = parse_day(params.get("date_from")) or datetime.date(date_to.year, 1, 1)
    return date_from, date_to


def as_at_date(date_to: datetime.date, today: datetime.date) -> datetime.date:
    """The date a report's cumulative figures and status columns are "as at": the end of
    the period, or the day of the report when the period ends later (nothing is known
    about the future). Every report that states an "as at" date takes it from here."""
    return min(date_to, today)
