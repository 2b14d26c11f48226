"""With Redis unreachable the service keeps accepting scans; the database keeps them idempotent."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.conftest import T0, auth, full_trip, scan
from tests.integration.state import asset_state, assert_projection_is_fold_of_events, counts

URL = "/api/v1/scans"
NOTHING_LISTENING = "redis://127.0.0.1:6399/0"


@pytest.fixture
def settings(migrated_db):
    from app.platform.config import Settings

    return Settings(database_url=migrated_db, redis_url=NOTHING_LISTENING, secret_key="test-secret",
                    auth_failures_per_minute=3)


def test_readyz_reports_degraded(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["redis"].startswith("unreachable")


def test_scans_accepted_and_resubmission_is_duplicate(app, client, world):
    admin = auth(world["tokens"]["admin"])
    codes = world["codes"][:2]
    batch = full_trip(codes[0], T0) + full_trip(codes[1], T0)[:3]
    started = time.monotonic()
    first = client.post(URL, json={"scans": batch}, headers=admin)
    assert first.status_code == 200
    assert first.get_json()["summary"] == {"applied": len(batch)}
    before = counts(app), [asset_state(app, c) for c in codes]
    for chunk in (batch, batch[:4], batch[4:]):
        again = client.post(URL, json={"scans": chunk}, headers=admin)
        assert again.status_code == 200
        assert again.get_json()["summary"] == {"duplicate": len(chunk)}
    assert (counts(app), [asset_state(app, c) for c in codes]) == before
    # late scans still replay correctly without Redis
    late = scan(codes[1], "check", "acme-site", T0 + timedelta(minutes=90))
    assert client.post(URL, json={"scans": [late]}, headers=admin).get_json()["summary"] == {"applied": 1}
    assert assert_projection_is_fold_of_events(app) == 2
    assert time.monotonic() - started < 20  # an unreachable Redis must not stall every request


def test_failed_logins_still_limited_without_redis(client, world):
    for _ in range(3):
        assert client.get("/api/v1/assets", headers=auth("circ_wrong")).status_code == 401
    r = client.get("/api/v1/assets", headers=auth("circ_wrong"))
    assert r.status_code == 429
    assert "too many" in r.get_json()["message"]
