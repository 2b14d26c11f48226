"""Certificates signed over RFC 8785 (JCS) bytes: checked by an independent verifier in Node
(npm `canonicalize` and `@noble/ed25519`), the exact signed bytes served, and certificates
signed before (Python's json.dumps form) still verifying."""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives import serialization

from tests.integration.test_certificates import (  # noqa: F401 (fixtures)
    URL,
    admin,
    issue,
    key_file,
    month_data,
    signing_key,
)

VERIFIER = Path(__file__).with_name("verify_certificate.mjs")
NODE = shutil.which("node")


def fetch(client, headers, serial, tmp_path: Path) -> dict:
    """The certificate, the public key and the signed payload, over HTTP, written to files."""
    cert = client.get(f"{URL}/{serial}.json", headers=headers)
    key = client.get(f"{URL}/public-key")
    payload = client.get(f"{URL}/{serial}/signed-payload", headers=headers)
    assert cert.status_code == key.status_code == payload.status_code == 200
    files = {"cert": tmp_path / f"{serial}.json", "key": tmp_path / "public-key.json", "payload": tmp_path / "payload"}
    files["cert"].write_bytes(cert.get_data())
    files["key"].write_bytes(key.get_data())
    files["payload"].write_bytes(payload.get_data())
    return {"files": files, "cert": cert.get_data(), "key": key.get_json(), "payload": payload}


