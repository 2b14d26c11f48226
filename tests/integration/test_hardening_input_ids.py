"""Identifiers matched in full, IANA time zones, integers within the columns' range,
cursors: each bad value answers 4xx naming what is wrong, never 500."""
from __future__ import annotations

import base64
import logging

import pytest

from tests.conftest import T0, auth, full_trip, give_holdings
from tests.integration.hardening_input import all_counts, error_fields, sign_in
from tests.integration.state import rows

BIG = "99999999999999999999"  # > 2**63 - 1
BIGINT_PLUS_1 = str(2**63)
INT_PLUS_1 = str(2**31)


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


# ------------------------------------------------------------------ patterns match in full

PATTERN_CASES = {
    "customer id with a newline": ("/api/v1/customers", {"id": "nlcust\n", "name": "N"}, "json.id"),
    "site id with a newline": ("/api/v1/sites", {"id": "depot-x\n", "name": "X", "kind": "depot", "lat": 1, "lon": 1},
                               "json.id"),
    "asset type id with a newline": ("/api/v1/asset-types", {"id": "t\n", "name": "T", "company_prefix": "4012345",
                                                             "grai_asset_type": "99999", "tare_mass_kg": 1}, "json.id"),
    "company prefix with a newline": ("/api/v1/asset-types", {"id": "t1", "name": "T", "company_prefix": "4012345\n",
                                                              "grai_asset_type": "99999", "tare_mass_kg": 1},
                                      "json.company_prefix"),
    "company prefix in other digits": ("/api/v1/asset-types", {"id": "t1", "name": "T", "company_prefix": "٤٠١٢٣٤٥",
                                                               "grai_asset_type": "99999", "tare_mass_kg": 1},
                                       "json.company_prefix"),
    "grai asset type with a newline": ("/api/v1/asset-types", {"id": "t1", "name": "T", "company_prefix": "4012345",
                                                               "grai_asset_type": "99999\n", "tare_mass_kg": 1},
                                       "json.grai_asset_type"),
    "opening hours with a newline": ("/api/v1/sites", {"id": "s1", "name": "S", "kind": "depot", "lat": 1, "lon": 1,
                                                       "opening_hours": {"mon": ["08:00\n", "17:00"]}},
                                     "json.opening_hours.mon.value.0"),
    "opening hours in other digits": ("/api/v1/sites", {"id": "s1", "name": "S", "kind": "depot", "lat": 1, "lon": 1,
                                                        "opening_hours": {"mon": ["1٠:٣٠", "17:00"]}},
                                      "json.opening_hours.mon.value.0"),
    "pickup count type with a newline": ("/api/v1/return-requests", {"site": "acme-site", "counts": {"ibc\n": 1}},
                                         "json.counts.ibc\n.key"),
    "vehicle shift with a newline": ("/api/v1/plans/collections", {
        "date": "2026-09-02", "depots": ["depot-a"],
        "vehicles": [{"id": "v", "capacity_units": 3, "start_depot": "depot-a", "shift_start": "06:00\n"}]},
        "json.vehicles.0.shift_start"),
    "vehicle id with a newline": ("/api/v1/plans/collections", {
        "date": "2026-09-02", "depots": ["depot-a"],
        "vehicles": [{"id": "v\n", "capacity_units": 3, "start_depot": "depot-a"}]}, "json.vehicles.0.id"),
    "certificate customer with a newline": ("/api/v1/certificates", {"month": "2026-08", "customer": "acme\n"},
                                            "json.customer"),
}


@pytest.mark.parametrize("case", sorted(PATTERN_CASES))
def test_patterns_match_the_whole_value(app, client, world, admin, case):
    url, body, field = PATTERN_CASES[case]
    before = all_counts(app)
    r = client.post(url, json=body, headers=admin)
    assert r.status_code == 422, (r.status_code, r.get_data(as_text=True))
    assert field in error_fields(r.get_json()), r.get_json()
    assert all_counts(app) == before


def test_the_reported_customer_is_refused_and_portal_downloads_work(app, client, world, admin):
    r = client.post("/api/v1/customers", json={"id": "nlcust\n", "name": "Newline Ltd"}, headers=admin)
    assert r.status_code == 422 and rows(app, "SELECT count(*) FROM customers WHERE id LIKE 'nlcust%'") == [(0,)]
    assert client.post("/api/v1/customers", json={"id": "nlcust", "name": "Newline Ltd"}, headers=admin).status_code == 201
    sign_in(app, client, "admin")
    for page in ("statement.csv", "statement.pdf"):
        assert client.get(f"/portal/nlcust/{page}?start=2026-09-01&end=2026-10-01").status_code == 200


def test_the_24_00_shift_end_still_works(client, world, admin):
    body = {"date": "2026-09-02", "depots": ["depot-a"],
            "vehicles": [{"id": "v", "capacity_units": 3, "start_depot": "depot-a", "shift_end": "24:00"}]}
    assert client.post("/api/v1/plans/collections", json=body, headers=admin).status_code in (201, 202)


