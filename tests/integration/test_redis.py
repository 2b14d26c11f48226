"""Redis is never the source of truth: the database alone decides which scans are stored."""
from __future__ import annotations

import redis

from tests.conftest import REDIS_URL, T0, auth, full_trip, scan
from tests.integration.state import asset_state, counts

URL = "/api/v1/scans"


def scan_keys() -> list[bytes]:
    return list(redis.Redis.from_url(REDIS_URL).scan_iter("circ:*"))


def test_readyz_ok_with_redis(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_resubmitted_scans_are_duplicates_found_in_the_database_not_in_redis(app, client, world):
    admin = auth(world["tokens"]["admin"])
    code = world["codes"][0]
    batch = full_trip(code, T0)
    assert client.post(URL, json={"scans": batch}, headers=admin).get_json()["summary"] == {"applied": 6}
    assert scan_keys() == []  # nothing about scans is kept in Redis
    before = counts(app), asset_state(app, code)
    again = client.post(URL, json={"scans": batch}, headers=admin).get_json()
    assert again["summary"] == {"duplicate": 6}
    assert (counts(app), asset_state(app, code)) == before


def test_a_rejected_scan_fixed_and_resent_under_its_id_is_applied(app, client, world):
    admin = auth(world["tokens"]["admin"])
    bad = scan(world["codes"][0], "issue", "depot-a", T0)  # no customer
    assert client.post(URL, json={"scans": [bad]}, headers=admin).status_code == 422
    fixed = {**bad, "customer": "acme"}
    assert client.post(URL, json={"scans": [fixed]}, headers=admin).get_json()["summary"] == {"applied": 1}