def node_verify(files: dict, cert_file: Path | None = None) -> tuple[int, dict]:
    r = subprocess.run([NODE, str(VERIFIER), str(cert_file or files["cert"]), str(files["key"]), str(files["payload"])],
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip(), r.stderr  # a missing npm package ends here: run `npm ci`
    return r.returncode, json.loads(r.stdout)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_node_verifies_a_new_certificate_and_rejects_a_changed_one(client, admin, month_data, tmp_path):  # noqa: F811
    serial = issue(client, admin, customer="acme")["serials"][0]
    got = fetch(client, admin, serial, tmp_path)
    code, checks = node_verify(got["files"])
    assert code == 0 and checks == {
        "spki_is_ed25519": True, "key_id_matches": True, "declares_rfc8785": True, "served_bytes_are_canonical": True,
        "signature_valid": True, "payload_equals_canonical_document": True, "payload_signature_valid": True}, checks

    # one digit of the headline figure changed: the independent verifier says no
    signed = json.loads(got["cert"])
    signed["document"]["totals"]["avoided_kg_co2e"] += 1
    forged = tmp_path / "forged.json"
    forged.write_bytes(rfc8785.dumps(signed))
    code, checks = node_verify(got["files"], forged)
    assert code == 1 and checks["signature_valid"] is False and checks["payload_equals_canonical_document"] is False


def test_signed_payload_is_the_rfc8785_document_byte_for_byte(app, client, admin, month_data, tmp_path):  # noqa: F811
    serial = issue(client, admin, customer="acme")["serials"][0]
    got = fetch(client, admin, serial, tmp_path)
    payload, headers = got["payload"].get_data(), got["payload"].headers
    signed = json.loads(got["cert"])
    assert payload == rfc8785.dumps(signed["document"]) == rfc8785.dumps(json.loads(payload))
    assert got["cert"] == rfc8785.dumps(signed)  # the .json is canonical too, its document member the payload
    assert payload in got["cert"]
    assert headers["X-Signature"] == signed["signature"] and headers["X-Signature-Key-Id"] == got["key"]["key_id"]
    assert headers["X-Signature-Algorithm"] == "Ed25519" and headers["X-Canonicalization"] == "RFC8785"
    assert headers["Content-Type"].startswith("application/json")
    public = serialization.load_pem_public_key(got["key"]["public_key_pem"].encode())
    public.verify(base64.b64decode(headers["X-Signature"]), payload)

    # the stored document is what a reader parses: no whole-number float a JCS writer would print as an integer
    from app.certificates.models import Certificate
    from app.platform.db import get_session

    with app.app_context():
        stored = get_session().query(Certificate).filter_by(serial=serial).one().document
    assert stored == json.loads(payload)
    floats = []

    def walk(value):
        if isinstance(value, dict):
            [walk(v) for v in value.values()]
        elif isinstance(value, list):
            [walk(v) for v in value]
        elif isinstance(value, float):
            floats.append(value)
    walk(stored)
    assert floats and not [f for f in floats if f.is_integer()]
    # the served document parses to the same values Python holds
    assert json.loads(payload) == signed["document"]

    # a reader may not drop the declaration to fall back on the older form
    downgraded = json.loads(payload)
    del downgraded["signature"]["canonicalization"]
    r = client.post(f"{URL}/verify", json={**signed, "document": downgraded})
    assert r.get_json()["valid"] is False and "signature" in r.get_json()["reason"]


def legacy_certificate(app, serial: str) -> str:
    """A certificate as issued before RFC 8785: no canonicalisation field, signed over Python's
    json.dumps form (with a whole-number float, which that form writes `60.0`). Returns its serial."""
    from app.certificates import signing
    from app.certificates.models import Certificate
    from app.platform.db import get_session, unit_of_work

    old_serial = "CO2-2026-09-ACME-R9"  # the readable form of the serials of that time
    with app.app_context():
        new = get_session().query(Certificate).filter_by(serial=serial).one()
        document = json.loads(json.dumps(new.document))
        document["serial"], document["revision"] = old_serial, 9
        document["signature"] = {"algorithm": "Ed25519", "key_id": new.key_id}
        document["totals"]["avoided_kg_co2e"] = 60.0
        legacy_bytes = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        key = signing.current_key()
        with unit_of_work() as session:
            session.add(Certificate(
                serial=old_serial, scope="acme", customer_id="acme", month=new.month, revision=9, status="valid",
                issued_at=new.issued_at, factor_set=new.factor_set, inputs_sha256=new.inputs_sha256,
                trip_count=new.trip_count, avoided_kg_co2e=60.0, low_kg_co2e=new.low_kg_co2e,
                high_kg_co2e=new.high_kg_co2e, document=document, key_id=key.key_id,
                signature=base64.b64encode(key.private_key.sign(legacy_bytes)).decode()))
    return old_serial


def test_certificates_signed_before_rfc8785_still_verify(app, client, admin, month_data, tmp_path):  # noqa: F811
    serial = issue(client, admin, customer="acme")["serials"][0]
    old = legacy_certificate(app, serial)
    got = fetch(client, admin, old, tmp_path)
    assert b'"avoided_kg_co2e":60.0' in got["cert"]  # served in the form it was signed in, unchanged
    r = client.post(f"{URL}/verify", data=got["cert"], content_type="application/json")
    assert r.get_json()["valid"] is True and r.get_json()["serial"] == old, r.get_json()
    view = client.get(f"{URL}/{old}/verification").get_json()
    assert view["signature_valid"] is True and view["status"] == "valid"
    payload = got["payload"]
    assert payload.headers["X-Canonicalization"] == "legacy-json-dumps"
    assert b'"avoided_kg_co2e":60.0' in payload.get_data()
    public = serialization.load_pem_public_key(got["key"]["public_key_pem"].encode())
    public.verify(base64.b64decode(payload.headers["X-Signature"]), payload.get_data())
    # JCS writes the float as 60: the old bytes are not RFC 8785, which is why new certificates changed form
    assert rfc8785.dumps(json.loads(payload.get_data())) != payload.get_data()
    # and a changed figure in an old certificate is still caught
    forged = got["cert"].replace(b'"avoided_kg_co2e":60.0', b'"avoided_kg_co2e":61.0', 1)
    r = client.post(f"{URL}/verify", data=forged, content_type="application/json")
    assert r.get_json()["valid"] is False


def test_verifier_script_exists_and_names_its_packages():
    text = VERIFIER.read_text()
    assert 'load("canonicalize")' in text and 'load("@noble/ed25519")' in text
    package = json.loads((Path(__file__).parents[2] / "package.json").read_text())
    assert package["devDependencies"]["canonicalize"] == "5.1.0"
    assert package["devDependencies"]["@noble/ed25519"] == "3.2.0"