# ------------------------------------------------------------------ time zones

@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "/etc/passwd", "Europe", "Europe/", "zone.tab",
                                  "localtime", "utc", ""])
def test_site_time_zone_must_be_iana(app, client, world, admin, zone):
    before = all_counts(app)
    body = {"id": "s-tz", "name": "S", "kind": "depot", "lat": 1, "lon": 1, "timezone": zone}
    r = client.post("/api/v1/sites", json=body, headers=admin)
    assert r.status_code == 422 and "json.timezone" in error_fields(r.get_json())
    r = client.patch("/api/v1/sites/acme-site", json={"timezone": zone}, headers=admin)
    assert r.status_code == 422 and "json.timezone" in error_fields(r.get_json())
    assert all_counts(app) == before
    assert rows(app, "SELECT timezone FROM sites WHERE id = 'acme-site'") == [("Europe/Berlin",)]


def test_the_catalog_service_checks_zones_for_callers_without_the_schema(app, world):
    from app.domain.errors import DomainError
    from app.catalog import services as catalog

    with app.app_context(), pytest.raises(DomainError) as err:
        catalog.create("site", {"id": "s-cli", "name": "S", "kind": "depot", "lat": 1, "lon": 1,
                                "timezone": "Mars/Olympus"})
    assert err.value.field == "timezone"
    assert rows(app, "SELECT count(*) FROM sites WHERE id = 's-cli'") == [(0,)]


def test_a_site_with_a_stored_bad_zone_can_still_be_renamed(app, client, world, admin):
    with app.extensions["engine"].begin() as conn:
        conn.exec_driver_sql("UPDATE sites SET timezone = 'Mars/Olympus' WHERE id = 'acme-site'")
    r = client.patch("/api/v1/sites/acme-site", json={"name": "Acme plant 2"}, headers=admin)
    assert r.status_code == 200 and r.get_json()["timezone"] == "Mars/Olympus"
    r = client.patch("/api/v1/sites/acme-site", json={"timezone": "Europe/Paris"}, headers=admin)
    assert r.status_code == 200 and r.get_json()["timezone"] == "Europe/Paris"


def test_iana_zones_are_accepted(client, world, admin):
    r = client.patch("/api/v1/sites/acme-site", json={"timezone": "Asia/Shanghai"}, headers=admin)
    assert r.status_code == 200 and r.get_json()["timezone"] == "Asia/Shanghai"


@pytest.mark.parametrize("stored", ["Mars/Olympus", "Europe", "../../etc/passwd"])
def test_a_stored_bad_zone_reads_as_utc(app, client, world, admin, caplog, stored):
    """Sites saved before zones were checked: pickups and plans at them still work, in UTC."""
    give_holdings(app, {("acme", "acme-site", "ibc"): 2})
    with app.extensions["engine"].begin() as conn:
        conn.exec_driver_sql("UPDATE sites SET timezone = %s WHERE id IN ('acme-site', 'depot-a')", (stored,))
    assert client.get("/api/v1/sites/acme-site", headers=admin).status_code == 200
    caplog.set_level(logging.WARNING)
    window = {"start": "2099-06-01T08:00:00+02:00", "end": "2099-06-01T12:00:00+02:00"}
    r = client.post("/api/v1/return-requests", json={"site": "acme-site", "counts": {"ibc": 1}, "window": window},
                    headers=admin)
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.get_json()["window"]["start"] == "2099-06-01T06:00:00+00:00"
    assert any("unknown time zone" in m for m in caplog.messages)
    assert client.get("/api/v1/return-requests", headers=admin).status_code == 200
    csrf = sign_in(app, client, "customer", "acme")
    page = client.post("/portal/acme/pickups", data={"site": "acme-site", "asset_type": "ibc", "count": "1",
                                                     "day": "2099-06-02", "csrf_token": csrf})
    assert page.status_code == 201
    plan = client.post("/api/v1/plans/collections", headers=admin, json={
        "date": "2099-06-01", "depots": ["depot-a"], "time_limit_s": 1,
        "vehicles": [{"id": "v", "capacity_units": 30, "start_depot": "depot-a"}]})
    assert plan.status_code in (201, 202) and plan.get_json()["status"] != "failed", plan.get_json()


# ------------------------------------------------------------------ integers

PATH_404 = [
    ("post", f"/api/v1/anomalies/{BIG}/resolve", {"note": "x"}),
    ("post", f"/api/v1/anomalies/{BIGINT_PLUS_1}/resolve", {"note": "x"}),
    ("get", f"/api/v1/return-requests/{BIG}", None),
    ("get", f"/api/v1/return-requests/{'9' * 5000}", None),
    ("post", f"/api/v1/return-requests/{BIGINT_PLUS_1}/cancel", None),
    ("post", f"/api/v1/return-requests/{BIG}/collected", {}),
    ("post", f"/api/v1/users/{INT_PLUS_1}/tokens", {"name": "x"}),
    ("post", f"/api/v1/users/{BIG}/tokens", {"name": "x"}),
    ("delete", f"/api/v1/tokens/{INT_PLUS_1}", None),
    ("delete", f"/api/v1/tokens/{BIG}", None),
]


