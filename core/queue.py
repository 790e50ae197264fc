"""Sending Celery tasks from a request without depending on the broker being up.

Celery's own publishing retries the broker connection for seconds and then raises: after
a commit, that turned a Redis outage into a slow HTTP 500 for a write that had succeeded.
:func:`task_send` makes one quick attempt and logs a failure instead of raising; the
caller decides what a message that was not sent means (a report job stays in its row for
the sweeper to send; a notification e-mail is only logged as not sent)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def task_send(task, *, args: list, **options) -> bool:
    """Publish ``task`` with ``args``; False (logged) when the broker cannot be reached."""
    try:
        with task.app.connection_for_write() as connection:
            connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0.2, timeout=2
            )
            task.apply_async(args=args, retry=False, connection=connection, **options)
    except Exception as exc:  # noqa: BLE001 - whatever the broker raises, the request goes on
        logger.warning(
            "task %s%s not sent, broker unreachable: %s: %s",
            task.name,
            tuple(args),
            type(exc).__name__,
            exc,
        )
        return False
    return True
