"""Passing database faults answer 503 + Retry-After, leave nothing half-written, and heal.

Faults are real: the request's PostgreSQL session is terminated (pg_terminate_backend)
between two of its statements, PostgreSQL itself raises the error code of a deadlock or a
serialization failure, the pool runs dry, or nothing listens where the database should be.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, text

from tests.conftest import PG_ADMIN_URL, T0, auth, full_trip
from tests.integration.state import assert_conservation, assert_projection_is_fold_of_events, counts, snapshot

URL = "/api/v1/scans"


@pytest.fixture(scope="module")
def pg_admin():
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@contextmanager
def after_statement(engine, marker: str, action):
    """Run `action(connection)` once, right after the first statement containing `marker`."""
    fired: list[str] = []

    def hook(conn, _cursor, statement, _params, _context, _many):
        if not fired and marker in statement:
            fired.append(statement)
            action(conn)

    event.listen(engine, "after_cursor_execute", hook)
    try:
        yield fired
    finally:
        event.remove(engine, "after_cursor_execute", hook)


@contextmanager
def statement_fails_with(engine, marker: str, sqlstate: str):
    """The first statement containing `marker` is replaced by one that makes PostgreSQL
    itself raise `sqlstate`, as a real deadlock or serialization failure would."""
    fired: list[str] = []

    def hook(_conn, _cursor, statement, params, _context, _many):
        if not fired and marker in statement:
            fired.append(statement)
            return (f"DO $$ BEGIN RAISE EXCEPTION 'injected fault' USING ERRCODE = '{sqlstate}'; END $$",
                    {} if isinstance(params, dict) else ())
        return statement, params

    event.listen(engine, "before_cursor_execute", hook, retval=True)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", hook)


def terminate(pg_admin):
    def kill(conn):
        pid = conn.connection.dbapi_connection.info.backend_pid
        with pg_admin.connect() as admin:  # waits until the backend is gone
            assert admin.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    return kill


def assert_unavailable(r, component: str = "database") -> dict:
    assert r.status_code == 503, (r.status_code, r.get_data(as_text=True)[:500])
    assert int(r.headers["Retry-After"]) > 0
    body = r.get_json()
    assert body["code"] == 503 and body["status"] == "Service Unavailable"
    assert body["message"].startswith(f"{component}: temporarily unavailable")
    assert body["retry_after_s"] == int(r.headers["Retry-After"])
    return body


def post_trip(client, headers, codes):
    batch = [s for i, c in enumerate(codes) for s in full_trip(c, T0.replace(minute=i))]
    return batch, client.post(URL, json={"scans": batch}, headers=headers)


# After the row locks; before the scan events are copied (the COPY then meets a dead
# socket outside SQLAlchemy); after everything is written, just before COMMIT: every
# point leaves a transaction that must vanish whole.
KILL_POINTS = ["FOR UPDATE", "pg_get_serial_sequence('scan_events'", "UPDATE assets AS t"]


@pytest.mark.parametrize("marker", KILL_POINTS)
def test_session_killed_mid_request_answers_503_and_writes_nothing(app, client, world, pg_admin, marker):
    admin = auth(world["tokens"]["admin"])
    codes = world["codes"][:3]
    warm = client.post(URL, json={"scans": full_trip(world["codes"][5], T0)}, headers=admin)
    assert warm.status_code == 200  # token cached, pool warm: the kill hits the scan statements
    before, snap = counts(app), snapshot(app)

    with after_statement(app.extensions["engine"], marker, terminate(pg_admin)) as fired:
        batch, r = post_trip(client, admin, codes)
    assert fired, f"no statement contained {marker!r}"
    assert_unavailable(r)
    assert counts(app) == before and snapshot(app) == snap  # nothing half-written

    again = client.post(URL, json={"scans": batch}, headers=admin)  # the engine recovered
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["summary"] == {"applied": len(batch)}
    twice = client.post(URL, json={"scans": batch}, headers=admin)
    assert twice.get_json()["summary"] == {"duplicate": len(batch)}
    assert assert_projection_is_fold_of_events(app) == 4
    assert_conservation(app, client, admin)


def test_every_session_terminated_between_requests_is_survived(app, client, world, pg_admin):
    admin = auth(world["tokens"]["admin"])
    assert client.post(URL, json={"scans": full_trip(world["codes"][0], T0)}, headers=admin).status_code == 200
    name = app.extensions["engine"].url.database
    with pg_admin.connect() as conn:
        killed = conn.scalar(text("SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                                  "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": name})
    assert killed >= 1
    # pooled connections are dead; the pool notices before use and connects afresh
    r = client.post(URL, json={"scans": full_trip(world["codes"][1], T0)}, headers=admin)
    assert r.status_code == 200, r.get_json()
    assert client.get("/readyz").get_json()["database"] == "ok"


@pytest.mark.parametrize("sqlstate", ["40001", "40P01", "57P01", "57P03", "53300", "08006"])
def test_transient_error_codes_answer_503(app, client, world, sqlstate):
    admin = auth(world["tokens"]["admin"])
    assert client.get("/api/v1/assets", headers=admin).status_code == 200
    before = counts(app)
    with statement_fails_with(app.extensions["engine"], "FOR UPDATE", sqlstate) as fired:
        batch, r = post_trip(client, admin, world["codes"][:2])
    assert fired
    assert_unavailable(r)
    assert counts(app) == before
    assert client.post(URL, json={"scans": batch}, headers=admin).get_json()["summary"] == {"applied": len(batch)}


def test_a_refused_value_is_judged_again_not_retried_by_the_client(app, client, world):
    """A data error (22012) is no passing fault: no 503. Ingestion judges the batch again,
    so a refusal that does not repeat costs nothing and every scan is stored once."""
    admin = auth(world["tokens"]["admin"])
    with statement_fails_with(app.extensions["engine"], "FOR UPDATE", "22012") as fired:
        batch, r = post_trip(client, admin, world["codes"][:2])
    assert fired and r.status_code == 200 and "Retry-After" not in r.headers
    assert r.get_json()["summary"] == {"applied": len(batch)}
    assert client.post(URL, json={"scans": batch}, headers=admin).get_json()["summary"] == {"duplicate": len(batch)}


@pytest.mark.parametrize("sqlstate", ["42P01", "42883"])
def test_other_database_errors_stay_500(app, client, world, sqlstate):
    """A defect is not a passing fault: no Retry-After that would make clients hammer it."""
    admin = auth(world["tokens"]["admin"])
    assert client.get("/api/v1/assets", headers=admin).status_code == 200
    with statement_fails_with(app.extensions["engine"], "FOR UPDATE", sqlstate):
        _, r = post_trip(client, admin, world["codes"][:2])
    assert r.status_code == 500 and "Retry-After" not in r.headers
    assert r.get_json()["message"] == "internal error; it has been logged"


def test_exhausted_pool_answers_503_then_recovers(app, client, world):
    admin = auth(world["tokens"]["admin"])
    assert client.get("/api/v1/assets", headers=admin).status_code == 200
    engine = app.extensions["engine"]
    engine.pool._timeout = 0.2  # the default 30 s wait is right in production, slow in a test
    held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]
    try:
        assert_unavailable(client.get("/api/v1/assets", headers=admin))
    finally:
        for conn in held:
            conn.close()
    assert client.get("/api/v1/assets", headers=admin).status_code == 200


@pytest.fixture
def unreachable_app(settings):
    from dataclasses import replace

    from app import create_app

    nowhere = replace(settings, database_url="postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    application = create_app({"SETTINGS": nowhere, "TESTING": True})
    yield application
    application.extensions["engine"].dispose()


def test_database_down_answers_503_for_api_and_pages(unreachable_app):
    client = unreachable_app.test_client()
    assert_unavailable(client.get("/api/v1/assets", headers=auth("circ_not-cached-anywhere")))
    assert_unavailable(client.get("/api/v1/customers/acme/balance", headers=auth("circ_another-token")))
    page = client.get("/verify/CO2-2026-09-ACME-R1", headers={"Accept": "text/html"})
    assert page.status_code == 503 and int(page.headers["Retry-After"]) > 0
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Temporarily unavailable" in html and "Reload the page" in html
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["status"] == "unavailable"


def test_locked_sqlite_database_is_a_passing_fault(tmp_path):
    """The demo's SQLite: a writer holding the lock past the busy timeout is worth a retry."""
    import sqlite3

    from app.platform.db import transient_failure

    path = tmp_path / "demo.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    waiter = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as locked:
        waiter.execute("INSERT INTO t VALUES (1)")
    holder.execute("ROLLBACK")
    assert transient_failure(locked.value) == "database busy"
    with pytest.raises(sqlite3.OperationalError) as missing:
        waiter.execute("SELECT * FROM no_such_table")
    assert transient_failure(missing.value) is None
    holder.close()
    waiter.close()
