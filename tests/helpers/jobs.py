"""Job functions for the job-wrapper tests: each run leaves one customer row behind.

Counting rows in the database, not calls in a module variable, counts runs wherever the
job ran (a worker imports this module afresh)."""
from __future__ import annotations

import uuid

from app.platform.jobs import in_app_context

RUN_PREFIX = "job-run-"


def _record_run() -> None:
    from app.catalog import services as catalog

    catalog.create("customer", {"id": f"{RUN_PREFIX}{uuid.uuid4().hex[:12]}", "name": "job run"})


@in_app_context
def failing_job() -> None:
    """Commits its run, then fails the way a missing signing key does."""
    _record_run()
    raise RuntimeError("SIGNING_KEY_FILE /nowhere/key.pem does not exist")


@in_app_context
def succeeding_job() -> str:
    _record_run()
    return "ok"
