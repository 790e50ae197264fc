"""Session engine: sessions live in PostgreSQL and are read through the cache, which is
optional and short-lived.

Django's ``cached_db`` store raises when the cache cannot be reached on a read-back, a
delete or an ``exists`` check; here every cache call is logged and treated as a miss, so a
Redis outage logs nobody out and breaks no page. Cached copies live at most
``SESSION_CACHE_TIMEOUT`` seconds: a sign-out during an outage deletes the database row
but cannot delete the cached copy, and that copy must not bring the session back for the
rest of the working day once Redis answers again."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)


def _skipped(operation: str, exc: Exception) -> None:
    logger.warning("session cache %s skipped: %s: %s", operation, type(exc).__name__, exc)


def _capped(timeout):
    return min(timeout, settings.SESSION_CACHE_TIMEOUT)


class _OptionalCache:
    """The few cache calls ``cached_db`` makes, failing soft and with a capped lifetime."""

    def __init__(self, cache):
        self.cache = cache

    def get(self, key):
        try:
            return self.cache.get(key)
        except Exception as exc:  # noqa: BLE001 - any cache failure is a miss
            _skipped("get", exc)
            return None

    def set(self, key, value, timeout):
        try:
            self.cache.set(key, value, _capped(timeout))
        except Exception as exc:  # noqa: BLE001
            _skipped("set", exc)

    def delete(self, key):
        try:
            self.cache.delete(key)
        except Exception as exc:  # noqa: BLE001
            _skipped("delete", exc)

    def __contains__(self, key):
        try:
            return key in self.cache
        except Exception as exc:  # noqa: BLE001
            _skipped("has_key", exc)
            return False

    async def aget(self, key):
        try:
            return await self.cache.aget(key)
        except Exception as exc:  # noqa: BLE001
            _skipped("get", exc)
            return None

    async def aset(self, key, value, timeout):
        try:
            await self.cache.aset(key, value, _capped(timeout))
        except Exception as exc:  # noqa: BLE001
            _skipped("set", exc)

    async def adelete(self, key):
        try:
            await self.cache.adelete(key)
        except Exception as exc:  # noqa: BLE001
            _skipped("delete", exc)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _OptionalCache(self._cache)
