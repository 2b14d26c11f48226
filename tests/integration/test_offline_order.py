"""Late uploads (an offline handheld) and the anomaly review workflow."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import T0, auth, full_trip, scan
from tests.integration.state import assert_projection_is_fold_of_events, open_anomalies, rows, snapshot

URL = "/api/v1/scans"


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


def post(client, headers, scans, expect=200):
    r = client.post(URL, json={"scans": scans}, headers=headers)
    assert r.status_code == expect, r.get_json()
    return r.get_json()


def comparable(app, code: str) -> dict:
    """The asset's derived state without the code, row ids and scan ids."""
    snap = snapshot(app, [code])
    return {
        "asset": [r[1:] for r in snap["assets"]],
        "trips": [r[1:] for r in snap["trips"]],
        "moves": [r[1:5] for r in snap["moves"]],
        "events": sorted(r[2:] for r in snap["events"]),
        "open_anomalies": sorted(r[2] for r in snap["anomalies"] if not r[3]),
        "balances": snap["balances"],
    }


def two_days(code: str) -> tuple[list[dict], list[dict]]:
    """Yesterday: a full trip and the next issue and delivery. Today: transfer, collection, return."""
    yesterday = full_trip(code, T0) + [scan(code, "issue", "depot-b", T0 + timedelta(hours=8), "acme"),
                                       scan(code, "deliver", "acme-site", T0 + timedelta(hours=10))]
    t = T0 + timedelta(days=1)
    today = [scan(code, "transfer", "acme-site", t, "globex"), scan(code, "collect", "globex-site", t + timedelta(hours=2)),
             scan(code, "receive", "depot-a", t + timedelta(hours=4)), scan(code, "clean", "depot-a", t + timedelta(hours=5))]
    return yesterday, today


def test_yesterdays_scans_after_todays_give_the_in_order_state(app, client, world, admin):
    late, on_time = world["codes"][0], world["codes"][1]
    y_late, t_late = two_days(late)
    y_ok, t_ok = two_days(on_time)

    post(client, admin, y_ok)
    post(client, admin, t_ok)

    first = post(client, admin, t_late)  # the offline device's today arrives first ...
    assert "anomaly" in first["summary"]  # ... and on its own cannot be explained
    second = post(client, admin, y_late)  # then yesterday's scans arrive
    assert second["summary"] == {"applied": len(y_late)}

    assert comparable(app, late) == comparable(app, on_time)
    state = comparable(app, late)
    assert state["asset"][0][0] == 60  # cleaned
    assert state["open_anomalies"] == []
    assert [t[5] for t in state["trips"]] == ["completed", "completed"]
    assert sum(r[2] for r in state["moves"]) == 0  # back at the depot: nobody holds it
    # the anomalies the early arrival raised are kept, but marked as cleared by the later scan
    cleared = rows(app, "SELECT count(*) FROM anomalies n JOIN assets a ON a.id = n.asset_id "
                        "WHERE a.code = :c AND n.cleared_by_replay", c=late)
    assert cleared[0][0] >= 1
    assert rows(app, "SELECT count(*) FROM scan_events WHERE status <> 1") == [(0,)]
    assert assert_projection_is_fold_of_events(app) == 2


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_reversed_chunks_of_a_valid_sequence_raise_no_anomaly_in_the_end(app, client, world, admin, chunk):
    reversed_code, in_order_code = world["codes"][:2]
    seq_r = full_trip(reversed_code, T0) + full_trip(reversed_code, T0 + timedelta(days=2), "globex", "depot-b")
    seq_o = full_trip(in_order_code, T0) + full_trip(in_order_code, T0 + timedelta(days=2), "globex", "depot-b")
    for i in range(0, len(seq_o), chunk):
        assert "anomaly" not in post(client, admin, seq_o[i:i + chunk])["summary"]
    chunks = [seq_r[i:i + chunk] for i in range(0, len(seq_r), chunk)]
    for c in reversed(chunks):
        post(client, admin, c)
    assert comparable(app, reversed_code) == comparable(app, in_order_code)
    assert open_anomalies(app, reversed_code) == [] == open_anomalies(app, in_order_code)
    assert rows(app, "SELECT trip_count, state FROM assets WHERE code = :c", c=reversed_code) == [(2, 10)]


