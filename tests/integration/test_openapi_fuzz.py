"""The API keeps the promises of its OpenAPI document.

schemathesis generates requests from the document at /api/v1/openapi.json (valid and
invalid ones: boundary values first, then random ones from a fixed seed) and sends them
over HTTP to the service (a werkzeug server thread on the per-run PostgreSQL database and
Redis, with a seeded world), as an admin and as a customer user. Every answer must be
below 500 and carry a documented status, content type, schema and headers; a value the
document forbids must be refused; an undocumented method must answer 405 with `Allow`;
an operation that needs a token must refuse a request without one.

The world is seeded once for the module: what one operation's cases create or change,
the next operation's cases see, as in production.
"""
from __future__ import annotations

import threading
import zlib
from datetime import timedelta

import pytest
import redis
import schemathesis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from werkzeug.serving import make_server

from tests.conftest import REDIS_URL, T0, auth, full_trip, give_holdings, scan, seed_places_and_assets
from tests.helpers.database import reset_database

CALLERS = ("admin", "acme")
MIN_CASES = 2_000
# Work sizes the service allows but that cost seconds each (10,000 labels on one PDF
# sheet, a 300 s planning run) are capped in valid bodies so the run stays within
# minutes; the bounds themselves are tested in test_labels_api.py and test_planning.py.
CAPS = {"count": 20, "time_limit_s": 1}
FUZZ_CONFIG = {
    "seed": 20261130,
    "generation": {"max-examples": 20, "database": "none"},
    "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}},
    # Not checked: that every schema-valid request succeeds. The service also refuses
    # what no schema can say (an unknown id, a month not over yet, `to` before `from`),
    # with a documented 404/409/422.
    "checks": {"positive_data_acceptance": {"enabled": False}},
}


def _document() -> dict:
    """The document the service serves, rendered by an app that needs no database."""
    from app import create_app
    from app.platform.config import Settings

    doc_app = create_app({"SETTINGS": Settings(database_url="sqlite://"), "TESTING": True})
    return doc_app.test_client().get("/api/v1/openapi.json").get_json()


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(FUZZ_CONFIG))
seen: dict[tuple[str, str], int] = {}


@pytest.fixture(scope="module")
def fuzz_app(migrated_db, tmp_path_factory):
    from app import create_app
    from app.platform.config import Settings

    # Every generated request also goes out without a token (the ignored-auth check):
    # the failed-attempt limiter must not turn those into 429s here.
    # Webhooks are recorded but never sent: generated subscriptions name hosts anywhere.
    settings = Settings(database_url=migrated_db, redis_url=REDIS_URL, secret_key="test-secret",
                        auth_failures_per_minute=10**9, webhook_inline=False)
    application = create_app({"SETTINGS": settings, "TESTING": True})
    key = tmp_path_factory.mktemp("fuzz") / "signing-key.pem"
    key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    application.config["SIGNING_KEY_FILE"] = str(key)
    engine = application.extensions["engine"]
    reset_database(engine)
    redis.Redis.from_url(REDIS_URL).flushdb()
    yield application
    engine.dispose()


@pytest.fixture(scope="module")
def known(fuzz_app):
    """Sites, customers, an asset type, assets with trips and an anomaly, a certificate, a
    return request, a finished collection plan, a contract, a billing run, invoices and a credit
    note, a monthly statement with a decided dispute, and a webhook subscription with a delivery;
    one existing value per path parameter."""
    from app.accounts import services as accounts

    with fuzz_app.app_context():
        c = seed_places_and_assets(lca_profile="ibc-1000-vs-steel-drums")
        tokens = {}
        for role, customer in (("admin", None), ("customer", "acme")):
            user = accounts.create_user(f"{role}-{customer}", role, customer)
            tokens[customer or role] = accounts.issue_token(user.id, "fuzz")[1]
        spare_user = accounts.create_user("spare", "depot")
        spare_token = accounts.issue_token(spare_user.id, "spare")[0].id
    client = fuzz_app.test_client()
    admin, acme = auth(tokens["admin"]), auth(tokens["acme"])
    scans = (full_trip(c[0], T0) + full_trip(c[3], T0 + timedelta(days=2), "globex", "depot-b")
             + [scan(c[1], "issue", "depot-a", T0, "acme"), scan(c[1], "deliver", "acme-site", T0 + timedelta(hours=2)),
                scan(c[2], "receive", "depot-a", T0)])  # received without a collection: an anomaly
    r = client.post("/api/v1/scans", json={"scans": scans}, headers=admin)
    assert r.status_code == 200 and "rejected" not in r.get_json()["summary"], r.get_json()
    anomaly = client.get("/api/v1/anomalies", headers=admin).get_json()["items"][0]["id"]
    r = client.post("/api/v1/certificates", json={"month": "2026-09"}, headers=admin)
    assert r.status_code == 201, r.get_json()
    serial = next(s for s in r.get_json()["serials"] if "ACME" in s)
    window = {"start": "2031-03-04T08:00:00+01:00", "end": "2031-03-04T16:00:00+01:00"}
    give_holdings(fuzz_app, {("acme", "acme-site", "ibc"): 2})
    r = client.post("/api/v1/return-requests", json={"site": "acme-site", "counts": {"ibc": 2}, "window": window},
                    headers=acme)
    assert r.status_code == 201, r.get_json()
    request_id = r.get_json()["id"]
    vehicle = {"id": "v1", "capacity_units": 20, "start_depot": "depot-a"}
    r = client.post("/api/v1/plans/collections", json={"date": "2031-03-04", "depots": ["depot-a"],
                                                       "vehicles": [vehicle], "time_limit_s": 1}, headers=admin)
    assert r.status_code == 201 and r.get_json()["status"] == "done", r.get_json()
    plan_id = r.get_json()["id"]
    r = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/fuzz", "events": ["statement.closed"]},
                    headers=acme)
    assert r.status_code == 201, r.get_json()
    subscription = r.get_json()["id"]
    billing = _billing(client, admin)
    r = client.post("/api/v1/statements/close", json={"month": "2026-09", "customer": "acme"}, headers=admin)
    statement = r.get_json()["items"][0]["id"]
    line = client.get(f"/api/v1/statements/{statement}", headers=acme).get_json()["lines"][0]["id"]
    r = client.post(f"/api/v1/statements/{statement}/disputes", json={"lines": [line], "reason": "fuzz"}, headers=acme)
    assert r.status_code == 201, r.get_json()
    dispute = r.get_json()["id"]
    # decided: generated evidence would otherwise be attached to it (tested in test_statements_disputes.py)
    r = client.post(f"/api/v1/disputes/{dispute}/accept", json={}, headers=admin)
    assert r.status_code == 200, r.get_json()
    delivery = client.get(f"/api/v1/webhooks/{subscription}/deliveries", headers=acme).get_json()["items"][0]["id"]
    in_use = {t["id"] for t in client.get("/api/v1/tokens", headers=admin).get_json()} - {spare_token}
    return {"tokens": tokens, "tokens_in_use": in_use, "path": {
        "code": c[1], "customer_id": "acme", "site_id": "acme-site", "type_id": "ibc", "anomaly_id": anomaly,
        "user_id": spare_user.id, "token_id": spare_token, "serial": serial, "request_id": request_id,
        "plan_id": plan_id, "statement_id": statement, "dispute_id": dispute, "subscription_id": subscription,
        "delivery_id": delivery, **billing}}


