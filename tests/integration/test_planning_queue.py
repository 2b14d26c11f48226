"""The queued path: a real `rq worker circularity` process plans while the API answers 202."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DATABASE_URL, REDIS_URL, auth, give_holdings, stop_process

ROOT = Path(__file__).resolve().parents[2]
WINDOW = {"start": "2031-03-04T08:00:00+01:00", "end": "2031-03-04T16:00:00+01:00"}
BODY = {"date": "2031-03-04", "depots": ["depot-a", "depot-b"], "time_limit_s": 2, "objective": "cost",
        "vehicles": [{"id": "truck-1", "capacity_units": 26, "start_depot": "depot-a", "cost_per_km": 1.1}]}

pytestmark = pytest.mark.slow


@pytest.fixture
def worker(app):
    """An RQ worker in its own process on the test database and Redis db."""
    from rq import Worker

    from app.platform import jobs, redis_store

    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "SECRET_KEY": "test-secret"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("rq")), "worker", jobs.QUEUE, "--url", REDIS_URL,
                             "--path", str(ROOT)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with app.app_context():
            deadline = time.monotonic() + 30
            while not jobs.worker_listening():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("rq worker did not start: " + proc.stderr.read().decode()[-2000:])
                time.sleep(0.2)
            assert any(jobs.QUEUE in w.queue_names() for w in Worker.all(connection=redis_store.client()))
        yield proc
    finally:
        stop_process(proc, 20)


def wait_done(client, location: str, headers: dict, timeout_s: float = 60) -> list[dict]:
    seen = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        plan = client.get(location, headers=headers).get_json()
        seen.append(plan)
        if plan["status"] in ("done", "failed"):
            return seen
        time.sleep(0.25)
    raise AssertionError(f"plan still {seen[-1]['status']} after {timeout_s}s")


def test_a_listening_worker_runs_the_plan(app, client, world, worker):
    give_holdings(app, {("acme", "", "ibc"): 6, ("globex", "", "ibc"): 9})
    admin, acme, globex = (auth(world["tokens"][k]) for k in ("admin", "acme", "globex"))
    ids = []
    for headers, site, n in ((acme, "acme-site", 6), (globex, "globex-site", 9)):
        r = client.post("/api/v1/return-requests", json={"site": site, "counts": {"ibc": n}, "window": WINDOW},
                        headers=headers)
        ids.append(r.get_json()["id"])

    r = client.post("/api/v1/plans/collections", json=BODY, headers=admin)
    assert r.status_code == 202, r.get_json()
    queued = r.get_json()
    assert queued["status"] in ("queued", "running") and queued["result"] is None
    location = r.headers["Location"]
    assert location == f"/api/v1/plans/{queued['id']}"

    seen = wait_done(client, location, admin)
    plan = seen[-1]
    assert plan["status"] == "done", plan
    progress = [p["progress"] for p in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert any(p["status"] == "running" for p in seen)  # the caller could follow it
    stops = [s["request_id"] for route in plan["result"]["routes"] for s in route["stops"]]
    assert sorted(stops) == sorted(ids)
    for rid, headers in zip(ids, (acme, globex)):
        req = client.get(f"/api/v1/return-requests/{rid}", headers=headers).get_json()
        assert req["status"] == "planned" and req["planned"]["vehicle"] == "truck-1"

    # rebalancing goes the same way
    r = client.post("/api/v1/plans/rebalancing", json={"asset_type": "ibc", "time_limit_s": 1}, headers=admin)
    assert r.status_code == 202
    assert wait_done(client, r.headers["Location"], admin)[-1]["status"] == "done"
