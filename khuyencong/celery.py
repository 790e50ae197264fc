"""The Celery app. Tasks live in each app's tasks.py as @shared_task."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings.dev")

app = Celery("khuyencong")
app.config_from_object("django.conf:settings", namespace="CELERY")
# PDFs go to their own queue so a long report never delays a notification.
app.conf.task_queues = (Queue("default"), Queue("reports"))
app.autodiscover_tasks()
