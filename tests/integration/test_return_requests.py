"""Return requests: customers create and follow their own; admins see and act on all."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import auth, give_holdings

URL = "/api/v1/return-requests"
START = datetime(2031, 3, 4, 8, 0, tzinfo=timezone(timedelta(hours=1)))  # a Tuesday, 08:00 in Berlin
WINDOW = {"start": START.isoformat(), "end": (START + timedelta(hours=4)).isoformat()}


@pytest.fixture
def tokens(app, world):
    give_holdings(app, {("acme", "", "ibc"): 1000, ("globex", "", "ibc"): 1000})  # enough for any request here
    return {k: auth(v) for k, v in world["tokens"].items()}


def errors(response) -> dict:
    """The fields an error names: schema errors come under their location ("json", "query")."""
    found = dict(response.get_json().get("errors") or {})
    for location in ("json", "query"):
        found.update(found.pop(location, {}))
    return found


def create(client, headers, **body):
    body = {"site": "acme-site", "counts": {"ibc": 4}, "window": WINDOW, **body}
    return client.post(URL, json=body, headers=headers)


def test_customer_creates_and_follows_its_request(client, tokens):
    r = create(client, tokens["acme"], note="dock 3, ask for Jana")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "open" and body["customer"] == "acme" and body["site"] == "acme-site"
    assert body["counts"] == {"ibc": 4} and body["load_units"] == 4.0 and body["note"] == "dock 3, ask for Jana"
    assert datetime.fromisoformat(body["window"]["start"]) == START
    assert body["planned"] is None and body["plan_id"] is None and body["reason"] is None

    one = client.get(f"{URL}/{body['id']}", headers=tokens["acme"])
    assert one.status_code == 200 and one.get_json() == body
    listed = client.get(URL, headers=tokens["acme"]).get_json()
    assert [i["id"] for i in listed["items"]] == [body["id"]] and listed["total"] == 1
    assert client.get(f"{URL}?status=open", headers=tokens["acme"]).get_json()["total"] == 1
    assert client.get(f"{URL}?status=planned", headers=tokens["acme"]).get_json()["total"] == 0


def test_window_is_optional(client, tokens):
    r = client.post(URL, json={"site": "acme-site", "counts": {"ibc": 2}}, headers=tokens["acme"])
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["window"] is None


def test_customers_only_see_their_own(client, tokens):
    mine = create(client, tokens["acme"]).get_json()["id"]
    theirs = create(client, tokens["globex"], site="globex-site").get_json()["id"]
    assert client.get(f"{URL}/{theirs}", headers=tokens["acme"]).status_code == 404
    assert client.post(f"{URL}/{theirs}/cancel", headers=tokens["acme"]).status_code == 404
    assert [i["id"] for i in client.get(URL, headers=tokens["acme"]).get_json()["items"]] == [mine]
    r = client.get(f"{URL}?customer=globex", headers=tokens["acme"])
    assert r.status_code == 404 and "customer" in errors(r)
    # a customer may not use another customer's site, nor claim to be another customer
    r = create(client, tokens["acme"], site="globex-site")
    assert r.status_code == 404 and "site" in errors(r)
    r = create(client, tokens["acme"], customer="globex")
    assert r.status_code == 404 and "customer" in errors(r)
    # staff see everything
    admin = client.get(URL, headers=tokens["admin"]).get_json()
    assert {i["id"] for i in admin["items"]} == {mine, theirs}
    assert client.get(f"{URL}?customer=globex", headers=tokens["depot"]).get_json()["items"][0]["id"] == theirs
    assert client.get(f"{URL}/{theirs}", headers=tokens["driver"]).status_code == 200


def test_admin_creates_on_behalf_of_a_customer(client, tokens):
    r = create(client, tokens["admin"], site="globex-site", customer="globex")
    assert r.status_code == 201 and r.get_json()["customer"] == "globex"
    r = create(client, tokens["admin"], site="globex-site")  # the site says whose it is
    assert r.status_code == 201 and r.get_json()["customer"] == "globex"
    r = create(client, tokens["admin"], site="globex-site", customer="acme")
    assert r.status_code == 422 and "site" in errors(r)
    r = create(client, tokens["admin"], site="depot-a")
    assert r.status_code == 404 and "site" in errors(r)
    r = create(client, tokens["admin"], site="nowhere")
    assert r.status_code == 404 and "site" in errors(r)
    r = create(client, tokens["admin"], customer="nobody")
    assert r.status_code == 404 and "customer" in errors(r)
    assert create(client, tokens["depot"]).status_code == 403


@pytest.mark.parametrize("body, field, status", [
    ({"window": {"start": WINDOW["end"], "end": WINDOW["start"]}}, "window", 422),
    ({"window": {"start": WINDOW["start"], "end": WINDOW["start"]}}, "window", 422),
    ({"window": {"start": "2031-03-04T08:00:00", "end": WINDOW["end"]}}, "window", 422),
    ({"window": {"start": "2020-03-04T08:00:00+01:00", "end": "2020-03-04T09:00:00+01:00"}}, "window", 422),
    ({"counts": {}}, "counts", 422),
    ({"counts": {"ibc": 0}}, "counts", 422),
    ({"counts": {"ibc": "many"}}, "counts", 422),
    ({"counts": {"barrel": 3}}, "counts.barrel", 404),
    ({"site": None}, "site", 422),
    ({"colour": "red"}, "colour", 422),
])
def test_bad_input_names_the_field(client, tokens, body, field, status):
    r = create(client, tokens["acme"], **body)
    assert r.status_code == status, r.get_json()
    assert field in errors(r), r.get_json()


def test_cancel_while_open_only(client, tokens):
    rid = create(client, tokens["acme"]).get_json()["id"]
    r = client.post(f"{URL}/{rid}/cancel", headers=tokens["acme"])
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    r = client.post(f"{URL}/{rid}/cancel", headers=tokens["acme"])
    assert r.status_code == 409 and "status" in errors(r)
    assert client.get(f"{URL}?status=cancelled", headers=tokens["acme"]).get_json()["total"] == 1
    assert client.post(f"{URL}/999999/cancel", headers=tokens["acme"]).status_code == 404


def test_marked_collected_by_staff(client, tokens):
    rid = create(client, tokens["acme"]).get_json()["id"]
    assert client.post(f"{URL}/{rid}/collected", json={}, headers=tokens["acme"]).status_code == 403
    r = client.post(f"{URL}/{rid}/collected", json={"note": "12 IBCs on the truck"}, headers=tokens["driver"])
    assert r.status_code == 200 and r.get_json()["status"] == "collected"
    assert client.get(f"{URL}/{rid}", headers=tokens["acme"]).get_json()["status"] == "collected"
    assert client.post(f"{URL}/{rid}/collected", json={}, headers=tokens["admin"]).status_code == 409
    assert client.post(f"{URL}/{rid}/cancel", headers=tokens["acme"]).status_code == 409


def test_list_validates_its_query(client, tokens):
    assert client.get(f"{URL}?status=lost", headers=tokens["admin"]).status_code == 422
    assert client.get(f"{URL}?limit=0", headers=tokens["admin"]).status_code == 422
    assert client.get(URL).status_code == 401


def test_demo_requests_are_seeded_once(app):
    from app.catalog import services as catalog
    from app.pickups import services as return_requests

    with app.app_context():
        catalog.create("customer", {"id": "rheinchem", "name": "RheinChem"})
        catalog.create("site", {"id": "rheinchem-leverkusen", "name": "Leverkusen", "kind": "customer",
                                "customer_id": "rheinchem", "lat": 51.03, "lon": 6.98})
        catalog.create("asset_type", {"id": "ibc-1000", "name": "IBC", "company_prefix": "4012345",
                                      "grai_asset_type": "10001", "tare_mass_kg": 72.0})
        assert return_requests.seed_demo() == 1
        assert return_requests.seed_demo() == 0
