"""Background jobs: RQ on Redis when a worker listens, inline otherwise.

Route planning and certificate runs take seconds to minutes. With real Redis and a
running `rq worker circularity` (see docs/operations.md), they go to the queue and the
caller follows the job's progress; with no worker (the demo, a laptop) they run inline
in the caller's process so the feature still works.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from . import redis_store

log = logging.getLogger(__name__)
QUEUE = "circularity"


@dataclass(frozen=True)
class Dispatch:
    mode: str  # "queued" | "inline"
    job_id: str | None
    result: object = None


def worker_listening() -> bool:
    if not redis_store.is_real():
        return False
    try:
        from rq import Worker

        return any(QUEUE in w.queue_names() for w in Worker.all(connection=redis_store.client()))
    except Exception as exc:  # Redis down: run inline rather than fail the request
        log.warning("job queue unavailable: %s", exc)
        return False


def dispatch(func, *args, job_timeout: int = 1800, **kwargs) -> Dispatch:
    """Run `func(*args, **kwargs)` on the queue if a worker listens, else right here.

    `func` must be an importable module-level function that creates its own app context
    (see `in_app_context`), since a worker process has none.
    """
    if worker_listening():
        from rq import Queue

        job = Queue(QUEUE, connection=redis_store.client()).enqueue(func, *args, job_timeout=job_timeout, **kwargs)
        return Dispatch("queued", job.id)
    return Dispatch("inline", None, func(*args, **kwargs))


def in_app_context(fn):
    """Decorator for job functions: reuse the current app context or build one."""
    from functools import wraps

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            current_app._get_current_object()
            return fn(*args, **kwargs)
        except RuntimeError:
            from . import create_app

            with create_app().app_context():
                return fn(*args, **kwargs)

    return wrapper
