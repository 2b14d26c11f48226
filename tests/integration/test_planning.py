"""Collection planning through the API: inline runs on real PostgreSQL, exports, bad input."""
from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import auth, give_holdings

RR = "/api/v1/return-requests"
PLANS = "/api/v1/plans"
DAY = "2031-03-04"  # a Tuesday; Berlin is on CET (+01:00)
BERLIN = ZoneInfo("Europe/Berlin")
CAPACITY = {"v1": 26.0, "v2": 20.0}
UNITS = {"ibc": 1.0, "crate": 0.05}


def local(hhmm: str, day: str = DAY) -> datetime:
    return datetime.combine(datetime.fromisoformat(day).date(), time.fromisoformat(hhmm), BERLIN)


def window(start: str, end: str, day: str = DAY) -> dict:
    return {"start": local(start, day).isoformat(), "end": local(end, day).isoformat()}


def vehicles(**override) -> list[dict]:
    return [{"id": "v1", "capacity_units": CAPACITY["v1"], "start_depot": "depot-a", "end_depot": "depot-a",
             "shift_start": "06:00", "shift_end": "18:00", "cost_per_km": 1.2, "truck_class": "rigid_gt17t", **override},
            {"id": "v2", "capacity_units": CAPACITY["v2"], "start_depot": "depot-b", "shift_start": "06:00",
             "shift_end": "18:00", "cost_per_km": 0.9, "truck_class": "rigid_7_5_17t"}]


def plan_body(**override) -> dict:
    return {"date": DAY, "depots": ["depot-a", "depot-b"], "vehicles": vehicles(), "objective": "distance",
            "time_limit_s": 1, **override}


def errors(response) -> dict:
    found = dict(response.get_json().get("errors") or {})
    for location in ("json", "query"):
        found.update(found.pop(location, {}))
    return found


@pytest.fixture
def tokens(world):
    return {k: auth(v) for k, v in world["tokens"].items()}


