"""POST /api/v1/scans: the batch contract and bad input, which must change nothing."""
from __future__ import annotations

import json
import math
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from labels.grai import make_grai
from tests.conftest import T0, auth, full_trip, scan
from tests.integration.state import asset_state, counts, rows

URL = "/api/v1/scans"


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


@pytest.fixture
def primed(client, world, admin):
    """The first asset issued and delivered, so bad scans have a state they could disturb."""
    code = world["codes"][0]
    r = client.post(URL, json={"scans": full_trip(code, T0)[:2]}, headers=admin)
    assert r.status_code == 200 and r.get_json()["summary"] == {"applied": 2}
    return code


def unchanged(app, code):
    return counts(app), asset_state(app, code)


def bad_check_digit(code: str) -> str:
    # code = filler digit + 12 digits + check digit + serial
    check = int(code[13])
    return "(8003)" + code[:13] + str((check + 1) % 10) + code[14:]


def good_scan(code):
    return scan(code, "collect", "acme-site", T0 + timedelta(hours=3))


BAD_SCANS = {
    "unknown code": (lambda c: scan(make_grai("4012345", "12345", "99999999").ai_value, "collect", "acme-site",
                                    T0 + timedelta(hours=3)), "code", "unknown asset"),
    "unknown alias": (lambda c: scan("NO-SUCH-ASSET", "collect", "acme-site", T0 + timedelta(hours=3)), "code",
                      "unknown asset"),
    "bad check digit": (lambda c: scan(bad_check_digit(c), "collect", "acme-site", T0 + timedelta(hours=3)), "code",
                        "check digit"),
    "two different GRAIs": (lambda c: scan("]d28003" + c + "\x1d8003" + make_grai("4012345", "12345", "X").ai_value,
                                           "collect", "acme-site", T0 + timedelta(hours=3)), "code", "different GRAIs"),
    "unknown site": (lambda c: scan(c, "collect", "nowhere-site", T0 + timedelta(hours=3)), "site", "nowhere-site"),
    "unknown customer": (lambda c: scan(c, "transfer", "acme-site", T0 + timedelta(hours=3), customer="nobody"),
                         "customer", "nobody"),
    "issue without customer": (lambda c: scan(c, "issue", "depot-a", T0 + timedelta(hours=3)), "customer", "needs"),
    "depot event at customer site": (lambda c: scan(c, "receive", "acme-site", T0 + timedelta(hours=3)), "site",
                                     "depot"),
    "unknown event": (lambda c: {**scan(c, "collect", "acme-site", T0 + timedelta(hours=3)), "event": "teleport"},
                      "event", "Must be one of"),
    "timestamp without offset": (lambda c: {**scan(c, "collect", "acme-site", T0),
                                            "occurred_at": "2026-09-01T11:00:00"}, "occurred_at", "offset"),
    "timestamp not a timestamp": (lambda c: {**scan(c, "collect", "acme-site", T0), "occurred_at": "yesterday"},
                                  "occurred_at", "ISO 8601"),
    "far future": (lambda c: scan(c, "collect", "acme-site", datetime.now(timezone.utc) + timedelta(days=2)),
                   "occurred_at", "future"),
    "id not a uuid": (lambda c: {**scan(c, "collect", "acme-site", T0 + timedelta(hours=3)), "id": "scan-1"}, "id",
                      "UUID"),
    "code a number": (lambda c: {**scan(c, "collect", "acme-site", T0 + timedelta(hours=3)), "code": 4012345},
                      "code", "string"),
    "missing code": (lambda c: {k: v for k, v in scan(c, "collect", "acme-site", T0).items() if k != "code"},
                     "code", "required"),
    "unknown key": (lambda c: {**scan(c, "collect", "acme-site", T0 + timedelta(hours=3)), "colour": "blue"},
                    "colour", "Unknown"),
}


@pytest.mark.parametrize("case", sorted(BAD_SCANS))
def test_bad_scan_alone_is_422_naming_the_field_and_stores_nothing(app, client, primed, admin, case):
    make, field, words = BAD_SCANS[case]
    before = unchanged(app, primed)
    item = make(primed)
    r = client.post(URL, json={"scans": [item]}, headers=admin)
    assert r.status_code == 422
    body = r.get_json()
    assert f"scans[0].{field}" in body["errors"], body
    assert body["message"].startswith(f"no scan accepted: scans[0].{field}:")
    assert words.lower() in body["message"].lower()
    assert [res["status"] for res in body["results"]] == ["rejected"]
    assert body["results"][0]["message"].startswith(f"scans[0].{field}:")
    assert body["summary"] == {"rejected": 1}
    assert unchanged(app, primed) == before