@pytest.mark.parametrize("method, url, body", PATH_404)
def test_path_ids_beyond_the_column_range_are_404(app, client, world, admin, method, url, body):
    before = all_counts(app)
    r = client.open(url, method=method.upper(), json=body, headers=admin)
    assert r.status_code == 404, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.is_json
    assert all_counts(app) == before


def test_the_largest_ids_are_ordinary_unknown_ids(client, world, admin):
    r = client.get(f"/api/v1/return-requests/{2**63 - 1}", headers=admin)
    assert r.status_code == 404 and "id" in r.get_json()["errors"]
    r = client.delete(f"/api/v1/tokens/{2**31 - 1}", headers=admin)
    assert r.status_code == 404 and "token" in r.get_json()["errors"]


@pytest.mark.parametrize("url", [f"/console/anomalies/{BIG}/resolve", f"/portal/acme/tokens/{INT_PLUS_1}/revoke",
                                 f"/portal/acme/pickups/{BIG}/cancel"])
def test_page_ids_beyond_the_column_range_are_404(app, client, world, url):
    csrf = sign_in(app, client, "admin")
    assert client.post(url, data={"note": "x", "csrf_token": csrf}).status_code == 404


@pytest.mark.parametrize("url, field", [
    (f"/api/v1/return-requests?offset={BIGINT_PLUS_1}", "query.offset"),
    ("/api/v1/return-requests?offset=1000001", "query.offset"),
    (f"/api/v1/certificates?offset={BIG}", "query.offset"),
    (f"/api/v1/plans?offset={BIGINT_PLUS_1}", "query.offset"),
    (f"/api/v1/plans?limit={BIG}", "query.limit"),
    (f"/api/v1/assets?limit={BIGINT_PLUS_1}", "query.limit"),
    (f"/api/v1/anomalies?limit={BIG}", "query.limit"),
    (f"/api/v1/certificates?limit={BIG}", "query.limit"),
    (f"/api/v1/assets/x/label.png?module_px={BIG}", "query.module_px"),
])
def test_query_integers_beyond_their_range_are_422(client, world, admin, url, field):
    r = client.get(url, headers=admin)
    assert r.status_code == 422, (r.status_code, r.get_data(as_text=True))
    assert field in error_fields(r.get_json())


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [_cursor(BIG), _cursor(BIGINT_PLUS_1), _cursor("-1"), _cursor("1e3"), _cursor(" 12"),
                                    _cursor("١٢"), "!!!!", "A" * 32])
@pytest.mark.parametrize("listing", ["/api/v1/assets", "/api/v1/anomalies"])
def test_bad_cursors_are_422_naming_cursor(client, world, admin, listing, cursor):
    r = client.get(listing, query_string={"cursor": cursor}, headers=admin)
    assert r.status_code == 422, (r.status_code, r.get_data(as_text=True))
    assert "cursor" in r.get_json()["errors"]


def test_overlong_cursor_is_422(client, world, admin):
    r = client.get("/api/v1/assets", query_string={"cursor": "M" * 33}, headers=admin)
    assert r.status_code == 422 and "query.cursor" in error_fields(r.get_json())


def test_cursors_handed_out_still_page_through(client, world, admin):
    seen, cursor = [], None
    while True:
        r = client.get("/api/v1/assets", query_string={"limit": 7, **({"cursor": cursor} if cursor else {})},
                       headers=admin)
        assert r.status_code == 200
        seen += [a["code"] for a in r.get_json()["items"]]
        cursor = r.get_json()["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(world["codes"])


def test_console_anomaly_page_with_a_bad_cursor_is_422(app, client, world):
    sign_in(app, client, "admin")
    r = client.get(f"/console/anomalies?cursor={_cursor(BIG)}")
    assert r.status_code == 422 and "not a cursor" in r.get_data(as_text=True)


def test_layout_grid_is_bounded(client, world, admin):
    code = world["codes"][0]
    r = client.post("/api/v1/labels/sheets", headers=admin, json={"codes": [code], "layout": {"columns": 10**30}})
    assert r.status_code == 422 and "json.layout.columns" in error_fields(r.get_json())


def test_anomaly_ids_still_resolve(app, client, world, admin):
    code = world["codes"][0]
    trip = full_trip(code, T0)
    client.post("/api/v1/scans", json={"scans": [trip[0], trip[3]]}, headers=admin)
    (anomaly_id,) = rows(app, "SELECT id FROM anomalies")[0]
    assert client.post(f"/api/v1/anomalies/{anomaly_id}/resolve", json={"note": "ok"}, headers=admin).status_code == 200