@pytest.fixture
def day(app, client, tokens):
    """Customer sites around the Ruhr, and the return requests customers made for DAY."""
    from app.catalog import services as catalog

    weekdays = {d: ["09:00", "15:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    with app.app_context():
        for sid, cust, lat, lon, hours in (("acme-north", "acme", 51.30, 6.85, None),
                                           ("acme-east", "acme", 51.22, 7.05, None),
                                           ("globex-south", "globex", 51.15, 7.35, None),
                                           ("globex-office", "globex", 51.40, 7.00, weekdays),
                                           ("globex-weekend", "globex", 51.35, 7.10, {"sat": ["08:00", "12:00"]})):
            catalog.create("site", {"id": sid, "name": sid.replace("-", " ").title(), "kind": "customer",
                                    "customer_id": cust, "lat": lat, "lon": lon, "opening_hours": hours})
        catalog.create("asset_type", {"id": "crate", "name": "Crate 600x400", "company_prefix": "4012345",
                                      "grai_asset_type": "22222", "tare_mass_kg": 2.1, "load_units": UNITS["crate"]})
    give_holdings(app, {(c, "", t): 1000 for c in ("acme", "globex") for t in ("ibc", "crate")})
    made = {}
    for key, cust, site, counts, win in (
            ("acme-1", "acme", "acme-site", {"ibc": 6}, window("08:00", "12:00")),
            ("acme-2", "acme", "acme-north", {"ibc": 5}, window("10:00", "14:00")),
            ("acme-3", "acme", "acme-east", {"ibc": 4, "crate": 40}, window("07:00", "17:00")),
            ("acme-4", "acme", "acme-site", {"crate": 100}, None),
            ("globex-1", "globex", "globex-site", {"ibc": 8}, window("09:00", "13:00")),
            ("globex-2", "globex", "globex-south", {"ibc": 3}, window("12:00", "16:00")),
            ("globex-3", "globex", "globex-office", {"ibc": 4}, None),
            ("closed", "globex", "globex-weekend", {"ibc": 2}, None),
            ("huge", "globex", "globex-site", {"ibc": 60}, window("08:00", "16:00")),
            ("tomorrow", "acme", "acme-site", {"ibc": 2}, window("08:00", "12:00", "2031-03-05"))):
        body = {"site": site, "counts": counts}
        if win:
            body["window"] = win
        r = client.post(RR, json=body, headers=tokens[cust])
        assert r.status_code == 201, r.get_json()
        made[key] = r.get_json()
    return made


def test_plan_serves_every_feasible_request_once(client, tokens, day):
    r = client.post(f"{PLANS}/collections", json=plan_body(), headers=tokens["admin"])
    assert r.status_code == 201, r.get_json()
    plan = r.get_json()
    assert r.headers["Location"] == f"/api/v1/plans/{plan['id']}"
    assert plan["status"] == "done" and plan["progress"] == 1.0 and plan["kind"] == "collections"
    result = plan["result"]
    feasible = {day[k]["id"] for k in ("acme-1", "acme-2", "acme-3", "acme-4", "globex-1", "globex-2", "globex-3")}
    served = [s["request_id"] for route in result["routes"] for s in route["stops"]]
    assert sorted(served) == sorted(feasible)  # each once, none twice
    unserved = {u["request_id"]: u for u in result["unserved"]}
    assert set(unserved) == {day["closed"]["id"], day["huge"]["id"]}
    assert unserved[day["huge"]["id"]]["reason"] == "larger_than_any_vehicle"
    assert unserved[day["closed"]["id"]]["reason"] == "site_closed"
    assert day["tomorrow"]["id"] not in served + list(unserved)  # another day's request stays out
    assert result["totals"]["served"] == 7 and result["totals"]["unserved"] == 2 and result["totals"]["requests"] == 9

    counts = {v["id"]: v for v in day.values()}
    for route in result["routes"]:
        cap, load = CAPACITY[route["vehicle"]], 0.0
        for seq, stop in enumerate(route["stops"], start=1):
            assert stop["seq"] == seq
            load += sum(UNITS[t] * n for t, n in stop["pickup"].items())
            assert stop["pickup"] == counts[stop["request_id"]]["counts"]
            assert stop["load_after_units"] == pytest.approx(load) and load <= cap + 1e-9
            assert stop["customer"] == counts[stop["request_id"]]["customer"]
            eta = datetime.fromisoformat(stop["eta"])
            assert eta.utcoffset() == timedelta(hours=1)  # depot time zone, Europe/Berlin in March
            req_window = counts[stop["request_id"]]["window"]
            if req_window:
                assert datetime.fromisoformat(req_window["start"]) <= eta <= datetime.fromisoformat(req_window["end"])
            if stop["site"] == "globex-office":  # no request window: the site's opening hours
                assert local("09:00") <= eta <= local("15:00")
            assert datetime.fromisoformat(stop["window"]["start"]) <= eta <= datetime.fromisoformat(stop["window"]["end"])
            assert datetime.fromisoformat(stop["arrival"]) <= eta < datetime.fromisoformat(stop["departure"])
            assert local("06:00") <= eta <= local("18:00")
        assert route["distance_km"] > 0 and route["kg_co2e"] > 0
        factor = result["emission_factors"][route["truck_class"]]["kg_co2e_per_km"]
        assert route["kg_co2e"] == pytest.approx(route["distance_km"] * factor, abs=0.01)
        assert datetime.fromisoformat(route["start"]) >= local("06:00")
        assert datetime.fromisoformat(route["end"]) <= local("18:00")
    totals = result["totals"]
    assert totals["distance_km"] == pytest.approx(sum(r["distance_km"] for r in result["routes"]), abs=0.01)
    assert totals["kg_co2e"] == pytest.approx(sum(r["kg_co2e"] for r in result["routes"]), abs=0.01)
    assert totals["load_units_collected"] == pytest.approx(6 + 5 + 6 + 5 + 8 + 3 + 4)

    # the requests moved on, and customers see their stop
    mine = client.get(f"{RR}/{day['acme-1']['id']}", headers=tokens["acme"]).get_json()
    assert mine["status"] == "planned" and mine["plan_id"] == plan["id"]
    assert mine["planned"]["vehicle"] in CAPACITY and mine["planned"]["seq"] >= 1
    assert mine["planned"]["eta"] in [s["eta"] for rt in result["routes"] for s in rt["stops"]]
    huge = client.get(f"{RR}/{day['huge']['id']}", headers=tokens["globex"]).get_json()
    assert huge["status"] == "unserved" and huge["reason"].startswith("larger_than_any_vehicle")
    assert client.get(f"{RR}/{day['tomorrow']['id']}", headers=tokens["acme"]).get_json()["status"] == "open"
    assert client.post(f"{RR}/{day['acme-1']['id']}/cancel", headers=tokens["acme"]).status_code == 409
    # an unserved request can still be cancelled
    assert client.post(f"{RR}/{day['closed']['id']}/cancel", headers=tokens["globex"]).status_code == 200

    # read back, listed, and hidden from customers
    again = client.get(f"{PLANS}/{plan['id']}", headers=tokens["driver"])
    assert again.status_code == 200 and again.get_json()["result"] == result
    assert client.get(f"{PLANS}/{plan['id']}", headers=tokens["acme"]).status_code == 403
    assert [p["id"] for p in client.get(f"{PLANS}?kind=collections", headers=tokens["depot"]).get_json()["items"]] \
        == [plan["id"]]
    assert client.get(f"{PLANS}?kind=rebalancing", headers=tokens["depot"]).get_json()["items"] == []
    assert client.get(f"{PLANS}/no-such-plan", headers=tokens["admin"]).status_code == 404

    # a second plan for the day finds only what is still waiting (the unserved huge request)
    second = client.post(f"{PLANS}/collections", json=plan_body(), headers=tokens["depot"]).get_json()
    assert [u["request_id"] for u in second["result"]["unserved"]] == [day["huge"]["id"]]
    assert second["result"]["routes"] == []


def test_exports_for_drivers(client, tokens, day):
    plan = client.post(f"{PLANS}/collections", json=plan_body(), headers=tokens["admin"]).get_json()
    stops = [(rt, s) for rt in plan["result"]["routes"] for s in rt["stops"]]

    r = client.get(f"{PLANS}/{plan['id']}.csv", headers=tokens["driver"])
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert len(rows) == len(stops) == 7
    assert list(rows[0])[:9] == ["vehicle", "seq", "request_id", "site", "name", "customer", "lat", "lon", "eta"]
    assert {"pickup_ibc", "pickup_crate", "load_after_units"} <= set(rows[0])
    for row, (route, stop) in zip(rows, stops):
        assert row["vehicle"] == route["vehicle"] and int(row["seq"]) == stop["seq"] and row["site"] == stop["site"]
        assert float(row["lat"]) == stop["lat"] and float(row["lon"]) == stop["lon"] and row["eta"] == stop["eta"]
        assert int(row["pickup_ibc"]) == stop["pickup"].get("ibc", 0)
        assert float(row["load_after_units"]) == stop["load_after_units"]

    r = client.get(f"{PLANS}/{plan['id']}.geojson", headers=tokens["driver"])
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    fc = r.get_json()
    assert fc["type"] == "FeatureCollection" and isinstance(fc["features"], list)
    for f in fc["features"]:
        assert f["type"] == "Feature" and set(f) >= {"geometry", "properties"}
        coords = f["geometry"]["coordinates"]
        for lon, lat in (coords if f["geometry"]["type"] == "LineString" else [coords]):
            assert 6.0 < lon < 8.0 and 50.0 < lat < 52.0  # [lon, lat], not [lat, lon]
    lines = [f for f in fc["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in fc["features"] if f["properties"]["kind"] == "stop"]
    assert len(lines) == len(plan["result"]["routes"]) and len(points) == 7
    depots = plan["result"]["depots"]
    for line, route in zip(lines, plan["result"]["routes"]):
        coords = line["geometry"]["coordinates"]
        assert len(coords) == len(route["stops"]) + 2
        assert coords[0] == [depots[route["start_depot"]]["lon"], depots[route["start_depot"]]["lat"]]
        assert coords[1:-1] == [[s["lon"], s["lat"]] for s in route["stops"]]
        assert line["properties"]["vehicle"] == route["vehicle"]
    assert {p["properties"]["request_id"] for p in points} == {s["request_id"] for _, s in stops}
    assert client.get(f"{PLANS}/{plan['id']}.csv", headers=tokens["acme"]).status_code == 403
    assert client.get(f"{PLANS}/nope.geojson", headers=tokens["admin"]).status_code == 404


def test_co2e_objective_with_deliveries(client, tokens, day):
    body = plan_body(objective="co2e", include_deliveries=True)
    plan = client.post(f"{PLANS}/collections", json=body, headers=tokens["admin"]).get_json()
    assert plan["status"] == "done", plan
    result = plan["result"]
    assert result["objective"] == "co2e" and result["totals"]["served"] == 7
    for route in result["routes"]:
        delivered = sum(UNITS[t] * n for s in route["stops"] for t, n in s["delivery"].items())
        assert route["start_load_units"] == pytest.approx(delivered)
        for stop in route["stops"]:
            assert stop["delivery"] == stop["pickup"]  # like-for-like exchange
            assert stop["load_after_units"] == pytest.approx(delivered)  # what leaves equals what comes on
            assert stop["load_after_units"] <= CAPACITY[route["vehicle"]]


def test_no_open_requests_is_a_done_plan_with_a_message(client, tokens, world):
    r = client.post(f"{PLANS}/collections", json=plan_body(), headers=tokens["admin"])
    assert r.status_code == 201
    plan = r.get_json()
    assert plan["status"] == "done" and plan["result"]["routes"] == [] and plan["result"]["unserved"] == []
    assert "no open return requests" in plan["result"]["message"]
    assert plan["result"]["totals"]["distance_km"] == 0
    csv_text = client.get(f"{PLANS}/{plan['id']}.csv", headers=tokens["admin"]).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("vehicle,seq")  and len(csv_text.splitlines()) == 1
    assert client.get(f"{PLANS}/{plan['id']}.geojson", headers=tokens["admin"]).get_json()["type"] == "FeatureCollection"


@pytest.mark.parametrize("override, field, status", [
    ({"vehicles": []}, "vehicles", 422),
    ({"depots": []}, "depots", 422),
    ({"depots": ["depot-a", "nowhere"]}, "depots[1]", 404),
    ({"depots": ["depot-a", "acme-site"]}, "depots[1]", 422),
    ({"depots": ["depot-a", "depot-a"]}, "depots", 422),
    ({"depots": ["depot-a"]}, "vehicles[1].start_depot", 422),
    ({"vehicles": vehicles(start_depot="depot-x")}, "vehicles[0].start_depot", 404),
    ({"vehicles": vehicles(end_depot="depot-x")}, "vehicles[0].end_depot", 404),
    ({"vehicles": vehicles(id="v2")}, "vehicles[1].id", 422),
    ({"vehicles": vehicles(capacity_units=0)}, "vehicles", 422),
    ({"vehicles": vehicles(shift_start="18:00", shift_end="06:00")}, "vehicles[0].shift_end", 422),
    ({"vehicles": vehicles(shift_start="6am")}, "vehicles", 422),
    ({"vehicles": vehicles(truck_class="spaceship")}, "vehicles[0].truck_class", 422),
    ({"time_limit_s": 0}, "time_limit_s", 422),
    ({"time_limit_s": 301}, "time_limit_s", 422),
    ({"objective": "speed"}, "objective", 422),
    ({"date": "04.03.2031"}, "date", 422),
    ({"date": None}, "date", 422),
])
def test_bad_plan_input_names_the_field(client, tokens, world, override, field, status):
    r = client.post(f"{PLANS}/collections", json=plan_body(**override), headers=tokens["admin"])
    assert r.status_code == status, r.get_json()
    assert field in errors(r), r.get_json()


def test_who_may_plan(client, tokens, world):
    assert client.post(f"{PLANS}/collections", json=plan_body(), headers=tokens["acme"]).status_code == 403
    assert client.post(f"{PLANS}/collections", json=plan_body(), headers=tokens["driver"]).status_code == 403
    assert client.post(f"{PLANS}/collections", json=plan_body()).status_code == 401


def test_closed_day_and_small_fleet_are_explained(app, client, tokens, day):
    # one small van, a short shift: some requests cannot all fit, and each gets a reason
    body = plan_body(depots=["depot-a"], vehicles=[{"id": "van", "capacity_units": 10, "start_depot": "depot-a",
                                                     "shift_start": "08:00", "shift_end": "12:00"}])
    plan = client.post(f"{PLANS}/collections", json=body, headers=tokens["admin"]).get_json()
    result = plan["result"]
    served = [s["request_id"] for rt in result["routes"] for s in rt["stops"]]
    reasons = {u["request_id"]: u["reason"] for u in result["unserved"]}
    assert len(served) + len(reasons) == 9 and not set(served) & set(reasons)
    assert set(reasons.values()) <= {"larger_than_any_vehicle", "site_closed", "window_unreachable_within_shifts",
                                     "not_enough_fleet", "left_out_by_search"}
    assert sum(u["counts"].get("ibc", 0) for u in result["unserved"]) > 0
    for route in result["routes"]:
        assert all(s["load_after_units"] <= 10 + 1e-9 for s in route["stops"])
    statuses = client.get(f"{RR}?status=unserved", headers=tokens["admin"]).get_json()
    assert {i["id"] for i in statuses["items"]} == set(reasons)
    assert all(i["reason"] for i in statuses["items"])


def test_rebalancing_plan_cannot_be_exported(client, tokens, world):
    r = client.post(f"{PLANS}/rebalancing", json={"asset_type": "ibc", "time_limit_s": 1}, headers=tokens["admin"])
    assert r.status_code == 201, r.get_json()
    r = client.get(f"{PLANS}/{r.get_json()['id']}.csv", headers=tokens["admin"])
    assert r.status_code == 422 and "id" in errors(r)


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/return-requests", "/api/v1/return-requests/{request_id}",
                 "/api/v1/return-requests/{request_id}/cancel", "/api/v1/plans/collections",
                 "/api/v1/plans/rebalancing", "/api/v1/plans", "/api/v1/plans/{plan_id}"):
        assert path in paths, path


def test_a_failing_run_ends_failed_not_running(client, tokens, day, monkeypatch):
    from app.planning import collections as collection_planning

    def broken(params, progress=None):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(collection_planning, "solve", broken)
    r = client.post(f"{PLANS}/collections", json=plan_body(), headers=tokens["admin"])
    assert r.status_code == 201
    plan = r.get_json()
    assert plan["status"] == "failed" and plan["result"] is None and "internal error" in plan["error"]
    assert plan["finished_at"] is not None
    assert client.get(f"{PLANS}/{plan['id']}.csv", headers=tokens["admin"]).status_code == 409
    # the requests were not touched
    assert client.get(f"{RR}?status=open", headers=tokens["admin"]).get_json()["total"] == 10