def _billing(client, admin: dict) -> dict:
    """A default tariff, September billed, and a credit note for acme's first invoice line."""
    prices = [{"kind": "issue_fee", "asset_type": "*", "unit_price": "2.50"},
              {"kind": "daily_hire", "asset_type": "*", "unit_price": "0.0375"}]
    r = client.post("/api/v1/contracts", json={"valid_from": "2026-01-01", "currency": "EUR", "tax_rate": "0.19",
                                               "prices": prices}, headers=admin)
    assert r.status_code == 201, r.get_json()
    contract_id = r.get_json()["id"]
    r = client.post("/api/v1/billing-runs", json={"month": "2026-09"}, headers=admin)
    assert r.status_code == 201 and r.get_json()["invoices_created"] == 2, r.get_json()
    run_id = r.get_json()["id"]
    invoice = client.get("/api/v1/invoices/1", headers=admin).get_json()
    r = client.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", headers=admin,
                    json={"reason": "fuzz", "lines": [invoice["lines"][0]["id"]]})
    assert r.status_code == 201 and invoice["customer"] == "acme", r.get_json()
    return {"contract_id": contract_id, "run_id": run_id, "invoice_id": invoice["id"],
            "credit_note_id": r.get_json()["id"]}


@pytest.fixture(scope="module")
def live_server(fuzz_app, known):
    server = make_server("127.0.0.1", 0, fuzz_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(params=CALLERS)
def caller(request):
    return request.param


def _prepared(case, known: dict):
    """The generated case, pointed at the seeded world now and then, within the work caps."""
    if case.path_parameters and case.meta.generation.mode == schemathesis.GenerationMode.POSITIVE \
            and zlib.crc32(repr(sorted(case.path_parameters.items())).encode()) % 2:
        # Half of the valid cases name things that exist (random ids rarely do).
        case.path_parameters = {name: known["path"].get(name, value) for name, value in case.path_parameters.items()}
    if case.operation.path.endswith("/tokens/{token_id}") and \
            case.path_parameters.get("token_id") in known["tokens_in_use"]:
        # revoking a token the run itself uses would end the run
        case.path_parameters = {"token_id": known["path"]["token_id"]}
    if isinstance(case.body, dict):
        case.body = _capped(case.body)
    return case


def _capped(body):
    if isinstance(body, dict):
        return {k: (min(v, CAPS[k]) if k in CAPS and isinstance(v, (int, float)) and not isinstance(v, bool)
                    else _capped(v)) for k, v in body.items()}
    return body


@schema.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_keeps_its_documented_promises(case, live_server, caller, known):
    key = (caller, case.operation.label)
    seen[key] = seen.get(key, 0) + 1
    _prepared(case, known).call_and_validate(base_url=live_server, headers=auth(known["tokens"][caller]))


def test_enough_cases_were_generated():
    operations = {result.ok().label for result in schema.get_all_operations()}
    if {label for _, label in seen} != operations or {caller for caller, _ in seen} != set(CALLERS):
        pytest.skip("counts the cases of a full run of this module")
    assert sum(seen.values()) >= MIN_CASES, seen


def test_the_served_document_is_the_tested_one(live_server):
    import requests

    assert requests.get(f"{live_server}/api/v1/openapi.json", timeout=10).json() == DOCUMENT
