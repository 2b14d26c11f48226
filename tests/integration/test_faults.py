"""Scans through gunicorn while workers die, database sessions are killed and Redis stops.

Four clients send ~3,000 scans (full trips over the `world` fixture's 20 assets) in batches
of 50 with fixed scan ids, and resend a batch with the same ids after a 5xx or a broken
connection, as a device would. Meanwhile a gunicorn worker is SIGKILLed (twice), every
session of the test database is terminated (twice), and the test's own Redis is stopped and
started again. Afterwards nothing is lost, nothing doubled, every conservation invariant
holds, and refolding every asset from its stored scans changes nothing.
"""
from __future__ import annotations

import http.client
import json
import os
import random
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import DATABASE_URL, PG_ADMIN_URL, T0, auth, full_trip
from tests.integration.servers import Gunicorn, RedisServer
from tests.integration.state import assert_conservation, assert_projection_is_fold_of_events, rows, snapshot

pytestmark = pytest.mark.slow

CLIENTS = 4
BATCH = 50
TRIPS_PER_ASSET = 25
DEADLINE_S = 150  # the whole exchange; a retry loop that never succeeds fails the test here
# (share of batches answered, fault): spread over the run so each lands among live requests
FAULTS = [(0.10, "kill_worker"), (0.25, "terminate_sessions"), (0.40, "stop_redis"), (0.55, "kill_worker"),
          (0.70, "start_redis"), (0.80, "terminate_sessions")]