@pytest.mark.parametrize("case", sorted(BAD_SCANS))
def test_bad_scan_does_not_fail_the_good_ones(app, client, primed, admin, case):
    make, field, _ = BAD_SCANS[case]
    before = counts(app)
    good = good_scan(primed)
    r = client.post(URL, json={"scans": [make(primed), good]}, headers=admin)
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert results[0]["status"] == "rejected" and results[0]["message"].startswith(f"scans[0].{field}:")
    assert results[1]["status"] == "applied" and results[1]["id"] == good["id"]
    assert results[1]["asset"]["state"] == "in_return"
    after = counts(app)
    assert after["scan_events"] == before["scan_events"] + 1
    assert rows(app, "SELECT scan_id::text FROM scan_events ORDER BY id DESC LIMIT 1") == [(good["id"],)]


def test_driver_may_not_issue(app, client, world, primed):
    before = unchanged(app, world["codes"][1])
    item = scan(world["codes"][1], "issue", "depot-a", T0, customer="acme")
    r = client.post(URL, json={"scans": [item]}, headers=auth(world["tokens"]["driver"]))
    assert r.status_code == 422
    body = r.get_json()
    assert "scans[0].event" in body["errors"]
    assert "role driver may not record issue" in body["message"]
    assert unchanged(app, world["codes"][1]) == before
    # the same driver may record a delivery
    ok = scan(primed, "collect", "acme-site", T0 + timedelta(hours=3))
    r = client.post(URL, json={"scans": [ok]}, headers=auth(world["tokens"]["driver"]))
    assert r.status_code == 200 and r.get_json()["results"][0]["status"] == "applied"


def test_customer_token_may_not_post_scans(app, client, world, primed):
    before = unchanged(app, primed)
    r = client.post(URL, json={"scans": [good_scan(primed)]}, headers=auth(world["tokens"]["acme"]))
    assert r.status_code == 403
    body = r.get_json()
    assert "customer" in body["message"]
    assert unchanged(app, primed) == before


