"""Codes typed in full-width characters (a keyboard-wedge scanner behind a Chinese input
method in full-width mode) are the same codes: the API applies them, finds the asset,
and stores the raw text as it arrived."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import T0, auth, scan
from tests.integration.state import asset_state, rows

URL = "/api/v1/scans"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


FORMS = {
    "digital link": lambda code: f"https://id.circularity.example/8003/{code}",
    "element string": lambda code: f"(8003){code}",
    "raw scanner data": lambda code: f"]Q38003{code}\x1d10LOT7",
    "bare AI value": lambda code: code,
    "EPC URI": lambda code: f"urn:epc:id:grai:4012345.12345.{code[14:]}",
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_scan_with_a_full_width_code_is_applied(app, client, world, admin, form):
    code = world["codes"][0]
    wide = full_width(FORMS[form](code))
    assert not any("0" <= c <= "9" for c in wide)
    r = client.post(URL, json={"scans": [scan(wide, "issue", "depot-a", T0, customer="acme")]}, headers=admin)
    assert r.status_code == 200, r.get_json()
    [result] = r.get_json()["results"]
    assert result["status"] == "applied", result
    assert result["asset"]["code"] == code and result["asset"]["state"] == "issued"
    assert asset_state(app, code)[1] == "acme"
    # the log keeps what the scanner sent
    assert rows(app, "SELECT raw_code FROM scan_events") == [(wide,)]


def test_full_width_and_ascii_forms_are_the_same_asset(app, client, world, admin):
    code = world["codes"][1]
    scans = [scan(full_width(f"(8003){code}"), "issue", "depot-a", T0, customer="acme"),
             scan(f"(8003){code}", "deliver", "acme-site", T0 + timedelta(hours=1))]
    r = client.post(URL, json={"scans": scans}, headers=admin)
    assert [res["status"] for res in r.get_json()["results"]] == ["applied", "applied"]
    assert asset_state(app, code)[0] == 30  # at the customer: both scans moved the one asset
    r = client.get(f"/api/v1/assets/{full_width(code)}", headers=admin)
    assert r.status_code == 200 and r.get_json()["code"] == code


def test_a_full_width_alias_is_registered_as_the_alias_scans_find(app, client, world, admin):
    r = client.post("/api/v1/assets", json={"asset_type": "ibc", "aliases": [full_width("LEG-0042")]}, headers=admin)
    assert r.status_code == 201, r.get_json()
    assert rows(app, "SELECT alias FROM assets WHERE alias IS NOT NULL") == [("LEG-0042",)]
    for text in ("LEG-0042", full_width("LEG-0042")):
        r = client.get(f"/api/v1/assets/{text}", headers=admin)
        assert r.status_code == 200, (text, r.get_json())
    r = client.post(URL, json={"scans": [scan(full_width("LEG-0042"), "check", "depot-a", T0)]}, headers=admin)
    assert r.get_json()["results"][0]["status"] == "applied"
