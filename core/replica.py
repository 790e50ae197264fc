"""A read replica for the heavy reads (``DATABASE_REPLICA_URL``, optional).

The dashboards, their Excel exports and the rendering of PDF reports read from a streaming
replica of PostgreSQL; everything else reads and writes the primary. Reads go to the
replica only inside :func:`read_from_replica`, never elsewhere, and not even there when:

* the user made a change in the last ``REPLICA_READ_YOUR_WRITES`` seconds (a successful
  POST, marked in the session by :class:`RecentWriteMiddleware`): they see it at once;
* the replica cannot be reached (the page is read from the primary, never taken down);
* a report's task asked the replica to catch up with the primary first and it did not in
  ``REPLICA_CATCH_UP`` seconds;
* the code runs inside a transaction of the primary (a read that decides a write must see
  that transaction's own rows).

Inside the scope all reads of the replica run in one REPEATABLE READ transaction, so every
figure of a page comes from the same replayed point and the figures agree with each other
exactly; how far that point is behind the primary is measured once (:class:`ReplicaRead`)
and shown on the page when it exceeds ``REPLICA_LAG_NOTICE`` seconds.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

REPLICA = "replica"
# The session key of the time (epoch seconds) of the user's last successful change.
SESSION_KEY = "kc_wrote_at"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_reading: contextvars.ContextVar[ReplicaRead | None] = contextvars.ContextVar(
    "kc_replica_read", default=None
)
# After the replica failed to answer, the process reads the primary for a while instead
# of waiting for a connection timeout on every page.
_unreachable_until = 0.0


def configured() -> bool:
    return REPLICA in settings.DATABASES


@dataclass(frozen=True)
class ReplicaRead:
    """Where the reads of one scope go, and how current they are.

    ``reason``: "replica", or why the primary serves them: "not-configured",
    "recent-write", "unreachable", "behind" (did not catch up in time). ``lag`` is in
    seconds (0 when the replica had replayed everything the primary had written when it
    was measured); ``as_of`` is the time the figures are exact for."""

    alias: str
    reason: str
    lag: float = 0.0
    as_of: datetime.datetime | None = None

    @property
    def from_replica(self) -> bool:
        return self.alias == REPLICA

    @property
    def lag_seconds(self) -> int:
        return round(self.lag)

    @property
    def notice(self) -> bool:
        """Whether the page says how old its figures are."""
        return self.from_replica and self.lag > settings.REPLICA_LAG_NOTICE


def _primary(reason: str) -> ReplicaRead:
    return ReplicaRead(alias=DEFAULT_DB_ALIAS, reason=reason, as_of=timezone.now())


def primary_position() -> str:
    """The primary's current WAL position (everything committed so far is before it)."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def replica_position(lsn: str) -> tuple[bool, datetime.datetime | None, datetime.datetime]:
    """On the replica: whether it has replayed the WAL up to ``lsn``, the commit time of
    the last transaction it replayed, and its clock. A server that is not in recovery
    (DATABASE_REPLICA_URL naming a primary) has everything."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn,"
            " pg_last_xact_replay_timestamp(), now()",
            [lsn],
        )
        caught_up, replayed_at, now = cursor.fetchone()
    return bool(caught_up), replayed_at, now


def replica_measure(*, catch_up: float = 0.0) -> ReplicaRead:
    """Whether to read the replica, and how far behind it is. With ``catch_up`` seconds,
    wait up to that long for the replica to replay what the primary had written when the
    call began (a report reads, on the replica, everything committed before its task
    started), else read the primary."""
    global _unreachable_until
    if not configured():
        return _primary("not-configured")
    if time.monotonic() < _unreachable_until:
        return _primary("unreachable")
    try:
        lsn = primary_position()
        deadline = time.monotonic() + catch_up
        caught_up, replayed_at, now = replica_position(lsn)
        while not caught_up and time.monotonic() < deadline:
            time.sleep(0.05)  # production code polling the replay position, not a test
            caught_up, replayed_at, now = replica_position(lsn)
    except DatabaseError:
        logger.warning("read replica unreachable: reading the primary", exc_info=True)
        connections[REPLICA].close()
        _unreachable_until = time.monotonic() + settings.REPLICA_RETRY_AFTER
        return _primary("unreachable")
    if caught_up:
        return ReplicaRead(alias=REPLICA, reason="replica", lag=0.0, as_of=now)
    if catch_up or replayed_at is None:
        # Not there in time, or nothing replayed since the replica started: how old its
        # data are is unknown.
        return _primary("behind")
    return ReplicaRead(
        alias=REPLICA,
        reason="replica",
        lag=max(0.0, (now - replayed_at).total_seconds()),
        as_of=replayed_at,
    )


def wrote_recently(request) -> bool:
    session = getattr(request, "session", None)
    if session is None:
        return False
    wrote_at = session.get(SESSION_KEY)
    return wrote_at is not None and time.time() - wrote_at < settings.REPLICA_READ_YOUR_WRITES


def _choose(request, catch_up: float) -> ReplicaRead:
    if not configured():
        return _primary("not-configured")
    if request is not None and wrote_recently(request):
        return _primary("recent-write")
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return _primary("in-transaction")
    if request is not None:
        cached = getattr(request, "_kc_replica_read", None)
        if cached is None:
            cached = request._kc_replica_read = replica_measure(catch_up=catch_up)
        return cached
    return replica_measure(catch_up=catch_up)


@contextmanager
def read_from_replica(request=None, *, catch_up: float = 0.0):
    """Read the replica inside this block (see the module's docstring); yields the
    :class:`ReplicaRead` that says where the reads went and how current they are. A
    nested scope keeps the outer one's choice."""
    outer = _reading.get()
    if outer is not None:
        yield outer
        return
    choice = _choose(request, catch_up)
    token = _reading.set(choice)
    try:
        if choice.from_replica:
            with transaction.atomic(using=REPLICA):
                with connections[REPLICA].cursor() as cursor:
                    # One snapshot for every read of the block: the figures agree.
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield choice
        else:
            yield choice
    finally:
        _reading.reset(token)


def read_alias() -> str:
    """The alias the reads of the current code go to."""
    choice = _reading.get()
    if choice is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return choice.alias


class ReplicaRouter:
    """DATABASE_ROUTERS entry (set when DATABASE_REPLICA_URL is): reads in a
    :func:`read_from_replica` scope go where it chose, every other read and every write
    to the primary; migrations run on the primary only (the replica replays them)."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows, on the primary and its replica

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class RecentWriteMiddleware:
    """Marks the session of a signed-in user whose POST (or other unsafe request)
    succeeded, so that for REPLICA_READ_YOUR_WRITES seconds their pages read the primary
    and show their own change at once. Does nothing without a replica. Must sit inside
    SessionMiddleware and AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in SAFE_METHODS
            and response.status_code < 400
            and configured()
            and hasattr(request, "session")
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            request.session[SESSION_KEY] = time.time()
        return response
