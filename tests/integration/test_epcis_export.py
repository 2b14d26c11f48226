"""An asset's history exported as EPCIS 2.0 JSON-LD validates against GS1's schema."""
from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema

from tests.conftest import T0, auth, full_trip, scan

# GS1's EPCIS 2.0 JSON schema: ../shared/standards beside the checkout by default.
SCHEMA = Path(os.environ.get("REFERENCE_DATA", Path(__file__).resolve().parents[2].parent / "shared")) \
    / "standards" / "epcis-2.0" / "EPCIS-JSON-Schema.json"


def validator():
    assert SCHEMA.exists(), f"EPCIS schema missing: {SCHEMA} (set REFERENCE_DATA)"
    schema = json.loads(SCHEMA.read_text())
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_history_exports_as_valid_epcis(client, world):
    code, admin = world["codes"][0], auth(world["tokens"]["admin"])
    scans = full_trip(code, T0)
    scans.append(scan(code, "receive", "depot-a", T0.replace(hour=20)))  # received twice: an anomaly
    assert client.post("/api/v1/scans", json={"scans": scans}, headers=admin).status_code == 200

    r = client.get(f"/api/v1/assets/{code}/epcis", headers=admin)
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    doc = r.get_json()
    errors = sorted(validator().iter_errors(doc), key=str)
    assert not errors, [e.message for e in errors[:5]]

    events = doc["epcisBody"]["eventList"]
    assert [e["circ:event"] for e in events] == ["issue", "deliver", "collect", "receive", "clean", "inspect_pass",
                                                 "receive"]
    assert {e["eventID"] for e in events} == {f"urn:uuid:{s['id']}" for s in scans}
    assert all(e["epcList"] == [f"https://id.circularity.example/8003/{code}"] for e in events)
    issue, receive = events[0], events[3]
    assert (issue["bizStep"], issue["disposition"], issue["action"]) == ("shipping", "in_transit", "ADD")
    assert issue["destinationList"][0]["destination"].endswith("/customers/acme")
    assert (receive["bizStep"], receive["disposition"]) == ("receiving", "returned")
    assert events[4]["bizStep"].startswith("https://")  # cleaning: our own vocabulary, CBV has none
    assert "circ:anomaly" in events[-1] and "circ:anomaly" not in receive


def test_customer_cannot_export_another_customers_asset(client, world):
    code, admin = world["codes"][1], auth(world["tokens"]["admin"])
    client.post("/api/v1/scans", json={"scans": [scan(code, "issue", "depot-a", T0, "globex")]}, headers=admin)
    assert client.get(f"/api/v1/assets/{code}/epcis", headers=auth(world["tokens"]["acme"])).status_code == 404
    assert client.get(f"/api/v1/assets/{code}/epcis", headers=auth(world["tokens"]["globex"])).status_code == 200


def test_tampered_document_fails_the_schema():
    bad = {"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument",
           "schemaVersion": "2.0", "creationDate": "2026-11-21T10:00:00Z",
           "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2026-11-21T10:00:00Z",
                                        "eventTimeZoneOffset": "+00:00", "action": "LOOK",
                                        "epcList": ["https://id.example/8003/04012345123456X1"]}]}}
    assert list(validator().iter_errors(bad))  # the validator does reject what it should
