"""The Celery app. Tasks live in each app's tasks.py as @shared_task."""

from celery import Celery
from kombu import Queue

# DJANGO_SETTINGS_MODULE comes from the environment (the Procfile, the Docker image, the
# test fixtures). It is deliberately not defaulted here: this module is imported with the
# khuyencong package, and a default set here would leak into every child process
# (pytest would then run on the development settings).
app = Celery("khuyencong")
app.config_from_object("django.conf:settings", namespace="CELERY")
# PDFs go to their own queue so a long report never delays a notification.
app.conf.task_queues = (Queue("default"), Queue("reports"))
app.autodiscover_tasks()
