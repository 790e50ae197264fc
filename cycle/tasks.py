from celery import shared_task

from cycle import services


@shared_task(ignore_result=True)
def registration_remind_task() -> None:
    """Daily: remind the provinces of the calls whose deadline is near."""
    services.registration_remind()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8, ignore_result=True)
def plan_left_out_notify_task(decision_id: int) -> None:
    """E-mail the provinces whose đề án a plan decision left out."""
    services.plan_left_out_notify(decision_id=decision_id)
