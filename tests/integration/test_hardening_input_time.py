"""Timestamps outside TIMESTAMP_MIN..TIMESTAMP_MAX: refused with 422 naming the field
wherever one enters (scans, statements, pickup windows, planning days, certificate
months, page forms); one already stored reads back without a 500."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import T0, auth, full_trip, scan
from tests.integration.hardening_input import all_counts, error_fields, sign_in
from tests.integration.state import asset_state, counts, rows

EXTREMES = {
    "year 1 at +14:00": "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "year 9999 at -14:00": "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
    "just before the range": "1999-12-31T23:59:59+00:00",
    "just after the range": "2100-01-01T00:00:01+00:00",
}
SCAN_URL = "/api/v1/scans"


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


@pytest.mark.parametrize("event", ["issue", "clean"])
@pytest.mark.parametrize("case", sorted(EXTREMES))
def test_scan_outside_the_range_is_rejected_alone(app, client, world, admin, case, event):
    code, other = world["codes"][:2]
    bad = {**scan(code, event, "depot-a", T0, customer="acme" if event == "issue" else None),
           "occurred_at": EXTREMES[case]}
    good = scan(other, "issue", "depot-a", T0, customer="acme")
    before = asset_state(app, code)
    r = client.post(SCAN_URL, json={"scans": [bad, good]}, headers=admin)
    assert r.status_code == 200, r.get_data(as_text=True)
    first, second = r.get_json()["results"]
    assert first["status"] == "rejected"
    assert first["message"].startswith("scans[0].occurred_at: ") and "outside the accepted range" in first["message"]
    assert second["status"] == "applied"
    assert asset_state(app, code) == before and counts(app)["scan_events"] == 1
    alone = client.post(SCAN_URL, json={"scans": [bad]}, headers=admin)
    assert alone.status_code == 422 and "scans[0].occurred_at" in alone.get_json()["errors"]


def test_range_ends_are_accepted(client, world, admin):
    code = world["codes"][0]
    at_ends = [{**scan(code, "issue", "depot-a", T0, customer="acme"), "occurred_at": "2000-01-01T00:00:00Z"},
               {**scan(code, "deliver", "acme-site", T0), "occurred_at": "2000-01-01T01:00:00+01:00"}]
    r = client.post(SCAN_URL, json={"scans": at_ends}, headers=admin)
    assert r.status_code == 200 and r.get_json()["summary"] == {"applied": 2}


def test_range_follows_the_settings(app, client, world, admin):
    """TIMESTAMP_MIN/MAX move the bounds for both the fast path and the schema."""
    app.config["SETTINGS"].timestamp_min = datetime(2026, 1, 1, tzinfo=timezone.utc)
    code = world["codes"][0]
    old = scan(code, "clean", "depot-a", datetime(2025, 12, 31, 23, tzinfo=timezone.utc))
    # a second, slightly irregular spelling that the fast path leaves to the schema
    old_slow = {**scan(world["codes"][1], "clean", "depot-a", T0), "occurred_at": "2025-12-31 23:00:00+00:00"}
    ok = scan(world["codes"][2], "issue", "depot-a", T0, customer="acme")
    r = client.post(SCAN_URL, json={"scans": [old, old_slow, ok]}, headers=admin)
    statuses = [(x["status"], (x["message"] or "").split(":")[0]) for x in r.get_json()["results"]]
    assert statuses == [("rejected", "scans[0].occurred_at"), ("rejected", "scans[1].occurred_at"), ("applied", "")]
    r = client.get("/api/v1/customers/acme/statement?from=2025-06-01T00:00:00Z&to=2026-02-01T00:00:00Z", headers=admin)
    assert r.status_code == 422 and "query.from" in error_fields(r.get_json())


def test_future_tolerance_still_applies_inside_the_range(client, world, admin):
    code = world["codes"][0]
    r = client.post(SCAN_URL, json={"scans": [scan(code, "clean", "depot-a", datetime.now(timezone.utc) + timedelta(days=3))]},
                    headers=admin)
    assert r.status_code == 422 and "in the future" in r.get_json()["message"]


@pytest.mark.parametrize("param", ["from", "to"])
@pytest.mark.parametrize("case", sorted(EXTREMES))
def test_statement_period_outside_the_range_is_422(client, world, admin, param, case):
    query = {"from": "2026-09-01T00:00:00+00:00", "to": "2026-10-01T00:00:00+00:00", param: EXTREMES[case]}
    r = client.get("/api/v1/customers/acme/statement", query_string=query, headers=admin)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert f"query.{param}" in error_fields(r.get_json())


@pytest.mark.parametrize("which", ["start", "end"])
@pytest.mark.parametrize("value", ["9999-12-31T20:00:00-05:00", "0001-01-01T00:00:00+14:00", "2100-06-01T00:00:00Z"])
def test_pickup_window_outside_the_range_is_422(app, client, world, admin, which, value):
    window = {"start": "2099-06-01T08:00:00+02:00", "end": "2099-06-01T12:00:00+02:00", which: value}
    before = all_counts(app)
    r = client.post("/api/v1/return-requests", json={"site": "acme-site", "counts": {"ibc": 1}, "window": window},
                    headers=admin)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert f"json.window.{which}" in error_fields(r.get_json())
    assert all_counts(app) == before


@pytest.mark.parametrize("url, body, field", [
    ("/api/v1/plans/collections", {"date": "0001-01-01", "depots": ["depot-a"],
                                   "vehicles": [{"id": "v", "capacity_units": 3, "start_depot": "depot-a"}]}, "json.date"),
    ("/api/v1/plans/collections", {"date": "9999-12-31", "depots": ["depot-a"],
                                   "vehicles": [{"id": "v", "capacity_units": 3, "start_depot": "depot-a"}]}, "json.date"),
    ("/api/v1/plans/rebalancing", {"asset_type": "ibc", "as_of": "0001-01-01"}, "json.as_of"),
    ("/api/v1/plans/rebalancing", {"asset_type": "ibc", "as_of": "9999-12-31"}, "json.as_of"),
])
def test_planning_day_outside_the_range_is_422_and_starts_no_run(app, client, world, admin, url, body, field):
    before = all_counts(app)
    r = client.post(url, json=body, headers=admin)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert field in error_fields(r.get_json())
    assert all_counts(app) == before  # no plan row that would fail later


@pytest.mark.parametrize("month", ["1999-12", "2100-02", "9999-12", "0000-01", "2026-10\n", "٢٠٢٦-١٠"])
def test_certificate_month_outside_the_range_or_malformed_is_422(app, client, world, admin, month):
    before = all_counts(app)
    r = client.post("/api/v1/certificates", json={"month": month}, headers=admin)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert {"json.month", "month"} & error_fields(r.get_json())
    r = client.get("/api/v1/certificates", query_string={"month": month}, headers=admin)
    assert r.status_code == 422 and {"query.month", "month"} & error_fields(r.get_json())
    assert all_counts(app) == before


def test_certificate_month_rule_also_holds_for_the_service(app):
    from app.domain.errors import DomainError
    from app.certificates.data import parse_month

    with app.app_context():
        assert parse_month("2026-08").text == "2026-08"
        for text in ("2999-01", "1999-12", "2026-10\n", "2026-13"):
            with pytest.raises(DomainError) as err:
                parse_month(text)
            assert err.value.field == "month"


# ------------------------------------------------------------------ pages

@pytest.mark.parametrize("query", ["start=0001-01-01&end=2026-10-01", "start=2026-09-01&end=9999-12-31"])
@pytest.mark.parametrize("page", ["statement", "statement.csv", "statement.pdf"])
def test_portal_statement_period_outside_the_range_is_400(app, client, world, query, page):
    sign_in(app, client, "customer", "acme")
    r = client.get(f"/portal/acme/{page}?{query}")
    assert r.status_code == 400 and "outside the accepted range" in r.get_data(as_text=True)


def test_portal_pickup_day_outside_the_range_is_422(app, client, world):
    csrf = sign_in(app, client, "customer", "acme")
    before = all_counts(app)
    r = client.post("/portal/acme/pickups", data={"site": "acme-site", "asset_type": "ibc", "count": "2",
                                                  "day": "9999-12-31", "csrf_token": csrf})
    assert r.status_code == 422 and "outside the accepted range" in r.get_data(as_text=True)
    assert all_counts(app) == before


def test_console_planning_day_outside_the_range_is_422(app, client, world):
    csrf = sign_in(app, client, "admin")
    before = all_counts(app)
    r = client.post("/console/planning", data={"day": "0001-01-01", "depots": ["depot-a"], "vehicles": "1",
                                               "capacity_units": "10", "objective": "distance", "time_limit_s": "1",
                                               "csrf_token": csrf})
    assert r.status_code == 422
    assert all_counts(app) == before


# ------------------------------------------------------------------ already stored

def test_a_stored_extreme_timestamp_reads_back_and_late_scans_still_fold(app, client, world, admin):
    """A value stored before the range was enforced (BC in UTC) must not break the
    asset's history, its EPCIS export or later batches that replay it."""
    code = world["codes"][0]
    trip = full_trip(code, T0)
    assert client.post(SCAN_URL, json={"scans": trip[:2]}, headers=admin).status_code == 200
    with app.extensions["engine"].begin() as conn:
        conn.exec_driver_sql("UPDATE scan_events SET occurred_at = '0001-01-01T00:00:00+14:00' WHERE scan_id = %s",
                             (trip[0]["id"],))
    assert rows(app, "SELECT occurred_at::text FROM scan_events ORDER BY id LIMIT 1")[0][0].endswith("BC")
    events = client.get(f"/api/v1/assets/{code}/events", headers=admin)
    assert events.status_code == 200
    assert events.get_json()[0]["occurred_at"].startswith("0001-01-01T00:00:00")
    epcis = client.get(f"/api/v1/assets/{code}/epcis", headers=admin)
    assert epcis.status_code == 200
    assert epcis.get_json()["epcisBody"]["eventList"][0]["eventTime"].startswith("0001-01-01T00:00:00")
    late = scan(code, "check", "acme-site", T0 + timedelta(minutes=30))  # before the delivery: a replay
    r = client.post(SCAN_URL, json={"scans": [late, trip[2]]}, headers=admin)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert {x["status"] for x in r.get_json()["results"]} <= {"applied", "anomaly"}
