"""Report tasks, on the ``reports`` queue (CELERY_TASK_ROUTES). They take ids and call
``reports.services``; the job row, not the message, says what is left to do."""

import random

from celery import shared_task
from django.conf import settings

from reports import services


def retry_countdown(retries: int) -> float:
    """Exponential backoff with jitter: about 1, 2, 4 ... times REPORTS_RETRY_BACKOFF,
    never beyond ten minutes."""
    base = settings.REPORTS_RETRY_BACKOFF * (2**retries)
    return min(600.0, base * random.uniform(0.8, 1.2))


@shared_task(
    bind=True,
    # The job row holds the outcome; no result in Redis, so sending a report never
    # touches the result backend either (it cannot wedge a web process while Redis is down).
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.REPORTS_MAX_ATTEMPTS,
    soft_time_limit=settings.REPORTS_SOFT_TIME_LIMIT,
    time_limit=settings.REPORTS_TIME_LIMIT,
)
def report_generate(self, job_id: int) -> str:
    """Produce one report (idempotent: a redelivered message finds the job done)."""
    try:
        return services.report_run(job_id)
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.report_give_up(job_id=job_id)
            return "failed"
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task(ignore_result=True)
def report_sweep() -> dict:
    """Celery beat: re-enqueue report jobs left pending or running too long."""
    return services.report_sweep()
