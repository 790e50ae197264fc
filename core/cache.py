"""A Redis cache that fails soft: when Redis is unreachable every call logs one line and
behaves as a miss, so pages keep answering from PostgreSQL (Redis is a cache here, never
the source of truth).

Django's own ``RedisCache`` raises ``redis.ConnectionError`` from every call while Redis
is down; this subclass catches ``redis.RedisError`` around each public method:

* reads (``get``, ``get_many``, ``has_key``) answer a miss;
* writes (``set``, ``set_many``, ``delete``, ``delete_many``, ``touch``, ``clear``) are
  dropped (``set_many`` reports every key as not stored);
* ``add`` answers False (not stored), so code that uses it as a lock never believes it
  holds one it does not;
* ``incr``/``decr`` raise ``ValueError``, Django's answer for a missing key.
"""

from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _log(operation: str, exc: Exception) -> None:
    logger.warning(
        "cache %s skipped, Redis unreachable: %s: %s", operation, type(exc).__name__, exc
    )


class FailSoftRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            _log("get", exc)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            _log("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            _log("has_key", exc)
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as exc:
            _log("add", exc)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as exc:
            _log("set", exc)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as exc:
            _log("set_many", exc)
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as exc:
            _log("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as exc:
            _log("delete", exc)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError as exc:
            _log("delete_many", exc)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            _log("incr", exc)
            raise ValueError(f"Key '{key}' not found (Redis unreachable)") from exc

    def decr(self, key, delta=1, version=None):
        try:
            return super().decr(key, delta, version)
        except RedisError as exc:
            _log("decr", exc)
            raise ValueError(f"Key '{key}' not found (Redis unreachable)") from exc

    def clear(self):
        try:
            return super().clear()
        except RedisError as exc:
            _log("clear", exc)
            return False
