"""Collect scans at a site settle its return requests, oldest first, by asset type."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.conftest import auth, give_holdings, scan

URL = "/api/v1/return-requests"


def status(client, headers, request_id) -> str:
    return client.get(f"{URL}/{request_id}", headers=headers).get_json()["status"]


def test_collect_scans_settle_requests_in_order(client, world):
    codes, admin, acme = world["codes"], auth(world["tokens"]["admin"]), auth(world["tokens"]["acme"])
    driver = auth(world["tokens"]["driver"])
    now = datetime.now(timezone.utc).replace(microsecond=0)
    # five IBCs at acme, delivered before the requests are made
    out = []
    for i, code in enumerate(codes[:5]):
        out += [scan(code, "issue", "depot-a", now - timedelta(days=3, minutes=i), "acme"),
                scan(code, "deliver", "acme-site", now - timedelta(days=2, minutes=i))]
    assert client.post("/api/v1/scans", json={"scans": out}, headers=admin).status_code == 200
    first = client.post(URL, json={"site": "acme-site", "counts": {"ibc": 2}}, headers=acme).get_json()["id"]
    second = client.post(URL, json={"site": "acme-site", "counts": {"ibc": 3}}, headers=acme).get_json()["id"]
    later = datetime.now(timezone.utc) + timedelta(seconds=1)

    def collect(code_list, offset_s):
        batch = [scan(c, "collect", "acme-site", later + timedelta(seconds=offset_s + i)) for i, c in enumerate(code_list)]
        r = client.post("/api/v1/scans", json={"scans": batch}, headers=driver)
        assert r.status_code == 200 and r.get_json()["summary"] == {"applied": len(code_list)}

    collect(codes[:1], 0)  # one of two: nothing settled yet
    assert (status(client, acme, first), status(client, acme, second)) == ("open", "open")
    collect(codes[1:3], 10)  # three collected: the first (2) is covered, one left for the second
    assert (status(client, acme, first), status(client, acme, second)) == ("collected", "open")
    collect(codes[3:5], 20)  # five in all: 2 + 3 covers both
    assert (status(client, acme, first), status(client, acme, second)) == ("collected", "collected")
    assert client.get(f"{URL}/{first}", headers=acme).get_json()["reason"].startswith("collect scans")


def test_collects_elsewhere_or_of_another_type_do_not_settle(app, client, world):
    codes, admin, acme = world["codes"], auth(world["tokens"]["admin"]), auth(world["tokens"]["acme"])
    give_holdings(app, {("acme", "acme-site", "ibc"): 1})
    now = datetime.now(timezone.utc).replace(microsecond=0)
    req = client.post(URL, json={"site": "acme-site", "counts": {"ibc": 1}}, headers=acme).get_json()["id"]
    later = datetime.now(timezone.utc) + timedelta(seconds=1)
    batch = [scan(codes[0], "issue", "depot-a", now - timedelta(days=1), "globex"),
             scan(codes[0], "deliver", "globex-site", now - timedelta(hours=20)),
             scan(codes[0], "collect", "globex-site", later)]
    assert client.post("/api/v1/scans", json={"scans": batch}, headers=admin).status_code == 200
    assert status(client, acme, req) == "open"
