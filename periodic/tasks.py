import datetime

from celery import shared_task

from periodic import services


@shared_task(ignore_result=True)
def deadline_remind_task(today: str | None = None) -> int:
    """Daily: remind the provinces of the reports whose deadline is near. ``today`` (an ISO
    date) is for tests that run the real worker on a chosen day."""
    day = datetime.date.fromisoformat(today) if today else None
    return services.deadline_remind(today=day)
