"""Depot rebalancing from real stock and issue history."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from tests.conftest import auth, scan

URL = "/api/v1/plans/rebalancing"


def errors(response) -> dict:
    found = dict(response.get_json().get("errors") or {})
    found.update(found.pop("json", {}))
    return found


@pytest.fixture
def tokens(world):
    return {k: auth(v) for k, v in world["tokens"].items()}


@pytest.fixture
def imbalance(app, client, tokens, world):
    """depot-a: 20 clean IBCs, no demand. depot-b and depot-c: busy, stock issued out."""
    from app.catalog import services as catalog
    from app.assets import registry

    with app.app_context():
        catalog.create("site", {"id": "depot-c", "name": "Depot C", "kind": "depot", "lat": 51.52, "lon": 7.54})
        at_b = [a.code for a in registry.register("ibc", 14, "depot-b")]
        at_c = [a.code for a in registry.register("ibc", 8, "depot-c")]
    today = datetime.now(timezone.utc).date()
    scans = []
    # depot-b issued 3 a day on four days, depot-c 2 a day on three days, in the last 8 weeks
    for depot, codes, per_day in (("depot-b", at_b[:12], 3), ("depot-c", at_c[:6], 2)):
        for i, code in enumerate(codes):
            day = today - timedelta(days=3 + 5 * (i // per_day))
            scans.append(scan(code, "issue", depot, datetime.combine(day, time(9, i), timezone.utc), customer="acme"))
    r = client.post("/api/v1/scans", json={"scans": scans}, headers=tokens["depot"])
    assert r.status_code == 200 and r.get_json()["summary"] == {"applied": 18}, r.get_json()
    return {"a": 20, "b": 2, "c": 2}


def check_plan(result: dict) -> None:
    depots = {d["depot"]: d for d in result["depots"]}
    # conservation: transfers only move stock
    assert sum(d["planned_stock"] for d in depots.values()) == sum(d["clean_stock"] for d in depots.values())
    for d in depots.values():
        out = sum(t["quantity"] for t in result["transfers"] if t["from"] == d["depot"])
        inn = sum(t["quantity"] for t in result["transfers"] if t["to"] == d["depot"])
        assert d["planned_stock"] == d["clean_stock"] - out + inn
        # every depot ends at least as close to its target as it started
        assert abs(d["planned_stock"] - d["target"]) <= abs(d["clean_stock"] - d["target"])
        assert not (out and inn)  # no depot both ships and receives
    assert all(t["quantity"] > 0 and t["truckloads"] >= 1 and t["asset_type"] == "ibc" for t in result["transfers"])


def test_truckloads_move_stock_toward_targets(client, tokens, imbalance):
    body = {"asset_type": "ibc", "horizon_days": 14, "z": 1.645, "mode": "truckloads", "truck_capacity_units": 33,
            "objective": "cost", "time_limit_s": 2}
    r = client.post(URL, json=body, headers=tokens["admin"])
    assert r.status_code == 201, r.get_json()
    assert r.headers["Location"] == f"/api/v1/plans/{r.get_json()['id']}"
    plan = r.get_json()
    assert plan["status"] == "done" and plan["kind"] == "rebalancing"
    result = plan["result"]
    depots = {d["depot"]: d for d in result["depots"]}
    assert {k: depots[f"depot-{k}"]["clean_stock"] for k in "abc"} == imbalance
    assert depots["depot-a"]["target"] == 0 and depots["depot-a"]["issues_last_8_weeks"] == 0
    assert depots["depot-b"]["issues_last_8_weeks"] == 12 and depots["depot-c"]["issues_last_8_weeks"] == 6
    assert depots["depot-b"]["target"] > imbalance["b"] and depots["depot-c"]["target"] > imbalance["c"]
    assert result["transfers"] and {t["from"] for t in result["transfers"]} == {"depot-a"}
    for k in "bc":  # enough stock in total: both busy depots reach their targets
        assert depots[f"depot-{k}"]["planned_stock"] == depots[f"depot-{k}"]["target"]
    assert result["shortages"] == []
    assert result["status"] == "OPTIMAL" and result["proven_optimal"] is True
    check_plan(result)
    assert result["totals"]["moved"] == sum(t["quantity"] for t in result["transfers"])
    assert result["totals"]["kg_co2e"] > 0 and result["totals"]["truck_km"] > 0
    listed = client.get("/api/v1/plans?kind=rebalancing", headers=tokens["admin"]).get_json()["items"]
    assert [p["id"] for p in listed] == [plan["id"]] and "result" not in listed[0]


def test_continuous_mode_and_co2e(client, tokens, imbalance):
    body = {"asset_type": "ibc", "horizon_days": 14, "mode": "continuous", "objective": "co2e",
            "truck_class": "artic_gt33t", "time_limit_s": 1}
    result = client.post(URL, json=body, headers=tokens["admin"]).get_json()["result"]
    assert result["proven_optimal"] is True and result["objective"] == "co2e"
    check_plan(result)
    moved = sum(t["quantity"] for t in result["transfers"])
    depots = {d["depot"]: d for d in result["depots"]}
    assert moved == sum(max(0, d["target"] - d["clean_stock"]) for d in depots.values())


def test_shortage_is_shared_and_reported(client, tokens, imbalance):
    # a long horizon makes the targets exceed the whole fleet's clean stock
    body = {"asset_type": "ibc", "horizon_days": 90, "z": 3, "mode": "truckloads", "time_limit_s": 2}
    result = client.post(URL, json=body, headers=tokens["admin"]).get_json()["result"]
    check_plan(result)
    assert result["totals"]["target"] > result["totals"]["stock"]
    assert result["shortages"] and all(s["shortfall"] > 0 for s in result["shortages"])
    assert {s["depot"] for s in result["shortages"]} <= {"depot-b", "depot-c"}


def test_balanced_network_needs_no_transfers(client, tokens, world):
    result = client.post(URL, json={"asset_type": "ibc", "time_limit_s": 1}, headers=tokens["admin"]).get_json()["result"]
    assert result["transfers"] == [] and result["totals"]["moved"] == 0 and "message" in result


@pytest.mark.parametrize("body, field, status", [
    ({"asset_type": "barrel"}, "asset_type", 404),
    ({"asset_type": "ibc", "depots": ["depot-a", "nowhere"]}, "depots[1]", 404),
    ({"asset_type": "ibc", "depots": ["depot-a", "acme-site"]}, "depots[1]", 422),
    ({"asset_type": "ibc", "mode": "magic"}, "mode", 422),
    ({"asset_type": "ibc", "objective": "distance"}, "objective", 422),
    ({"asset_type": "ibc", "time_limit_s": 500}, "time_limit_s", 422),
    ({"asset_type": "ibc", "horizon_days": 0}, "horizon_days", 422),
    ({"asset_type": "ibc", "z": -1}, "z", 422),
    ({"asset_type": "ibc", "truck_capacity_units": 0}, "truck_capacity_units", 422),
    ({"asset_type": "ibc", "truck_capacity_units": 0.5}, "truck_capacity_units", 422),
    ({"asset_type": "ibc", "truck_class": "cargo_bike"}, "truck_class", 422),
    ({}, "asset_type", 422),
])
def test_bad_rebalancing_input_names_the_field(client, tokens, world, body, field, status):
    r = client.post(URL, json=body, headers=tokens["admin"])
    assert r.status_code == status, r.get_json()
    assert field in errors(r), r.get_json()


def test_only_admins_rebalance(client, tokens, world):
    assert client.post(URL, json={"asset_type": "ibc"}, headers=tokens["depot"]).status_code == 403
    assert client.post(URL, json={"asset_type": "ibc"}, headers=tokens["acme"]).status_code == 403
