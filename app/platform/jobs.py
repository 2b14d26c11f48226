"""Background jobs: RQ on Redis when a worker listens, inline otherwise.

Route planning and certificate runs take seconds to minutes. With real Redis and a
running `rq worker circularity` (see docs/operations.md), they go to the queue and the
caller follows the job's progress; with no worker (the demo, a laptop) they run inline
in the caller's process so the feature still works.
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import redis
from flask import Flask, has_app_context

from app.platform import redis_store

log = logging.getLogger(__name__)
QUEUE = "circularity"
# What RQ's job ids are made of (a uuid4 by default); anything else names no job.
JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


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

        try:
            job = Queue(QUEUE, connection=redis_store.client()).enqueue(func, *args, job_timeout=job_timeout, **kwargs)
            return Dispatch("queued", job.id)
        except redis.RedisError as exc:
            # Redis went away between the check and the enqueue: do the work here, as with
            # no worker. (Should the enqueue have landed after all, job functions tolerate
            # a second run: a plan runs once, a certificate run issues a new revision.)
            log.warning("could not queue %s, running it here: %s", func.__name__, exc)
    return Dispatch("inline", None, func(*args, **kwargs))


def fetch(job_id: str, func):
    """The queued job of `func` with this id, or None if there is none (unknown id, an id
    RQ could not have made, or a job of another kind). Redis down: RedisError (503)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    if not JOB_ID.fullmatch(job_id):
        return None
    try:
        job = Job.fetch(job_id, connection=redis_store.client())
    except NoSuchJobError:
        return None
    return job if job.func_name == f"{func.__module__}.{func.__qualname__}" else None


def status(job) -> str:
    value = job.get_status()
    return str(getattr(value, "value", value))


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
_app_factory: Callable[[], Flask] | None = None


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """Name the function that builds the service's app from the environment.

    `app/__init__.py` registers `create_app` here when the package is imported, which
    happens before any job function can be: this layer builds the app without importing
    the wiring above it."""
    global _app_factory
    _app_factory = factory


def worker_app() -> Flask:
    """The app of this worker process, built once from the environment.

    Kept per process id: RQ forks a work horse per job, and a child must not reuse
    the pooled database connections of an app its parent built."""
    global _worker
    if _worker is None or _worker[0] != os.getpid():
        if _app_factory is None:
            raise LookupError("no app factory: import the app package before running a job")
        _worker = (os.getpid(), _app_factory())
    return _worker[1]