def scans_of_the_run(codes: list[str], rng: random.Random) -> list[dict]:
    """25 trips per asset, 8 h apart; odd assets end held by a customer. Physically ordered."""
    out = []
    for i, code in enumerate(codes):
        depot = "depot-a" if i % 2 == 0 else "depot-b"
        for k in range(TRIPS_PER_ASSET):
            trip = full_trip(code, T0 + timedelta(hours=8 * k, minutes=i), ("acme", "globex")[k % 2], depot)
            if k == TRIPS_PER_ASSET - 1 and i % 2:
                trip = trip[:2]  # issued and delivered: on the customer's balance at the end
            out += trip
    for s in out:
        s["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    out.sort(key=lambda s: (s["occurred_at"], s["code"]))
    return out


class Client:
    """One scanning client: posts its batches in order, resending each until it is answered 200."""

    def __init__(self, base: str, token: str, deadline: float):
        self.base, self.token, self.deadline = base, token, deadline
        self.answers: list[tuple[list[dict], dict]] = []  # (batch, final 200 body)
        self.failures: Counter = Counter()  # "503", "ConnectionResetError", ...

    def post(self, batch: list[dict]) -> tuple[int, dict, dict]:
        req = urllib.request.Request(self.base + "/api/v1/scans", data=json.dumps({"scans": batch}).encode(),
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read()), dict(r.headers)
        except urllib.error.HTTPError as err:
            raw = err.read()
            return err.code, json.loads(raw) if raw else {}, dict(err.headers)

    def send(self, batch: list[dict]) -> None:
        while True:
            assert time.monotonic() < self.deadline, f"batch not accepted in time; failures so far {self.failures}"
            try:
                status, body, headers = self.post(batch)
            except (OSError, http.client.HTTPException) as exc:  # worker killed mid-request, refused, reset
                self.failures[exc.__class__.__name__] += 1
                time.sleep(0.1)
                continue
            if status == 200:
                self.answers.append((batch, body))
                return
            assert status == 503, (status, body)  # never a 500, never a 4xx for a well-formed batch
            assert int(headers["Retry-After"]) > 0 and body["message"], body
            self.failures["503"] += 1
            # a real client waits Retry-After; capped so the test stays short
            time.sleep(min(int(headers["Retry-After"]), 0.5))


class Faults(threading.Thread):
    """Injects each fault once the given share of batches has been answered."""

    def __init__(self, server: Gunicorn, redis_server: RedisServer, progress, rng: random.Random):
        super().__init__(daemon=True)
        self.server, self.redis, self.progress, self.rng = server, redis_server, progress, rng
        self.done: list[tuple[str, object]] = []
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.pg_admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def run(self) -> None:
        try:
            for share, fault in FAULTS:
                while self.progress() < share:
                    if self.stop.wait(0.01):
                        return
                self.done.append((fault, getattr(self, fault)()))
        except BaseException as exc:  # surfaced by the test
            self.error = exc
        finally:
            self.pg_admin.dispose()

    def kill_worker(self) -> int:
        pid = self.rng.choice(self.server.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def terminate_sessions(self) -> int:
        name = DATABASE_URL.rsplit("/", 1)[1]
        killed = 0
        for _ in range(3):  # a short burst, so some land mid-transaction
            with self.pg_admin.connect() as conn:
                killed += conn.scalar(text("SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                                           "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": name})
            time.sleep(0.03)
        return killed

    def stop_redis(self) -> None:
        self.redis.stop()

    def start_redis(self) -> None:
        self.redis.start()


@pytest.fixture
def gunicorn(app, world, own_redis, tmp_path):
    server = Gunicorn({"DATABASE_URL": DATABASE_URL, "REDIS_URL": own_redis.url, "SECRET_KEY": "test-secret",
                       "AUTH_FAILURES_PER_MINUTE": "1000"}, tmp_path / "gunicorn.log", workers=3)
    yield server
    server.stop()


def replay_every_asset(app) -> int:
    """Refold each asset from its stored scans through the service's replay path and write
    the result, as a late scan would. Returns the number of assets replayed."""
    from app.scanning import fold, writer
    from app.scanning.store import SqlStore, fresh_projection

    with app.app_context():
        store = SqlStore()
        with store.transaction():
            codes = [r[0] for r in rows(app, "SELECT code FROM assets ORDER BY id")]
            sites = store.sites()
            outcomes = [fold.fold_replay(asset, fresh_projection(asset, sites), store.history(asset.id, sites), [])
                        for asset in store.lock_assets(codes, []) if asset.last_event_at is not None]
            writer.write(store.tables, outcomes, None, datetime.now(timezone.utc))
    return len(outcomes)


def test_no_scan_lost_or_doubled_through_worker_kills_session_kills_and_redis_outage(
        app, client, world, own_redis, gunicorn):
    rng = random.Random(20260901)
    every = scans_of_the_run(world["codes"], rng)
    assert len(every) == len({s["id"] for s in every}) >= 2900
    batches = [every[i:i + BATCH] for i in range(0, len(every), BATCH)]
    deadline = time.monotonic() + DEADLINE_S
    clients = [Client(gunicorn.url, world["tokens"]["admin"], deadline) for _ in range(CLIENTS)]
    faults = Faults(gunicorn, own_redis, lambda: sum(len(c.answers) for c in clients) / len(batches), rng)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for batch in batches[i::CLIENTS]:  # neighbouring batches go to different clients
                clients[i].send(batch)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(CLIENTS)]
    faults.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=DEADLINE_S + 30)
    faults.stop.set()
    faults.join(timeout=30)
    assert not errors, errors
    assert faults.error is None, faults.error
    assert [f for f, _ in faults.done] == [f for _, f in FAULTS], faults.done
    assert gunicorn.proc.poll() is None, gunicorn.log_tail()
    if not own_redis.running:
        own_redis.start()
    log = gunicorn.log_path.read_text(errors="replace")
    assert "unhandled error" not in log, gunicorn.log_tail()

    # every batch answered 200 in the end; each scan accepted at most once (a batch whose answer
    # was lost with its worker comes back as duplicates), and none rejected
    accepted, answered = Counter(), set()
    for c in clients:
        for batch, body in c.answers:
            assert [r["id"] for r in body["results"]] == [s["id"] for s in batch]
            for r in body["results"]:
                assert r["status"] in ("applied", "anomaly", "duplicate"), r
                answered.add(r["id"])
                if r["status"] != "duplicate":
                    accepted[r["id"]] += 1
    assert answered == {s["id"] for s in every}
    assert set(accepted.values()) <= {1}

    # 0 lost, 0 doubled
    assert rows(app, "SELECT count(*), count(DISTINCT scan_id) FROM scan_events") == [(len(every), len(every))]
    assert {r[0] for r in rows(app, "SELECT scan_id::text FROM scan_events")} == {s["id"] for s in every}
    # all trips arrived, so no anomaly stays open and every trip closed as the scans say
    assert rows(app, "SELECT count(*) FROM anomalies WHERE NOT cleared_by_replay") == [(0,)]
    assert rows(app, "SELECT count(*) FROM scan_events WHERE status <> 1") == [(0,)]
    assert rows(app, "SELECT count(*) FROM trips WHERE outcome = 'completed'") == [(20 * TRIPS_PER_ASSET - 10,)]
    assert assert_projection_is_fold_of_events(app) == 20
    admin = auth(world["tokens"]["admin"])
    assert_conservation(app, client, admin)
    held = dict(rows(app, "SELECT holder_customer_id, count(*) FROM assets WHERE holder_customer_id IS NOT NULL "
                          "GROUP BY 1"))
    counters = dict(rows(app, "SELECT customer_id, sum(count) FROM customer_balances GROUP BY 1 HAVING sum(count) <> 0"))
    assert {k: int(v) for k, v in counters.items()} == held and sum(held.values()) == 10

    # a full replay of every asset changes nothing
    before = snapshot(app), rows(app, "SELECT * FROM customer_balances WHERE count <> 0 ORDER BY 1, 2, 3, 4")
    assert replay_every_asset(app) == 20
    assert (snapshot(app), rows(app, "SELECT * FROM customer_balances WHERE count <> 0 ORDER BY 1, 2, 3, 4")) == before
    print("faults:", faults.done, "client failures:", sum((c.failures for c in clients), Counter()))
