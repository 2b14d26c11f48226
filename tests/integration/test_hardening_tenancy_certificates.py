"""Public certificate verification shows validity to anyone, figures only when the holder publishes them."""
from __future__ import annotations

import re

import pytest

from tests.conftest import auth
from tests.integration.test_certificates import (MONTH, URL, admin, issue, key_file, month_data,  # noqa: F401
                                                 signing_key)

SERIAL = re.compile(r"^CO2-2026-09-ACME-R1-([A-Z2-7]{4})-([A-Z2-7]{4})-([A-Z2-7]{4})-([A-Z2-7]{4})$")


def acme_serial(client, admin) -> str:  # noqa: F811
    return issue(client, admin, customer="acme")["serials"][0]


def publish(client, world, value: bool, who: str = "acme"):
    return client.patch("/api/v1/customers/acme/settings", json={"publish_certificate_figures": value},
                        headers=auth(world["tokens"][who]))


def test_new_serials_carry_80_unguessable_bits(client, admin, month_data):  # noqa: F811
    serials = [acme_serial(client, admin) for _ in range(3)]  # R1, then R2, R3 of the same month
    match = SERIAL.match(serials[0])
    assert match, serials[0]
    tails = {s.rsplit("-", 4)[0]: "".join(s.split("-")[-4:]) for s in serials}
    assert len(set(tails.values())) == 3 and all(len(t) == 16 for t in tails.values())  # 16 base32 chars = 80 bits
    # the readable part alone finds nothing any more
    assert client.get("/verify/CO2-2026-09-ACME-R1").status_code == 404
    r = client.get(f"{URL}/CO2-2026-09-ACME-R1/verification")
    assert r.status_code == 404 and r.get_json()["verification"]["status"] == "unknown"
    assert r.get_json()["errors"] == {"serial": [r.get_json()["message"]]}
    # typed from paper in lower case: still found
    assert client.get(f"/verify/{serials[0].lower()}").status_code == 200


def test_private_by_default_validity_only(client, world, admin, month_data):  # noqa: F811
    serial = acme_serial(client, admin)
    r = client.get(f"{URL}/{serial}/verification")  # no login
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "valid" and body["signature_valid"] is True and body["month"] == MONTH
    assert body["issuer"] == "Demo Pool Operator" and body["figures_published"] is False and body["figures"] is None
    text = r.get_data(as_text=True).lower()
    assert "kg_co2e" not in text and "trip_count" not in text
    html = client.get(f"/verify/{serial}").get_data(as_text=True)
    assert "VALID" in html and "has not published its figures" in html
    assert "Acme" not in html and "kg CO" not in html and "completed trips" not in html
    cert = client.get(f"{URL}/{serial}", headers=admin).get_json()
    assert f"{cert['avoided_kg_co2e']:,.1f}" not in html


def test_customer_publishes_through_the_api_and_can_withdraw(client, world, admin, month_data):  # noqa: F811
    serial = acme_serial(client, admin)
    assert client.get("/api/v1/customers/acme/settings", headers=auth(world["tokens"]["acme"])).get_json() == \
        {"customer": "acme", "publish_certificate_figures": False}
    r = publish(client, world, True)
    assert r.status_code == 200 and r.get_json()["publish_certificate_figures"] is True
    body = client.get(f"{URL}/{serial}/verification").get_json()
    cert = client.get(f"{URL}/{serial}", headers=admin).get_json()
    assert body["figures_published"] is True
    assert body["figures"]["customer"] == {"id": "acme", "name": "Acme"}
    assert body["figures"]["avoided_kg_co2e"] == cert["avoided_kg_co2e"]
    assert body["figures"]["trip_count"] == cert["trip_count"] == 5
    html = client.get(f"/verify/{serial}").get_data(as_text=True)
    assert "Acme" in html and f"{cert['avoided_kg_co2e']:,.1f}" in html
    assert publish(client, world, False).status_code == 200
    assert client.get(f"{URL}/{serial}/verification").get_json()["figures"] is None
    # the customer list shows the choice; an admin may set it on the customer's behalf
    assert publish(client, world, True, "admin").status_code == 200
    assert client.get("/api/v1/customers/acme", headers=admin).get_json()["publish_certificate_figures"] is True
    # nobody else may change it, and bad input names the field
    assert publish(client, world, False, "globex").status_code == 404
    assert publish(client, world, False, "depot").status_code == 403
    r = client.patch("/api/v1/customers/acme/settings", json={"publish_certificate_figures": "perhaps"},
                     headers=auth(world["tokens"]["acme"]))
    assert r.status_code == 422 and "publish_certificate_figures" in str(r.get_json()["errors"])
    r = client.patch("/api/v1/customers/acme/settings", json={}, headers=auth(world["tokens"]["acme"]))
    assert r.status_code == 422
    # the setting cannot be slipped in through the admin's customer update
    r = client.patch("/api/v1/customers/acme", json={"publish_certificate_figures": False}, headers=admin)
    assert r.status_code == 422


