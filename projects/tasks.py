from celery import shared_task

from projects import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8, ignore_result=True)
def proposal_notify_task(proposal_id: int) -> None:
    """E-mail the people who act next on a đề án; retried while the mail server is down."""
    services.proposal_notify(proposal_id=proposal_id)
