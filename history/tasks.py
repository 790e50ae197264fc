"""History import tasks. They take ids and call ``history.services``; the job row says
what is left to do."""

from celery import shared_task
from django.conf import settings

from history import services


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.HISTORY_MAX_ATTEMPTS,
    soft_time_limit=settings.HISTORY_SOFT_TIME_LIMIT,
    time_limit=settings.HISTORY_TIME_LIMIT,
)
def history_run_task(self, job_id: int) -> str:
    """The dry run or the import of one file (idempotent: a redelivered message finds the
    job claimed or done)."""
    from celery.exceptions import SoftTimeLimitExceeded

    try:
        return services.history_run(job_id)
    except SoftTimeLimitExceeded:
        services.history_give_up(job_id=job_id)
        return "failed"


@shared_task(ignore_result=True)
def history_sweep_task() -> dict:
    """Celery beat: re-send history imports whose message or worker was lost."""
    return services.history_sweep()
