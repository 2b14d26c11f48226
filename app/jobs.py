"""Background jobs: RQ on Redis when a worker listens, inline otherwise.

Route planning and certificate runs take seconds to minutes. With real Redis and a
running `rq worker circularity` (see docs/operations.md), they go to the queue and the
caller follows the job's progress; with no worker (the demo, a laptop) they run inline
in the caller's process so the feature still works.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import wraps

from flask import Flask, has_app_context

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
    """Decorator for job functions: run in the caller's app context, or in this process's app.

    Inline runs (a request, a CLI command) already have an app context and must use that
    app's database and settings; an RQ worker has none and uses `worker_app()`. Whatever
    the job raises propagates untouched: the job runs exactly once per call.
    """

    @wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        with worker_app().app_context():
            return fn(*args, **kwargs)

    return wrapper


_worker: tuple[int, Flask] | None = None  # (process id, app)


def worker_app() -> Flask:
    """The app of this worker process, built once from the environment.

    Kept per process id: RQ forks a work horse per job, and a child must not reuse
    the pooled database connections of an app its parent built."""
    global _worker
    if _worker is None or _worker[0] != os.getpid():
        from . import create_app

        _worker = (os.getpid(), create_app())
    return _worker[1]