MALFORMED = {
    "not json": ("{scans: [", "json"),
    "missing scans": (json.dumps({}), "scans"),
    "scans not a list": (json.dumps({"scans": "many"}), "scans"),
    "scans empty": (json.dumps({"scans": []}), "scans"),
    "too many scans": (json.dumps({"scans": [{}] * 5001}), "scans"),
    "unknown top-level key": (json.dumps({"scans": [{}], "batch": 1}), "batch"),
    "document a list": (json.dumps([{"id": str(uuid.uuid4())}]), "_schema"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_document_is_422_naming_the_field(app, client, primed, admin, case):
    data, field = MALFORMED[case]
    before = unchanged(app, primed)
    r = client.post(URL, data=data, content_type="application/json", headers=admin)
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    errors = body["errors"]["json"]
    assert field in errors if isinstance(errors, dict) else field == "json", body
    assert unchanged(app, primed) == before


def test_body_over_the_limit_is_413_naming_body(app, client, primed, admin):
    before = unchanged(app, primed)
    item = good_scan(primed)
    big = json.dumps({"scans": [item] + [{**item, "device": "x" * 60, "id": str(uuid.uuid4())}] * 60000})
    assert len(big) > 10_000_000
    r = client.post(URL, data=big, content_type="application/json", headers=admin)
    assert r.status_code == 413
    body = r.get_json()
    assert "body" in body["errors"] and body["message"].startswith("body:")
    assert unchanged(app, primed) == before


def test_non_object_items_are_rejected_individually(app, client, primed, admin):
    r = client.post(URL, json={"scans": [1, "x", None, good_scan(primed)]}, headers=admin)
    assert r.status_code == 200
    statuses = [res["status"] for res in r.get_json()["results"]]
    assert statuses == ["rejected", "rejected", "rejected", "applied"]
    assert r.get_json()["summary"] == {"rejected": 3, "applied": 1}


def test_batch_of_5000_is_accepted(app, client, world, admin):
    codes = world["codes"]
    items = [scan(codes[i % len(codes)], "check", "depot-a", T0 + timedelta(seconds=i)) for i in range(5000)]
    r = client.post(URL, json={"scans": items}, headers=admin)
    assert r.status_code == 200
    assert r.get_json()["summary"] == {"applied": 5000}
    assert counts(app)["scan_events"] == 5000


def test_batch_limit_is_the_max_batch_scans_setting(app, world, admin, settings):
    from dataclasses import replace

    from app import create_app

    small = create_app({"SETTINGS": replace(settings, max_batch_scans=3), "TESTING": True})  # same database
    client = small.test_client()
    codes = world["codes"]
    items = [scan(codes[i], "check", "depot-a", T0 + timedelta(seconds=i)) for i in range(4)]
    r = client.post(URL, json={"scans": items}, headers=admin)
    assert r.status_code == 422, r.get_json()
    assert "between 1 and 3" in r.get_json()["errors"]["json"]["scans"][0]
    assert counts(app)["scan_events"] == 0
    r = client.post(URL, json={"scans": items[:3]}, headers=admin)
    assert r.status_code == 200 and r.get_json()["summary"] == {"applied": 3}
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["ScanBatch"]["properties"]["scans"]
    assert spec["maxItems"] == 3 and "MAX_BATCH_SCANS" in spec["description"]
    small.extensions["engine"].dispose()


def test_resubmitting_a_batch_changes_nothing(app, client, world, admin):
    codes = world["codes"][:3]
    batch = [s for i, c in enumerate(codes) for s in full_trip(c, T0 + timedelta(days=i))]
    batch.append(scan(codes[0], "receive", "depot-a", T0 + timedelta(days=5)))  # an anomaly
    first = client.post(URL, json={"scans": batch}, headers=admin).get_json()
    assert first["summary"] == {"applied": len(batch) - 1, "anomaly": 1}
    before = counts(app), [asset_state(app, c) for c in codes]
    for _ in range(3):
        again = client.post(URL, json={"scans": batch}, headers=admin)
        assert again.status_code == 200
        body = again.get_json()
        assert body["summary"] == {"duplicate": len(batch)}
        assert all(r["message"] == "scan id already recorded" for r in body["results"])
        assert [r["id"] for r in body["results"]] == [s["id"] for s in batch]
        # the duplicate answers still show where the asset is
        assert body["results"][0]["asset"]["code"] == codes[0]
    assert (counts(app), [asset_state(app, c) for c in codes]) == before


def test_repeated_id_within_a_batch_is_a_duplicate(app, client, world, admin):
    code = world["codes"][0]
    item = scan(code, "check", "depot-a", T0)
    r = client.post(URL, json={"scans": [item, dict(item)]}, headers=admin)
    assert [res["status"] for res in r.get_json()["results"]] == ["applied", "duplicate"]
    assert rows(app, "SELECT site_id FROM scan_events") == [("depot-a",)]


def test_id_reused_for_a_different_scan_is_rejected_naming_id(app, client, world, admin):
    code = world["codes"][0]
    item = scan(code, "check", "depot-a", T0)
    r = client.post(URL, json={"scans": [item, {**item, "site": "depot-b"}]}, headers=admin)
    results = r.get_json()["results"]
    assert [res["status"] for res in results] == ["applied", "rejected"]
    assert results[1]["message"].startswith("scans[1].id: ") and "site differ" in results[1]["message"]
    assert rows(app, "SELECT site_id FROM scan_events") == [("depot-a",)]


def test_unauthenticated_scan_post_is_401(app, client, primed):
    before = unchanged(app, primed)
    r = client.post(URL, json={"scans": [good_scan(primed)]})
    assert r.status_code == 401
    assert r.get_json()["code"] == 401
    assert unchanged(app, primed) == before


def _compressed_digital_link(ai_value: str) -> str:
    """AI 8003 alone, compressed as the GS1 Digital Link standard does (digit-only serial)."""
    serial = ai_value[14:]
    bits = "".join(f"{int(d):04b}" for d in "8003") + f"{int(ai_value[:14]):047b}"
    bits += "000" + f"{len(serial):05b}" + f"{int(serial):0{math.ceil(len(serial) * math.log2(10) + 0.01)}b}"
    bits += "0" * (-len(bits) % 6)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "https://id.example.com/" + "".join(alphabet[int(bits[i:i + 6], 2)] for i in range(0, len(bits), 6))


def test_compressed_and_concatenated_gs1_codes_reach_the_asset(app, client, primed, admin):
    assert primed[14:].isdigit()
    forms = [_compressed_digital_link(primed), "0109521234543213" + "8003" + primed, f"(8003){primed}(8003){primed}"]
    at = T0 + timedelta(hours=3)
    items = [scan(form, event, "acme-site", at + timedelta(minutes=i))
             for i, (form, event) in enumerate(zip(forms, ["collect", "check", "check"]))]
    for item in items:  # one by one, in time order
        r = client.post(URL, json={"scans": [item]}, headers=admin)
        body = r.get_json()
        assert r.status_code == 200 and body["summary"] == {"applied": 1}, body
        assert body["results"][0]["asset"]["code"] == primed