def test_truly_impossible_sequence_gives_the_same_anomaly_either_way(app, client, world, admin):
    a, b = world["codes"][:2]

    def impossible(code):
        # delivered and then received at the depot: the collection was never scanned
        return [scan(code, "issue", "depot-a", T0, "acme"), scan(code, "deliver", "acme-site", T0 + timedelta(hours=1)),
                scan(code, "receive", "depot-a", T0 + timedelta(hours=5)),
                scan(code, "clean", "depot-a", T0 + timedelta(hours=6))]

    seq_a, seq_b = impossible(a), impossible(b)
    in_order = post(client, admin, seq_a)
    assert [r["status"] for r in in_order["results"]] == ["applied", "applied", "anomaly", "applied"]
    assert in_order["results"][2]["message"] == "received at a depot without a collection scan"
    for s in reversed(seq_b):
        post(client, admin, [s])
    assert comparable(app, a) == comparable(app, b)
    assert [r[1] for r in open_anomalies(app, a)] == ["received at a depot without a collection scan"]
    assert [r[1] for r in open_anomalies(app, b)] == ["received at a depot without a collection scan"]
    assert open_anomalies(app, a)[0][0] is not None
    assert str(open_anomalies(app, b)[0][0]) == seq_b[2]["id"]


def test_anomaly_listed_then_cleared_by_a_late_collect(app, client, world, admin):
    code = world["codes"][0]
    issue, deliver = scan(code, "issue", "depot-a", T0, "acme"), scan(code, "deliver", "acme-site", T0 + timedelta(hours=1))
    receive = scan(code, "receive", "depot-a", T0 + timedelta(hours=5))
    body = post(client, admin, [issue, deliver, receive])
    assert body["results"][2]["status"] == "anomaly"

    listed = client.get("/api/v1/anomalies", headers=admin).get_json()["items"]
    assert len(listed) == 1
    item = listed[0]
    assert (item["asset"], item["event"], item["scan_id"], item["site"]) == (code, "receive", receive["id"], "depot-a")
    assert item["reason"] == "received at a depot without a collection scan"
    assert item["cleared_by_later_scan"] is False and item["resolved_at"] is None
    depot_view = client.get("/api/v1/anomalies", headers=auth(world["tokens"]["depot"]))
    assert depot_view.status_code == 200 and len(depot_view.get_json()["items"]) == 1

    # the driver's collection scan arrives late: the sequence was possible after all
    collect = scan(code, "collect", "acme-site", T0 + timedelta(hours=3))
    late = post(client, auth(world["tokens"]["driver"]), [collect])
    assert late["results"][0]["status"] == "applied"
    assert client.get("/api/v1/anomalies", headers=admin).get_json()["items"] == []
    everything = client.get("/api/v1/anomalies", headers=admin, query_string={"include_resolved": "true"}).get_json()
    assert [(i["id"], i["cleared_by_later_scan"]) for i in everything["items"]] == [(item["id"], True)]
    events = client.get(f"/api/v1/assets/{code}/events", headers=admin).get_json()
    assert [e["event"] for e in events] == ["issue", "deliver", "collect", "receive"]
    assert {e["status"] for e in events} == {"applied"}
    trips = client.get(f"/api/v1/assets/{code}/trips", headers=admin).get_json()
    assert [(t["outcome"], t["collected_at"]) for t in trips] == [("completed", collect["occurred_at"])]


def test_admin_resolves_an_anomaly(app, client, world, admin):
    code = world["codes"][0]
    post(client, admin, [scan(code, "deliver", "acme-site", T0)])  # delivered without an issue scan
    [item] = client.get("/api/v1/anomalies", headers=admin).get_json()["items"]
    assert item["reason"] == "delivered without an issue scan"
    url = f"/api/v1/anomalies/{item['id']}/resolve"

    assert client.post(url, json={"note": "x"}, headers=auth(world["tokens"]["depot"])).status_code == 403
    missing = client.post(url, json={}, headers=admin)
    assert missing.status_code == 422 and "note" in missing.get_json()["errors"]["json"]
    unknown = client.post("/api/v1/anomalies/999999/resolve", json={"note": "x"}, headers=admin)
    assert unknown.status_code == 404 and "id" in unknown.get_json()["errors"]

    r = client.post(url, json={"note": "issue scan lost with the old handheld"}, headers=admin)
    assert r.status_code == 200
    resolved = r.get_json()
    assert resolved["id"] == item["id"]
    assert resolved["resolution_note"] == "issue scan lost with the old handheld"
    assert resolved["resolved_at"] is not None
    assert client.get("/api/v1/anomalies", headers=admin).get_json()["items"] == []
    again = client.post(url, json={"note": "twice"}, headers=admin)
    assert again.status_code == 422 and "id" in again.get_json()["errors"]
    # the resolution survives a replay that finds the same anomaly again
    post(client, admin, [scan(code, "check", "acme-site", T0 - timedelta(hours=1))])
    kept = rows(app, "SELECT resolution_note, resolved_at IS NOT NULL FROM anomalies")
    assert kept == [("issue scan lost with the old handheld", True)]
    assert client.get("/api/v1/anomalies", headers=admin).get_json()["items"] == []
