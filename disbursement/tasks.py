from celery import shared_task
from django.utils import timezone

from disbursement import flags


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8, ignore_result=True)
def flags_evaluate_task() -> None:
    """Daily (beat, 06:00 Asia/Ho_Chi_Minh): raise and resolve the disbursement flags and
    e-mail the new ones; retried while the mail server is down (nothing is sent twice)."""
    flags.flags_evaluate(today=timezone.localdate())
