"""Authentication, failed-attempt limiting, and what a customer user may see."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import REDIS_URL, T0, auth, full_trip, scan

FAILURE_LIMIT = 3


@pytest.fixture
def settings(migrated_db):
    from app.config import Settings

    return Settings(database_url=migrated_db, redis_url=REDIS_URL, secret_key="test-secret",
                    auth_failures_per_minute=FAILURE_LIMIT)


@pytest.mark.parametrize("headers", [{}, auth("circ_not-a-token"), {"Authorization": "Basic YWRtaW46YWRtaW4="},
                                     {"Authorization": "Bearer "}])
def test_missing_or_invalid_token_is_401_json(client, world, headers):
    r = client.get("/api/v1/assets", headers=headers)
    assert r.status_code == 401
    assert r.is_json
    body = r.get_json()
    assert body["code"] == 401 and "bearer token" in body["message"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(client, world):
    admin = auth(world["tokens"]["admin"])
    tokens = client.get("/api/v1/tokens", headers=admin).get_json()
    depot = next(t for t in tokens if t["role"] == "depot")
    assert client.get("/api/v1/assets", headers=auth(world["tokens"]["depot"])).status_code == 200
    assert client.delete(f"/api/v1/tokens/{depot['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/assets", headers=auth(world["tokens"]["depot"])).status_code == 401


def test_repeated_failures_from_one_client_are_429(client, world):
    for _ in range(FAILURE_LIMIT):
        assert client.get("/api/v1/assets", headers=auth("circ_guess")).status_code == 401
    r = client.get("/api/v1/assets", headers=auth("circ_guess"))
    assert r.status_code == 429
    assert r.is_json and "too many failed" in r.get_json()["message"]
    # the limit is per client: another address is still served
    other = client.get("/api/v1/assets", headers=auth(world["tokens"]["admin"]),
                       environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200


def test_successful_requests_do_not_count_as_failures(client, world):
    for _ in range(FAILURE_LIMIT * 3):
        assert client.get("/api/v1/assets", headers=auth(world["tokens"]["admin"])).status_code == 200


@pytest.fixture
def holdings(client, world):
    """acme holds assets 0 and 1, globex holds asset 2 (transferred from acme), 3 is at a depot."""
    admin = auth(world["tokens"]["admin"])
    c = world["codes"]
    scans = [scan(c[0], "issue", "depot-a", T0, "acme"), scan(c[0], "deliver", "acme-site", T0 + timedelta(hours=1)),
             scan(c[1], "issue", "depot-a", T0, "acme"),
             scan(c[2], "issue", "depot-b", T0, "acme"), scan(c[2], "deliver", "acme-site", T0 + timedelta(hours=1)),
             scan(c[2], "transfer", "acme-site", T0 + timedelta(hours=2), "globex")]
    scans += full_trip(c[3], T0, "globex")
    r = client.post("/api/v1/scans", json={"scans": scans}, headers=admin)
    assert r.get_json()["summary"] == {"applied": len(scans)}
    return {"acme": [c[0], c[1]], "globex": [c[2]], "depot": [c[3]]}


def test_customer_sees_only_its_own_customer(client, world, holdings):
    acme = auth(world["tokens"]["acme"])
    statement = {"from": "2026-01-01T00:00:00+00:00", "to": "2026-12-01T00:00:00+00:00"}
    for path in ("/api/v1/customers/globex/balance", "/api/v1/customers/globex/overdue",
                 "/api/v1/customers/globex", "/api/v1/customers/nobody/balance"):
        r = client.get(path, headers=acme)
        assert r.status_code == 404, path
        assert "customer" in r.get_json()["errors"]
    assert client.get("/api/v1/customers/globex/statement", headers=acme, query_string=statement).status_code == 404
    own = client.get("/api/v1/customers/acme/balance", headers=acme)
    assert own.status_code == 200 and own.get_json()["total"] == 2
    assert client.get("/api/v1/customers/acme/statement", headers=acme, query_string=statement).status_code == 200
    assert [c["id"] for c in client.get("/api/v1/customers", headers=acme).get_json()] == ["acme"]
    # the other customer's view is symmetric
    globex = auth(world["tokens"]["globex"])
    assert client.get("/api/v1/customers/acme/balance", headers=globex).status_code == 404
    assert client.get("/api/v1/customers/globex/balance", headers=globex).get_json()["total"] == 1


def test_customer_sees_only_assets_it_holds(client, world, holdings):
    acme = auth(world["tokens"]["acme"])
    for code in holdings["globex"] + holdings["depot"]:
        for suffix in ("", "/events", "/trips"):
            r = client.get(f"/api/v1/assets/{code}{suffix}", headers=acme)
            assert r.status_code == 404, (code, suffix)
            assert "code" in r.get_json()["errors"]
    for code in holdings["acme"]:
        r = client.get(f"/api/v1/assets/{code}", headers=acme)
        assert r.status_code == 200 and r.get_json()["holder"] == "acme"
    listed = client.get("/api/v1/assets", headers=acme).get_json()["items"]
    assert sorted(a["code"] for a in listed) == sorted(holdings["acme"])
    # asking for another customer's assets: 404, as for any other customer's resource
    r = client.get("/api/v1/assets", headers=acme, query_string={"customer": "globex"})
    assert r.status_code == 404 and "customer" in r.get_json()["errors"]
    listed = client.get("/api/v1/assets", headers=acme, query_string={"customer": "acme"}).get_json()["items"]
    assert sorted(a["code"] for a in listed) == sorted(holdings["acme"])
    everything = client.get("/api/v1/assets", headers=auth(world["tokens"]["admin"]), query_string={"limit": 500})
    assert len(everything.get_json()["items"]) == len(world["codes"])


@pytest.mark.parametrize("path", ["/api/v1/kpis", "/api/v1/anomalies", "/api/v1/users"])
def test_customer_forbidden_on_operator_endpoints(client, world, path):
    r = client.get(path, headers=auth(world["tokens"]["acme"]))
    assert r.status_code == 403
    assert r.is_json and "customer" in r.get_json()["message"]


def test_operator_roles_see_kpis(client, world, holdings):
    for role in ("admin", "depot"):
        r = client.get("/api/v1/kpis", headers=auth(world["tokens"][role]))
        assert r.status_code == 200 and isinstance(r.get_json(), dict)
    assert client.get("/api/v1/kpis", headers=auth(world["tokens"]["driver"])).status_code == 403
