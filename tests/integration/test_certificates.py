"""Monthly avoided-CO2e certificates on PostgreSQL: numbers, revisions, signatures, isolation."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
import rfc8785
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

import lca
from tests.conftest import T0, auth, full_trip, scan

MONTH = "2026-09"  # T0 is 2026-09-01
PROFILE = "ibc-1000-vs-steel-drums"
URL = "/api/v1/certificates"


@pytest.fixture(scope="session")
def key_file(tmp_path_factory):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = tmp_path_factory.mktemp("signing") / "signing-key.pem"
    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


@pytest.fixture(autouse=True)
def signing_key(app, key_file):
    app.config["SIGNING_KEY_FILE"] = str(key_file)


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


@pytest.fixture
def month_data(app, client, world, admin):
    """September: acme 5 IBC trips + 2 crate trips (no LCA profile), globex 3 IBC trips (one
    passed on from acme: credited to globex, the last holder), one IBC lost; one August trip."""
    from app.catalog import services as catalog
    from app.assets import registry

    with app.app_context():
        catalog.update("asset_type", "ibc", {"lca_profile": PROFILE})
        catalog.create("asset_type", {"id": "crate", "name": "Crate 600x400", "company_prefix": "4012345",
                                      "grai_asset_type": "22222", "tare_mass_kg": 2.0})
        crates = [a.code for a in registry.register("crate", 4, "depot-b")]
    c = world["codes"]
    day = lambda n, h=0: T0 + timedelta(days=n, hours=h)  # noqa: E731
    scans = []
    for i in range(5):
        scans += full_trip(c[i], day(i), "acme", "depot-a" if i % 2 else "depot-b")
    for i in range(2):
        scans += full_trip(crates[i], day(2, i), "acme", "depot-b")
    for i in range(5, 7):
        scans += full_trip(c[i], day(3, i), "globex")
    # c[7] goes to acme, is transferred to globex and collected there
    scans += [scan(c[7], "issue", "depot-a", day(6), "acme"), scan(c[7], "deliver", "acme-site", day(6, 2)),
              scan(c[7], "transfer", "acme-site", day(7), "globex"), scan(c[7], "collect", "globex-site", day(9)),
              scan(c[7], "receive", "depot-a", day(9, 3))]
    # c[8] is lost at acme
    scans += [scan(c[8], "issue", "depot-a", day(5), "acme"), scan(c[8], "deliver", "acme-site", day(5, 2)),
              scan(c[8], "lose", "acme-site", day(20))]
    # an August trip: not in September's certificate, but in the loss window
    scans += full_trip(c[9], T0 - timedelta(days=10), "acme")
    r = client.post("/api/v1/scans", json={"scans": scans}, headers=admin)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["summary"].get("rejected", 0) == 0, r.get_json()
    return {"crates": crates}


SERIAL_TAIL = re.compile(r"-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$")


def readable(serial: str) -> str:
    """A serial without its random part: `CO2-2026-09-ACME-R1`."""
    assert SERIAL_TAIL.search(serial), serial
    return SERIAL_TAIL.sub("", serial)


def full(client, headers, readable_serial: str) -> str:
    """The issued serial whose readable part is `readable_serial`."""
    items = client.get(URL, query_string={"limit": 1000}, headers=headers).get_json()["items"]
    [serial] = [c["serial"] for c in items if readable(c["serial"]) == readable_serial]
    return serial


def issue(client, headers, month=MONTH, customer=None, status=201):
    body = {"month": month} | ({"customer": customer} if customer else {})
    r = client.post(URL, json=body, headers=headers)
    assert r.status_code == status, r.get_json()
    return r.get_json()


def trip_rows(app, customer=None, month=MONTH):
    from app.platform.db import get_session
    from app.catalog.models import AssetType
    from app.assets.models import Trip
    from app.certificates.data import parse_month

    m = parse_month(month)
    with app.app_context():
        stmt = (select(Trip, AssetType.lca_profile).join(AssetType, AssetType.id == Trip.asset_type_id)
                .where(Trip.outcome == "completed", Trip.closed_at >= m.start, Trip.closed_at < m.end).order_by(Trip.id))
        if customer:
            stmt = stmt.where(Trip.customer_id == customer)
        return [(t, p) for t, p in get_session().execute(stmt)]


def observed_loss_rate(app) -> float:
    from app.platform.db import get_session
    from app.assets.models import Trip

    with app.app_context():
        outcomes = list(get_session().scalars(select(Trip.outcome).where(Trip.asset_type_id == "ibc")))
    completed, lost = outcomes.count("completed"), outcomes.count("lost")
    return lost / (completed + lost)


def test_numbers_equal_lca_aggregate_of_the_trip_inputs(app, client, admin, month_data):
    serials = issue(client, admin)["serials"]
    assert [readable(s) for s in serials] == ["CO2-2026-09-ACME-R1", "CO2-2026-09-GLOBEX-R1", "CO2-2026-09-OPERATOR-R1"]
    options = {PROFILE: lca.CalcOptions(loss_rate=observed_loss_rate(app))}
    assert 0 < options[PROFILE].loss_rate < 1
    for serial, customer in zip(serials, ["acme", "globex", None]):
        cert = client.get(f"{URL}/{serial}", headers=admin).get_json()
        doc = cert["document"]
        rows = trip_rows(app, customer)
        credited = [lca.TripInput(p, round(t.outbound_km + t.transfer_km, 3), round(t.return_km, 3)) for t, p in rows if p]
        expected = lca.aggregate_trips(credited, options=options)
        assert doc["totals"]["trip_count"] == expected.trip_count == len(credited) == cert["trip_count"]
        for key in ("avoided_kg_co2e", "low_kg_co2e", "high_kg_co2e", "reusable_kg_co2e", "baseline_kg_co2e"):
            assert doc["totals"][key] == pytest.approx(getattr(expected, key), rel=1e-9, abs=1e-9), key
        assert cert["avoided_kg_co2e"] == pytest.approx(expected.avoided_kg_co2e, rel=1e-9)
        assert expected.avoided_kg_co2e > 0
        assert doc["assumptions"][PROFILE]["loss_rate_source"] == "observed"
        assert doc["assumptions"][PROFILE]["loss_rate"] == pytest.approx(options[PROFILE].loss_rate)
        assert doc["factor_set"]["version"] == cert["factor_set"] == lca.DEFAULT_FACTOR_SET_VERSION
        # the inputs hash is the canonical JSON of every trip's inputs, sorted by trip id
        inputs = [{"trip": t.id, "customer": t.customer_id, "asset_type": t.asset_type_id, "profile": p,
                   "closed_at": t.closed_at.isoformat(), "outbound_km": round(t.outbound_km + t.transfer_km, 3),
                   "return_km": round(t.return_km, 3)} for t, p in rows]
        canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        assert doc["inputs"]["sha256"] == cert["inputs_sha256"] == hashlib.sha256(canonical).hexdigest()
        assert doc["inputs"]["trips"] == inputs
    acme = client.get(f"{URL}/{full(client, admin, 'CO2-2026-09-ACME-R1')}", headers=admin).get_json()["document"]
    by_type = {r["asset_type"]: r for r in acme["by_asset_type"]}
    assert by_type["ibc"]["credited"] and by_type["ibc"]["trip_count"] == 5
    assert by_type["crate"] == {**by_type["crate"], "credited": False, "trip_count": 2, "lca_profile": None}
    assert "no LCA profile" in by_type["crate"]["reason"]
    assert acme["totals"]["not_credited_trip_count"] == 2
    # the transferred IBC is credited to globex, its last holder
    globex = client.get(f"{URL}/{full(client, admin, 'CO2-2026-09-GLOBEX-R1')}", headers=admin).get_json()["document"]
    assert globex["totals"]["trip_count"] == 3
    operator = client.get(f"{URL}/{full(client, admin, 'CO2-2026-09-OPERATOR-R1')}", headers=admin).get_json()
    assert operator["scope"] == "operator" and operator["customer"] is None
    assert operator["trip_count"] == 8
    assert operator["avoided_kg_co2e"] == pytest.approx(acme["totals"]["avoided_kg_co2e"] + globex["totals"]["avoided_kg_co2e"])


def test_profile_default_loss_rate_without_observed_data(app, client, admin, world):
    from app.catalog import services as catalog

    with app.app_context():
        catalog.update("asset_type", "ibc", {"lca_profile": PROFILE})
    r = client.post("/api/v1/scans", json={"scans": full_trip(world["codes"][0], T0)}, headers=admin)
    assert r.status_code == 200
    doc = client.get(f"{URL}/{issue(client, admin, customer='acme')['serials'][0]}", headers=admin).get_json()["document"]
    # one completed trip, none lost: observed 0 %
    assert doc["assumptions"][PROFILE]["loss_rate"] == 0.0
    assert doc["assumptions"][PROFILE]["loss_rate_source"] == "observed"
    # a profile with no trip at all falls back to the profile default
    with app.app_context():
        from app.certificates.figures import loss_options
        from app.certificates.data import MonthInputs, parse_month

        _, notes = loss_options(MonthInputs(parse_month(MONTH), {}, {}, {}), lca.default_profiles())
    assert notes[PROFILE]["loss_rate_source"] == "profile_default"
    assert notes[PROFILE]["loss_rate"] == lca.default_profiles()[PROFILE].default_loss_rate


def test_reissue_creates_revision_and_supersedes(app, client, admin, month_data):
    [first] = issue(client, admin, customer="acme")["serials"]
    assert readable(first) == "CO2-2026-09-ACME-R1"
    [second] = issue(client, admin, customer="acme")["serials"]
    assert readable(second) == "CO2-2026-09-ACME-R2"
    old = client.get(f"{URL}/{full(client, admin, 'CO2-2026-09-ACME-R1')}", headers=admin).get_json()
    new = client.get(f"{URL}/{full(client, admin, 'CO2-2026-09-ACME-R2')}", headers=admin).get_json()
    assert (old["status"], old["superseded_by"], old["revision"]) == ("superseded", second, 1)
    assert (new["status"], new["superseded_by"], new["revision"]) == ("valid", None, 2)
    assert new["document"]["supersedes"] == first
    # the old revision's signed document is untouched
    assert old["document"]["revision"] == 1 and old["document"]["supersedes"] is None
    listed = client.get(URL, query_string={"customer": "acme", "month": MONTH}, headers=admin).get_json()["items"]
    assert [(c["serial"], c["status"]) for c in listed] == [(second, "valid"), (first, "superseded")]
    valid = client.get(URL, query_string={"status": "valid"}, headers=admin).get_json()["items"]
    assert [c["serial"] for c in valid] == [second]
    # the whole-month run supersedes acme's R2 and adds R1 for the others
    third = issue(client, admin)["serials"]
    assert [readable(s) for s in third] == ["CO2-2026-09-ACME-R3", "CO2-2026-09-GLOBEX-R1", "CO2-2026-09-OPERATOR-R1"]
    # public verify page of the superseded revision says so and links to the current one
    page = client.get(f"/verify/{first}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "SUPERSEDED" in html and f'href="/verify/{second}"' in html
    html = client.get(f"/verify/{third[0]}").get_data(as_text=True)
    assert "VALID" in html and "SUPERSEDED" not in html and "signature verified" in html
    assert client.get("/verify/CO2-2099-01-NOPE-R1").status_code == 404


def test_same_inputs_give_same_numbers_and_hash(app, client, admin, world, month_data):
    issue(client, admin)
    issue(client, admin)
    a = client.get(f"{URL}/{full(client, admin, 'CO2-2026-09-OPERATOR-R1')}", headers=admin).get_json()
    b = client.get(f"{URL}/{full(client, admin, 'CO2-2026-09-OPERATOR-R2')}", headers=admin).get_json()
    for key in ("totals", "by_asset_type", "assumptions", "inputs", "factor_set", "profile_set", "method"):
        assert a["document"][key] == b["document"][key], key
    assert (a["inputs_sha256"], a["avoided_kg_co2e"], a["low_kg_co2e"], a["high_kg_co2e"]) == \
           (b["inputs_sha256"], b["avoided_kg_co2e"], b["low_kg_co2e"], b["high_kg_co2e"])
    # one more September trip changes the hash and the figures
    r = client.post("/api/v1/scans", json={"scans": full_trip(world["codes"][10], T0 + timedelta(days=15))}, headers=admin)
    assert r.status_code == 200
    issue(client, admin)
    c = client.get(f"{URL}/{full(client, admin, 'CO2-2026-09-OPERATOR-R3')}", headers=admin).get_json()
    assert c["inputs_sha256"] != a["inputs_sha256"]
    assert c["trip_count"] == a["trip_count"] + 1 and c["avoided_kg_co2e"] > a["avoided_kg_co2e"]


def test_signature_verifies_and_any_changed_byte_fails(app, client, admin, month_data):
    serial = issue(client, admin, customer="acme")["serials"][0]
    raw = client.get(f"{URL}/{serial}.json", headers=admin).get_data()
    signed = json.loads(raw)
    assert set(signed) == {"document", "signature", "algorithm", "key_id"}
    r = client.post(f"{URL}/verify", data=raw, content_type="application/json")  # no auth needed
    assert r.status_code == 200 and r.get_json()["valid"] is True, r.get_json()
    assert r.get_json()["status"] == "valid" and r.get_json()["serial"] == serial

    # independent check with the published key: Ed25519 over the RFC 8785 canonical document
    key = client.get(f"{URL}/public-key").get_json()
    public = serialization.load_pem_public_key(key["public_key_pem"].encode())
    raw_pub = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert key["key_id"] == hashlib.sha256(raw_pub).hexdigest() == signed["key_id"]
    canonical = rfc8785.dumps(signed["document"])
    assert canonical in raw  # the served document member is the signed bytes themselves
    public.verify(base64.b64decode(signed["signature"]), canonical)

    # a changed figure, through the endpoint
    text = raw.decode()
    avoided = json.dumps(signed["document"]["totals"]["avoided_kg_co2e"])
    forged = text.replace(f'"avoided_kg_co2e":{avoided}', f'"avoided_kg_co2e":{avoided[:-1]}{(int(avoided[-1]) + 1) % 10}', 1)
    assert forged != text
    r = client.post(f"{URL}/verify", data=forged, content_type="application/json")
    assert r.get_json()["valid"] is False and "signature" in r.get_json()["reason"]
    # every single-byte change anywhere in the document fails
    from app.certificates import verification

    start = raw.index(b'"document":') + len(b'"document":')
    end = raw.index(b',"key_id":')
    with app.app_context():
        for i in range(start, end):
            tampered = bytearray(raw)
            tampered[i] ^= 0x01
            try:
                body = json.loads(bytes(tampered))
            except ValueError:
                continue  # not JSON any more: the endpoint answers valid=false too
            assert verification.verify(body)["valid"] is False, (i, raw[i - 20:i + 20])
    # a broken body, a changed signature, a foreign key id
    assert client.post(f"{URL}/verify", data=raw[:-2], content_type="application/json").get_json()["valid"] is False
    sig = bytearray(base64.b64decode(signed["signature"]))
    sig[0] ^= 1
    bad = {**signed, "signature": base64.b64encode(bytes(sig)).decode()}
    assert client.post(f"{URL}/verify", json=bad).get_json()["valid"] is False
    other = {**signed, "key_id": "0" * 64}
    assert "key_id" in client.post(f"{URL}/verify", json=other).get_json()["reason"]
    assert client.post(f"{URL}/verify", json={"signature": "x"}).get_json()["reason"].startswith("document")


def test_customer_sees_own_certificates_only(client, world, admin, month_data):
    issue(client, admin)
    acme, globex = auth(world["tokens"]["acme"]), auth(world["tokens"]["globex"])
    acme_r1, operator_r1 = full(client, admin, "CO2-2026-09-ACME-R1"), full(client, admin, "CO2-2026-09-OPERATOR-R1")
    assert [c["serial"] for c in client.get(URL, headers=acme).get_json()["items"]] == [acme_r1]
    assert client.get(URL, query_string={"customer": "acme"}, headers=globex).status_code == 404
    assert client.get(URL, query_string={"customer": "operator"}, headers=globex).status_code == 404
    for suffix in ("", ".json", ".pdf"):
        assert client.get(f"{URL}/{acme_r1}{suffix}", headers=acme).status_code == 200
        for serial in (acme_r1, operator_r1):
            r = client.get(f"{URL}/{serial}{suffix}", headers=globex)
            assert r.status_code == 404, (serial, suffix)
            assert list(r.get_json()["errors"]) == ["serial"]
    assert client.post(URL, json={"month": MONTH}, headers=globex).status_code == 403
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=auth(world["tokens"]["depot"])).status_code == 403


@pytest.mark.parametrize("body, status, field", [
    ({"month": "2026-13"}, 422, "month"),
    ({"month": "2026/09"}, 422, "month"),
    ({"month": "26-09"}, 422, "month"),
    ({"month": "2099-01"}, 422, "month"),
    ({"month": datetime.now(timezone.utc).strftime("%Y-%m")}, 422, "month"),
    ({"month": MONTH, "customer": "nobody"}, 404, "customer"),
    ({"month": MONTH, "customer": "bad id!"}, 422, "customer"),
    ({}, 422, "month"),
    ({"month": MONTH, "extra": 1}, 422, "extra"),
])
def test_bad_issue_requests_name_the_field(client, admin, body, status, field):
    r = client.post(URL, json=body, headers=admin)
    assert r.status_code == status, r.get_json()
    errors = r.get_json()["errors"]
    assert field in errors or field in errors.get("json", {}), errors


def test_bad_queries_name_the_field(client, admin):
    r = client.get(URL, query_string={"month": "September"}, headers=admin)
    assert r.status_code == 422 and "month" in r.get_json()["errors"]["query"]
    assert client.get(f"{URL}/CO2-NOPE", headers=admin).status_code == 404


def test_issue_for_customer_without_trips_gives_zero(client, admin, world):
    doc = client.get(f"{URL}/{issue(client, admin, customer='globex')['serials'][0]}", headers=admin).get_json()["document"]
    assert doc["totals"]["trip_count"] == 0 and doc["totals"]["avoided_kg_co2e"] == 0.0
    assert doc["inputs"]["sha256"] == hashlib.sha256(b"[]").hexdigest() and doc["inputs"]["trips"] == []
