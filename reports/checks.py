"""Settings the report pipeline relies on, checked by ``manage.py check`` (and so by
``make test`` and the deployment's migrate step)."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def report_time_limits(app_configs, **kwargs):
    """A running job is taken over by the sweeper only after REPORTS_STALE_AFTER without a
    heartbeat. That must be longer than the hard time limit, or a live, slow report would be
    handed to a second run; and the soft limit must come before the hard one."""
    errors = []
    if settings.REPORTS_STALE_AFTER <= settings.REPORTS_TIME_LIMIT:
        errors.append(
            Error(
                f"REPORTS_STALE_AFTER ({settings.REPORTS_STALE_AFTER} s) must be longer than "
                f"REPORTS_TIME_LIMIT ({settings.REPORTS_TIME_LIMIT} s).",
                hint="Otherwise the sweeper hands a report that is still running to a second run.",
                id="reports.E001",
            )
        )
    if settings.REPORTS_SOFT_TIME_LIMIT >= settings.REPORTS_TIME_LIMIT:
        errors.append(
            Error(
                "REPORTS_SOFT_TIME_LIMIT must be shorter than REPORTS_TIME_LIMIT.",
                id="reports.E002",
            )
        )
    return errors
