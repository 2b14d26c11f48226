"""Reference data endpoints: listing and filtering sites, customers and asset types."""
from __future__ import annotations

import pytest

from tests.conftest import auth

# Read-mostly HTTP tests: each runs in one rolled-back transaction (no TRUNCATE between them).
pytestmark = pytest.mark.usefixtures("db_session")


def test_sites_filter_by_kind_and_customer(client, world):
    admin = auth(world["tokens"]["admin"])
    depots = client.get("/api/v1/sites?kind=depot", headers=admin)
    assert depots.status_code == 200
    assert sorted(s["id"] for s in depots.json) == ["depot-a", "depot-b"]
    acme = client.get("/api/v1/sites?kind=customer&customer=acme", headers=admin)
    assert [s["id"] for s in acme.json] == ["acme-site"]
    everything = client.get("/api/v1/sites", headers=admin)
    assert len(everything.json) == 4


def test_customer_user_sees_depots_and_own_sites_only(client, world):
    sites = client.get("/api/v1/sites", headers=auth(world["tokens"]["acme"]))
    assert sorted(s["id"] for s in sites.json) == ["acme-site", "depot-a", "depot-b"]


def test_bad_kind_names_the_field(client, world):
    r = client.get("/api/v1/sites?kind=warehouse", headers=auth(world["tokens"]["admin"]))
    assert r.status_code == 422
    assert "kind" in r.json["errors"]["query"]


def test_reserved_customer_id_is_refused(client, world):
    r = client.post("/api/v1/customers", json={"id": "operator", "name": "X"}, headers=auth(world["tokens"]["admin"]))
    assert r.status_code == 422
    assert "reserved" in r.json["errors"]["id"][0]


def test_asset_types_and_customers_listed(client, world):
    admin = auth(world["tokens"]["admin"])
    assert [t["id"] for t in client.get("/api/v1/asset-types", headers=admin).json] == ["ibc"]
    assert sorted(c["id"] for c in client.get("/api/v1/customers", headers=admin).json) == ["acme", "globex"]
    assert [c["id"] for c in client.get("/api/v1/customers", headers=auth(world["tokens"]["acme"])).json] == ["acme"]


def test_depot_takes_no_customer_not_even_an_empty_one(client, world):
    admin = auth(world["tokens"]["admin"])
    depot = {"id": "depot-c", "name": "Depot C", "kind": "depot", "lat": 51.0, "lon": 7.0}
    for body in ({**depot, "customer_id": ""}, {**depot, "customer_id": "acme"}):
        r = client.post("/api/v1/sites", json=body, headers=admin)
        assert r.status_code == 422 and r.json["message"].startswith("customer_id: "), r.json
    for customer_id in ("", "acme"):
        r = client.patch("/api/v1/sites/depot-a", json={"customer_id": customer_id}, headers=admin)
        assert r.status_code == 422 and r.json["message"].startswith("customer_id: "), r.json
    assert client.get("/api/v1/sites/depot-a", headers=admin).json["customer_id"] is None
    r = client.patch("/api/v1/sites/acme-site", json={"customer_id": ""}, headers=admin)
    assert r.status_code == 422 and r.json["message"].startswith("customer_id: ")
