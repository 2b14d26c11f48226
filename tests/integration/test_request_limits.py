"""JSON bodies beyond the limits, and the headers error answers keep (Allow, WWW-Authenticate, Retry-After)."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import auth

DEEP = "[" * 50_000 + "]" * 50_000
DEEP_33 = '{"name": ' + "[" * 32 + "]" * 32 + "}"  # 33 levels with the object
LONG_INT = '{"name": "x", "id": ' + "7" * 4_400 + "}"
INT_41 = '{"name": "x", "id": 1' + "0" * 40 + "}"
HUGE_FLOAT = '{"lat": 1e999}'


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


@pytest.mark.parametrize("body,problem", [(DEEP, "nested deeper than 32 levels"),
                                          (DEEP_33, "nested deeper than 32 levels"),
                                          (LONG_INT, "more than 40 digits"), (INT_41, "more than 40 digits"),
                                          (HUGE_FLOAT, "out of range"), ('{"name": NaN}', "NaN")])
@pytest.mark.parametrize("path,status", [("/api/v1/customers", 400), ("/api/v1/sites", 400),
                                         ("/api/v1/plans/collections", 400), ("/api/v1/scans", 422)])
def test_json_beyond_the_limits_is_refused_naming_the_problem(client, admin, caplog, path, status, body, problem):
    r = client.post(path, data=body, content_type="application/json", headers=admin)
    assert r.status_code == status, r.get_json()
    err = r.get_json()
    assert problem in err["message"] and problem in err["errors"]["json"][0]
    assert "unhandled error" not in caplog.text


def test_json_within_the_limits_is_read(client, admin):
    # 32 levels is fine for the parser; the schema then judges the content
    body = '{"name": "Acme Two", "id": "acme-2", "contact_email": null, "active": true}'
    assert client.post("/api/v1/customers", data=body, content_type="application/json", headers=admin).status_code == 201
    r = client.post("/api/v1/customers", data='{"name": ' + "[" * 31 + "]" * 31 + ', "id": "x"}',
                    content_type="application/json", headers=admin)
    assert r.status_code == 422 and "name" in r.get_json()["errors"]["json"]


@pytest.fixture
def signing_key(app, tmp_path):
    key = tmp_path / "key.pem"
    key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    app.config["SIGNING_KEY_FILE"] = str(key)


@pytest.mark.parametrize("body,problem", [(DEEP, "nested deeper"), (LONG_INT, "more than 40 digits"),
                                          (HUGE_FLOAT, "out of range")])
def test_public_verification_has_the_same_limits(client, world, signing_key, caplog, body, problem):
    r = client.post("/api/v1/certificates/verify", data=body, content_type="application/json")
    assert r.status_code == 400 and problem in r.get_json()["message"]
    assert "unhandled error" not in caplog.text
    # JSON that is merely broken is an invalid certificate, as before
    r = client.post("/api/v1/certificates/verify", data='{"document": ', content_type="application/json")
    assert r.status_code == 200 and r.get_json()["valid"] is False


def test_flask_get_json_has_the_limits(app):
    from werkzeug.exceptions import BadRequest

    with app.test_request_context("/", method="POST", data=DEEP, content_type="application/json"):
        from flask import request

        with pytest.raises(BadRequest, match="nested deeper"):
            request.get_json()


@pytest.mark.parametrize("method,path,allowed", [("delete", "/api/v1/scans", {"POST"}),
                                                 ("put", "/api/v1/customers", {"GET", "POST"}),
                                                 ("post", "/api/v1/kpis", {"GET"})])
def test_method_not_allowed_names_the_allowed_methods(client, world, method, path, allowed):
    r = getattr(client, method)(path, headers=auth(world["tokens"]["admin"]))
    assert r.status_code == 405 and r.is_json and r.get_json()["code"] == 405
    assert allowed <= {m.strip() for m in r.headers["Allow"].split(",")}


def test_validation_errors_carry_a_message_naming_the_field(client, admin):
    r = client.post("/api/v1/customers", json={"id": "ok", "name": ""}, headers=admin)
    assert r.status_code == 422
    body = r.get_json()
    assert body["message"].startswith("name: ") and "name" in body["errors"]["json"]
    r = client.get("/api/v1/assets?limit=0", headers=admin)
    assert r.status_code == 422 and r.get_json()["message"].startswith("limit: ")


def test_booleans_are_booleans(client, admin):
    for active in (0, 1, "true", "yes", None):
        r = client.post("/api/v1/customers", json={"id": "c1", "name": "C", "active": active}, headers=admin)
        assert r.status_code == 422 and "active" in r.get_json()["errors"]["json"], active
    assert client.post("/api/v1/customers", json={"id": "c1", "name": "C", "active": False},
                       headers=admin).status_code == 201
    assert client.get("/api/v1/anomalies?include_resolved=1", headers=admin).status_code == 422
    assert client.get("/api/v1/anomalies?include_resolved=true", headers=admin).status_code == 200


def test_unknown_query_parameters_are_refused(client, admin):
    r = client.get("/api/v1/assets?stat=available", headers=admin)
    assert r.status_code == 422 and r.get_json()["message"].startswith("stat: ")
    assert client.get("/api/v1/assets?=x", headers=admin).status_code == 422


def test_an_endpoint_that_takes_a_body_needs_one(client, admin):
    r = client.patch("/api/v1/customers/acme", headers=admin)
    assert r.status_code == 422 and r.get_json()["errors"] == {"json": ["a JSON document is required"]}
    assert client.patch("/api/v1/customers/acme", json={}, headers=admin).status_code == 200


@pytest.mark.parametrize("path,allowed", [("/api/v1/certificates/verify", "POST"),
                                          ("/api/v1/plans/collections", "POST"),
                                          ("/api/v1/plans/rebalancing", "POST")])
def test_route_words_are_not_taken_for_ids(client, admin, path, allowed):
    r = client.get(path, headers=admin)
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["Allow"].split(",")} - {"OPTIONS"} == {allowed}


def test_plan_ids_are_uuids(client, admin):
    assert client.get("/api/v1/plans/not-a-plan", headers=admin).status_code == 404
    r = client.get("/api/v1/plans/6f1c2a8e-0a4b-4b8e-9a51-2f6a3c1d9e70", headers=admin)
    assert r.status_code == 404 and r.get_json()["errors"] == {"id": [r.get_json()["message"]]}
