"""Redis access: the connection RQ uses, health, and what counts as an outage.

Redis is never the source of truth: the database alone decides which scans are stored
(a resubmitted scan id is found there, not here). When Redis is down, /readyz reports
`degraded` and jobs run inline.
"""
from __future__ import annotations

import threading

import redis
from flask import Flask, current_app

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
