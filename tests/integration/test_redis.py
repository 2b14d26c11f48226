"""Redis is a fast path, never the source of truth."""
from __future__ import annotations

import redis

from tests.conftest import REDIS_URL, T0, auth, full_trip, scan
from tests.integration.state import asset_state, counts

URL = "/api/v1/scans"


def redis_remembers(scan_id: str) -> bool:
    """Whether Redis db 15 holds the scan id, as a key of its own or in a set of ids."""
    r = redis.Redis.from_url(REDIS_URL)
    for key in r.scan_iter("circ:*"):
        kind = r.type(key)
        if kind == b"set" and r.sismember(key, scan_id):
            return True
        if kind == b"string" and key.decode().endswith(scan_id):
            return True
    return False


def test_readyz_ok_with_redis(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_committed_scan_ids_are_remembered_and_answer_duplicates(app, client, world):
    admin = auth(world["tokens"]["admin"])
    code = world["codes"][0]
    batch = full_trip(code, T0)
    assert client.post(URL, json={"scans": batch}, headers=admin).get_json()["summary"] == {"applied": 6}
    r = redis.Redis.from_url(REDIS_URL)
    assert all(redis_remembers(s["id"]) for s in batch)
    keys = list(r.scan_iter("circ:*"))
    assert keys and all(r.ttl(k) > 0 for k in keys)  # Redis forgets; the database does not
    before = counts(app), asset_state(app, code)
    again = client.post(URL, json={"scans": batch}, headers=admin).get_json()
    assert again["summary"] == {"duplicate": 6}
    assert (counts(app), asset_state(app, code)) == before


def test_rejected_scans_are_not_remembered(app, client, world):
    admin = auth(world["tokens"]["admin"])
    bad = scan(world["codes"][0], "issue", "depot-a", T0)  # no customer
    assert client.post(URL, json={"scans": [bad]}, headers=admin).status_code == 422
    assert not redis_remembers(bad["id"])
    fixed = {**bad, "customer": "acme"}
    assert client.post(URL, json={"scans": [fixed]}, headers=admin).get_json()["summary"] == {"applied": 1}


def test_an_id_redis_remembers_but_the_database_lacks_is_judged_as_new(app, client, world):
    """The database decides what is stored; Redis only remembers what was committed. An id
    Redis remembers without a stored scan (a lost commit, a restored database) is applied,
    never answered `duplicate` and dropped by the client."""
    admin = auth(world["tokens"]["admin"])
    code = world["codes"][0]
    remembered = scan(code, "issue", "depot-a", T0, "acme")
    from app.platform import redis_store

    with app.app_context():
        redis_store.remember_scan_ids([remembered["id"]], app.config["SETTINGS"].idempotency_ttl_s)
    assert redis_remembers(remembered["id"])
    before = counts(app)
    fresh = scan(world["codes"][1], "check", "depot-a", T0)
    body = client.post(URL, json={"scans": [remembered, fresh]}, headers=admin).get_json()
    assert [r["status"] for r in body["results"]] == ["applied", "applied"]
    assert body["results"][0]["asset"]["code"] == code and body["results"][0]["asset"]["state"] == "issued"
    assert counts(app)["scan_events"] == before["scan_events"] + 2
    again = client.post(URL, json={"scans": [remembered, fresh]}, headers=admin).get_json()
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert counts(app)["scan_events"] == before["scan_events"] + 2
