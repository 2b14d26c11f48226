"""Job functions run exactly once, in the caller's app or in one app per worker process."""
from __future__ import annotations

import pytest
from flask import has_app_context
from rq import Queue, SimpleWorker
from rq.job import JobStatus
from sqlalchemy import text

from app.platform import jobs
from tests.helpers.jobs import RUN_PREFIX, failing_job, succeeding_job


def runs(app) -> int:
    with app.extensions["engine"].connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM customers WHERE id LIKE :p"), {"p": RUN_PREFIX + "%"})


@pytest.fixture
def app_builds(app, monkeypatch):
    """Every app a job builds for itself: the test app stands in for `create_app()`
    from the environment, so a second run would still land in the test database."""
    built = []

    def create_app(*_args, **_kwargs):
        built.append(1)
        return app

    monkeypatch.setattr(jobs, "_app_factory", create_app)
    monkeypatch.setattr(jobs, "_worker", None, raising=False)  # no app cached yet
    return built


def test_a_job_raising_runtime_error_runs_once_in_the_callers_app(app, app_builds):
    with app.app_context():
        with pytest.raises(RuntimeError, match="does not exist"):
            failing_job()
    assert runs(app) == 1
    assert app_builds == []  # the caller's app, never one built from the environment


def test_a_job_outside_an_app_context_runs_once_in_the_process_app(app, app_builds):
    assert not has_app_context()
    with pytest.raises(RuntimeError, match="does not exist"):
        failing_job()
    assert runs(app) == 1
    assert succeeding_job() == "ok" and succeeding_job() == "ok"
    assert runs(app) == 3
    assert app_builds == [1]  # one app for the process, reused by later jobs


def test_a_worker_runs_a_failing_job_once_and_keeps_its_app(app, app_builds):
    from app.platform import redis_store

    with app.app_context():
        connection = redis_store.client()
    queue = Queue(jobs.QUEUE, connection=connection)
    failing = queue.enqueue(failing_job)
    ok = [queue.enqueue(succeeding_job) for _ in range(2)]
    SimpleWorker([queue], connection=connection).work(burst=True)
    failing.refresh()
    assert failing.get_status() == JobStatus.FAILED
    assert "RuntimeError" in failing.latest_result().exc_string
    assert [j.return_value() for j in ok] == ["ok", "ok"]
    assert runs(app) == 3  # the failing job ran once, each other job once
    assert app_builds == [1]


def test_certificate_run_with_a_missing_signing_key_fails_once(app, app_builds, tmp_path):
    from app.certificates import issuing

    with app.app_context():
        app.config["SIGNING_KEY_FILE"] = str(tmp_path / "missing.pem")
        with pytest.raises(RuntimeError, match="does not exist"):
            issuing.issue_job("2026-09")
    assert app_builds == []
