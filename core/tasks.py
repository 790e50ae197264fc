from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "celery:beat:last-heartbeat"


@shared_task(ignore_result=True)
def heartbeat():
    """Run by beat every minute: /healthz reads the time to tell whether beat is alive."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=60 * 60)


@shared_task
def ping(value):
    """Echo task used by the tests to prove a real worker takes work from Redis."""
    return value