def test_operator_summary_publishes_no_figures(client, admin, month_data):  # noqa: F811
    serials = issue(client, admin)["serials"]
    operator = next(s for s in serials if "-OPERATOR-" in s)
    body = client.get(f"{URL}/{operator}/verification").get_json()
    assert body["status"] == "valid" and body["figures"] is None


def test_superseded_and_revoked_are_reported_to_anyone(client, world, admin, month_data):  # noqa: F811
    first = acme_serial(client, admin)
    second = acme_serial(client, admin)
    old = client.get(f"{URL}/{first}/verification").get_json()
    assert old["status"] == "superseded" and old["superseded_by"] == second
    assert f'href="/verify/{second}"' in client.get(f"/verify/{first}").get_data(as_text=True)
    r = client.post(f"{URL}/{second}/revoke", json={"reason": "issued from incomplete scans"}, headers=admin)
    assert r.status_code == 200 and r.get_json()["status"] == "revoked" and r.get_json()["revoked_at"]
    assert client.post(f"{URL}/{second}/revoke", json={"reason": "again"}, headers=admin).status_code == 409
    assert client.post(f"{URL}/{second}/revoke", json={"reason": "x"},
                       headers=auth(world["tokens"]["acme"])).status_code == 403
    body = client.get(f"{URL}/{second}/verification").get_json()
    assert body["status"] == "revoked" and body["signature_valid"] is True
    html = client.get(f"/verify/{second}").get_data(as_text=True)
    assert "REVOKED" in html and "VALID</span>" not in html
    # the signed document still verifies, and the check says it was revoked
    raw = client.get(f"{URL}/{second}.json", headers=admin).get_data()
    check = client.post(f"{URL}/verify", data=raw, content_type="application/json").get_json()
    assert check["valid"] is True and check["status"] == "revoked" and "revoked" in check["reason"]
    # re-issuing the month after a revocation counts on: R3, superseding nothing revoked
    third = acme_serial(client, admin)
    assert third.startswith("CO2-2026-09-ACME-R3-")
    doc = client.get(f"{URL}/{third}", headers=admin).get_json()["document"]
    assert doc["supersedes"] is None and doc["revision"] == 3
    listed = client.get(URL, query_string={"status": "revoked"}, headers=admin).get_json()["items"]
    assert [c["serial"] for c in listed] == [second]


def test_certificates_issued_before_keep_their_serial_and_verify(app, client, admin, month_data, monkeypatch):  # noqa: F811
    """A certificate issued with the old readable serial: its signed document is untouched
    and it stays verifiable by serial and by document."""
    from app.certificates import issuing

    monkeypatch.setattr(issuing, "_serial_namer", lambda session, month, scopes:
                        lambda scope, revision: f"CO2-{month.text}-{issuing._slug(scope)}-R{revision}")
    [legacy] = issue(client, admin, customer="acme")["serials"]
    assert legacy == "CO2-2026-09-ACME-R1"
    monkeypatch.undo()
    body = client.get(f"{URL}/{legacy}/verification").get_json()
    assert body["status"] == "valid" and body["signature_valid"] is True and body["figures"] is None
    assert "VALID" in client.get(f"/verify/{legacy}").get_data(as_text=True)
    raw = client.get(f"{URL}/{legacy}.json", headers=admin).get_data()
    assert client.post(f"{URL}/verify", data=raw, content_type="application/json").get_json()["valid"] is True
    # re-issuing gives the new serial form, superseding the legacy one
    [new] = issue(client, admin, customer="acme")["serials"]
    assert new.startswith("CO2-2026-09-ACME-R2-") and len(new) == len("CO2-2026-09-ACME-R2-") + 19
    assert client.get(f"{URL}/{legacy}/verification").get_json()["superseded_by"] == new


@pytest.mark.parametrize("path", ["/verify/CO2-2026-09-NOPE-R1", "/verify/%3Cscript%3E"])
def test_unknown_serials_say_unknown(client, world, path):
    r = client.get(path)
    assert r.status_code == 404 and "UNKNOWN CERTIFICATE" in r.get_data(as_text=True)
    assert "<script>" not in r.get_data(as_text=True)
