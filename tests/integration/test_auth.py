"""Authentication, failed-attempt limiting, and what a customer user may see."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import REDIS_URL, T0, auth, full_trip, scan

FAILURE_LIMIT = 3


@pytest.fixture
def settings(migrated_db):
    from app.platform.config import Settings

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


# Anonymous bodies a parser would choke on: 50,000-deep JSON, a 4,400-digit integer, junk.
HOSTILE_BODIES = ["[" * 50_000 + "]" * 50_000, '{"count": ' + "9" * 4_400 + "}", "\x00\xff{junk"]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
@pytest.mark.parametrize("method,path", [("post", "/api/v1/scans"), ("post", "/api/v1/customers"),
                                         ("post", "/api/v1/labels/sheets"), ("post", "/api/v1/return-requests"),
                                         ("patch", "/api/v1/sites/depot-a")])
def test_anonymous_bodies_are_refused_before_parsing(client, world, caplog, method, path, body):
    r = getattr(client, method)(path, data=body, content_type="application/json")
    assert r.status_code == 401, r.get_json()
    assert r.headers["WWW-Authenticate"].startswith("Bearer") and "bearer token" in r.get_json()["message"]
    assert "unhandled error" not in caplog.text


def test_anonymous_query_is_refused_before_validation(client, world):
    r = client.get("/api/v1/assets?limit=not-a-number&state=nonsense")
    assert r.status_code == 401 and "errors" not in r.get_json()


def test_anonymous_junk_counts_as_failed_authentication(client, world):
    for body in HOSTILE_BODIES:
        assert client.post("/api/v1/scans", data=body, content_type="application/json").status_code == 401
    r = client.post("/api/v1/scans", data=HOSTILE_BODIES[0], content_type="application/json")
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) == 60 and "too many failed" in r.get_json()["message"]


def test_role_is_checked_before_the_body(client, world):
    # a customer user may not create customers: 403 whatever the body, also an unreadable one
    acme = auth(world["tokens"]["acme"])
    for body in ("{not json", "[" * 50_000, '{"id": 1}'):
        r = client.post("/api/v1/customers", data=body, content_type="application/json", headers=acme)
        assert r.status_code == 403, (body[:10], r.get_json())
    r = client.get("/api/v1/anomalies?limit=nonsense", headers=auth(world["tokens"]["driver"]))
    assert r.status_code == 403


def test_public_endpoints_need_no_token(client, world, tmp_path, app):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = tmp_path / "key.pem"
    key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    app.config["SIGNING_KEY_FILE"] = str(key)
    assert client.get("/api/v1/certificates/public-key").status_code == 200
    r = client.post("/api/v1/certificates/verify", json={"document": {}, "signature": "x"})
    assert r.status_code == 200 and r.get_json()["valid"] is False
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_every_api_view_declares_who_may_call_it(app):
    """A view without `requires`/`public` still needs a token (check_access fails closed),
    but its role rules would be missing: every view must say."""
    from app.accounts.auth import access_of

    undeclared = []
    for endpoint, view in app.view_functions.items():
        blueprint = endpoint.split(".")[0]
        if blueprint not in app.blueprints or not hasattr(app.blueprints[blueprint], "ARGUMENTS_PARSER"):
            continue
        if blueprint == "api-docs":
            continue
        cls = getattr(view, "view_class", None)
        views = [getattr(cls, m.lower()) for m in cls.methods] if cls else [view]
        undeclared += [endpoint for v in views if access_of(v) is None]
    assert undeclared == []
