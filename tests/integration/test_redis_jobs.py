"""Job endpoints with Redis up, down and back: 404 for ids that name no run, 503 + Retry-After
while Redis is unreachable, inline runs instead of the queue, never a 500.

Redis here is a redis-server of this test's own (stopped and restarted), not the shared one.
"""
from __future__ import annotations

import pytest
from rq import Queue, Worker

from tests.conftest import auth
from tests.integration.test_database_faults import assert_unavailable

WINDOW = {"start": "2031-03-04T08:00:00+01:00", "end": "2031-03-04T16:00:00+01:00"}
PLAN = {"date": "2031-03-04", "depots": ["depot-a", "depot-b"], "time_limit_s": 1, "objective": "cost",
        "vehicles": [{"id": "truck-1", "capacity_units": 26, "start_depot": "depot-a", "cost_per_km": 1.1}]}
JOBS = "/api/v1/certificates/jobs/"


@pytest.fixture
def settings(migrated_db, own_redis):
    from app.platform.config import Settings

    return Settings(database_url=migrated_db, redis_url=own_redis.url, secret_key="test-secret",
                    auth_failures_per_minute=1000)


@pytest.fixture
def key_file(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = tmp_path / "signing-key.pem"
    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


@pytest.fixture
def admin(app, world, key_file):
    app.config["SIGNING_KEY_FILE"] = str(key_file)
    return auth(world["tokens"]["admin"])


@pytest.fixture
def listening(app):
    """A worker registered on the queue (it never takes a job), so requests queue their runs."""
    from app.platform import jobs, redis_store

    with app.app_context():
        worker = Worker([jobs.QUEUE], connection=redis_store.client())
        worker.register_birth()
        assert jobs.worker_listening()
    return worker


@pytest.mark.parametrize("job_id", ["a%20b", "x:y", "..", "%2E%2E", "%C3%BC", "a" * 65, "%3Cscript%3E", "job.1",
                                    "6d1f4b2e-0000-4000-8000-000000000000"])
def test_ids_that_name_no_run_answer_404(client, admin, job_id):
    r = client.get(JOBS + job_id, headers=admin)
    assert r.status_code == 404, r.get_data(as_text=True)[:300]
    assert list(r.get_json()["errors"]) == ["job_id"]


def test_queued_run_is_followed_and_other_jobs_are_not_shown(app, client, admin, listening):
    from app.planning import services as planning

    r = client.post("/api/v1/certificates", json={"month": "2026-09"}, headers=admin)
    assert r.status_code == 202, r.get_json()
    job_id = r.get_json()["job_id"]
    r = client.get(JOBS + job_id, headers=admin)
    assert r.status_code == 200 and r.get_json() == {"job_id": job_id, "status": "queued", "serials": None}
    # the id of a planning job is no certificate run
    from app.platform import jobs, redis_store

    with app.app_context():
        other = Queue(jobs.QUEUE, connection=redis_store.client()).enqueue(planning.run_plan, "no-such-plan")
    assert client.get(JOBS + other.id, headers=admin).status_code == 404
    # rq reads "<id>:<execution>" as the job <id>; this endpoint does not
    assert client.get(f"{JOBS}{job_id}:1", headers=admin).status_code == 404


def test_redis_down_then_back(app, client, admin, listening, own_redis):
    queued = client.post("/api/v1/certificates", json={"month": "2026-09"}, headers=admin).get_json()["job_id"]
    own_redis.stop()

    for job_id in (queued, "6d1f4b2e-0000-4000-8000-000000000000"):
        assert_unavailable(client.get(JOBS + job_id, headers=admin), "redis")
    assert client.get(JOBS + "x:y", headers=admin).status_code == 404  # malformed: no Redis needed

    # runs that would be queued are done in the request instead
    issued = client.post("/api/v1/certificates", json={"month": "2026-09"}, headers=admin)
    assert issued.status_code == 201, issued.get_json()
    assert issued.get_json()["mode"] == "inline" and issued.get_json()["serials"]
    plan = client.post("/api/v1/plans/rebalancing", json={"asset_type": "ibc", "time_limit_s": 1}, headers=admin)
    assert plan.status_code == 201, plan.get_json()
    assert plan.get_json()["status"] == "done"
    collections = client.post("/api/v1/plans/collections", json=PLAN, headers=admin)
    assert collections.status_code == 201, collections.get_json()
    assert collections.get_json()["status"] == "done"
    assert client.get("/readyz").get_json()["status"] == "degraded"

    own_redis.start()  # its data was saved on shutdown: the queued run is known again
    r = client.get(JOBS + queued, headers=admin)
    assert r.status_code == 200 and r.get_json()["status"] == "queued"
    assert client.get("/readyz").get_json()["status"] == "ok"
