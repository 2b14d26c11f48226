"""Redis access: idempotency fast path, health, and the connection RQ uses.

Redis is never the source of truth. Every call here survives Redis being down: it
logs, reports `degraded` and lets the database decide.
"""
from __future__ import annotations

import logging
import threading

import redis
from flask import Flask, current_app

log = logging.getLogger(__name__)
_fake_lock = threading.Lock()
_fake_server = None


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    if settings.redis_url:
        client = redis.Redis.from_url(settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
    else:
        client = _in_process_client()
    app.extensions["redis"] = client


def _in_process_client():
    """One fakeredis server per process: the demo runs with no Redis installed."""
    global _fake_server
    import fakeredis

    with _fake_lock:
        if _fake_server is None:
            _fake_server = fakeredis.FakeServer()
    return fakeredis.FakeRedis(server=_fake_server)


def client() -> redis.Redis:
    return current_app.extensions["redis"]


def is_real() -> bool:
    return bool(current_app.config["SETTINGS"].redis_url)


def outage(exc: BaseException) -> str | None:
    """Why `exc` means Redis cannot be reached right now (worth a retry), or None."""
    if isinstance(exc, (redis.ConnectionError, redis.TimeoutError)):
        return "Redis unreachable"  # BusyLoadingError (restarting, loading its data) is a ConnectionError
    if isinstance(exc, redis.ReadOnlyError):
        return "Redis read-only (failing over)"
    return None


def ping() -> tuple[bool, str]:
    try:
        client().ping()
        return True, "ok" if is_real() else "in-process substitute"
    except redis.RedisError as exc:
        return False, f"unreachable: {exc.__class__.__name__}"


# Committed scan ids live in one Redis set per UTC day of receipt, so a batch of 5,000
# costs one SADD to record and one SMISMEMBER per day to check. Only today's and
# yesterday's sets are checked: retries come within hours, and older resubmissions are
# still caught by the database's unique constraint. Sets expire after IDEMPOTENCY_TTL_S.
def _day_keys(_ttl_s: int) -> list[str]:
    from datetime import datetime, timedelta, timezone

    today = datetime.now(timezone.utc).date()
    return [f"circ:scans:{today - timedelta(days=d):%Y%m%d}" for d in (0, 1)]


def known_scan_ids(scan_ids: list[str], ttl_s: int) -> set[str]:
    """Ids already committed, as far as Redis remembers. Empty when Redis is down."""
    if not scan_ids:
        return set()
    known: set[str] = set()
    try:
        pipe = client().pipeline(transaction=False)
        for key in _day_keys(ttl_s):
            pipe.smismember(key, scan_ids)
        for flags in pipe.execute():
            known.update(s for s, hit in zip(scan_ids, flags) if hit)
    except redis.RedisError as exc:
        log.warning("idempotency fast path skipped: %s", exc)
        return set()
    return known


def remember_scan_ids(scan_ids: list[str], ttl_s: int) -> None:
    """Called after commit only, so Redis never claims an id the database lacks."""
    if not scan_ids:
        return
    key = _day_keys(ttl_s)[0]
    try:
        pipe = client().pipeline(transaction=False)
        pipe.sadd(key, *scan_ids)
        pipe.expire(key, max(ttl_s, 2 * 86400))
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("could not record scan ids in Redis: %s", exc)
