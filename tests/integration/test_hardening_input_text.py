"""NUL, other control characters and lone surrogates: refused with 422 naming the field,
in every JSON body, query parameter, path parameter and page form, never a 500; in a scan
batch only the bad scan is refused."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from app.platform.config import TIMESTAMP_MAX_DEFAULT, TIMESTAMP_MIN_DEFAULT
from app.scanning.schemas import ScanInSchema
from app.scanning.validate import Limits, _fast_load
from tests.conftest import T0, auth, full_trip, give_holdings, scan
from tests.integration.hardening_input import all_counts, csrf_of, error_fields, sign_in
from tests.integration.state import asset_state, counts, rows

BAD = {"nul": "\x00", "bell": "\x07", "delete": "\x7f", "c1": "\x85", "surrogate": "\ud800"}
SCAN_URL = "/api/v1/scans"


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


def post_raw(client, url, body, headers):
    """JSON with escapes as a hostile client writes them: "\\u0000", "\\ud800"."""
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def later(code):
    return scan(code, "collect", "acme-site", T0 + timedelta(hours=3))


@pytest.fixture
def primed(client, world, admin):
    code = world["codes"][0]
    assert client.post(SCAN_URL, json={"scans": full_trip(code, T0)[:2]}, headers=admin).status_code == 200
    return code


# ------------------------------------------------------------------ scans

SCAN_FIELDS = {
    "device": lambda c, bad: {**later(c), "device": f"hand{bad}held"},
    "site": lambda c, bad: {**later(c), "site": f"acme{bad}-site"},
    "customer": lambda c, bad: {**scan(c, "transfer", "globex-site", T0 + timedelta(hours=3)), "customer": f"glo{bad}bex"},
    "code": lambda c, bad: {**later(c), "code": f"(8003){c}{bad}"},
}


@pytest.mark.parametrize("field", sorted(SCAN_FIELDS))
@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_character_in_a_scan_rejects_that_scan_only(app, client, primed, admin, field, kind):
    before = counts(app)
    bad = SCAN_FIELDS[field](primed, BAD[kind])
    good = scan(primed, "collect", "acme-site", T0 + timedelta(hours=4))
    r = post_raw(client, SCAN_URL, {"scans": [bad, good]}, admin)
    assert r.status_code == 200, r.get_data(as_text=True)
    first, second = r.get_json()["results"]
    assert first["status"] == "rejected" and first["message"].startswith(f"scans[0].{field}: contains"), first
    assert second["status"] == "applied" and second["id"] == good["id"]
    assert counts(app)["scan_events"] == before["scan_events"] + 1
    assert rows(app, "SELECT count(*) FROM scan_events WHERE scan_id = :i", i=bad["id"]) == [(0,)]


@pytest.mark.parametrize("field", sorted(SCAN_FIELDS))
def test_nul_in_a_lone_scan_is_422_naming_the_field(app, client, primed, admin, field):
    before = counts(app), asset_state(app, primed)
    r = post_raw(client, SCAN_URL, {"scans": [SCAN_FIELDS[field](primed, "\x00")]}, admin)
    assert r.status_code == 422
    body = r.get_json()
    assert f"scans[0].{field}" in body["errors"] and "U+0000" in body["message"]
    assert (counts(app), asset_state(app, primed)) == before


def test_nul_scans_among_many_cost_no_good_scan(app, client, world, admin):
    """Every tenth scan carries a NUL somewhere: the other 90 % of the batch is applied."""
    batch, bad_ids = [], set()
    for i, code in enumerate(world["codes"]):
        item = scan(code, "issue", "depot-a", T0 + timedelta(minutes=i), customer="acme")
        if i % 10 == 3:
            item["device"] = "scanner\x00" + str(i)
            bad_ids.add(item["id"])
        batch.append(item)
    r = post_raw(client, SCAN_URL, {"scans": batch}, admin)
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert {x["id"] for x in results if x["status"] == "rejected"} == bad_ids
    assert sum(x["status"] == "applied" for x in results) == len(batch) - len(bad_ids)
    assert counts(app)["scan_events"] == len(batch) - len(bad_ids)


def test_raw_scanner_data_keeps_its_group_separators(app, client, primed, admin):
    """GS (FNC1) and a trailing CR/LF are what hardware scanners send: still accepted."""
    raw = f"]Q38003{primed}\x1d10LOT7\r\n"
    r = client.post(SCAN_URL, json={"scans": [{**later(primed), "code": raw}]}, headers=admin)
    assert r.status_code == 200 and r.get_json()["results"][0]["status"] == "applied"
    assert rows(app, "SELECT raw_code FROM scan_events ORDER BY id DESC LIMIT 1") == [(raw,)]


TEXT = st.text(alphabet=st.sampled_from(["a", "-", "é", "\x00", "\x1d", "\n", "\x7f", "\x9f", "\ud800", "8"]),
               min_size=0, max_size=6)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(device=TEXT, site=TEXT, customer=st.one_of(st.none(), TEXT), code=TEXT,
       at=st.sampled_from(["2026-09-01T08:00:00+00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                           "1999-12-31T23:59:59+00:00", "2100-01-01T00:00:00+00:00", "2100-01-01T00:00:01+00:00",
                           "2000-01-01T00:00:00+00:00"]))
def test_fast_path_accepts_only_what_the_schema_accepts(device, site, customer, code, at):
    raw = {"id": str(uuid.uuid4()), "code": "x" + code, "event": "clean", "site": site, "occurred_at": at,
           "device": device}
    if customer is not None:
        raw["customer"] = customer
    fast = _fast_load(raw, Limits(TIMESTAMP_MIN_DEFAULT, TIMESTAMP_MAX_DEFAULT, datetime.now(timezone.utc), 300))
    try:
        loaded = ScanInSchema().load(raw)
    except ValidationError:
        loaded = None
    if fast is not None:  # the fast path never lets through what the schema refuses, nor loads it differently
        assert loaded == fast


# ------------------------------------------------------------------ JSON bodies

def _bodies(world):
    code = world["codes"][0]
    return {
        "customer id": ("post", "/api/v1/customers", {"id": "ab\x00", "name": "N"}, "json.id"),
        "customer name": ("post", "/api/v1/customers", {"id": "nc", "name": "N\x00"}, "json.name"),
        "customer name surrogate": ("post", "/api/v1/customers", {"id": "nc", "name": "N\ud800"}, "json.name"),
        "customer email": ("post", "/api/v1/customers", {"id": "nc", "name": "N", "contact_email": '"\x01"@x.example'},
                           "json.contact_email"),
        "customer rename": ("patch", "/api/v1/customers/acme", {"name": "Acme\x00"}, "json.name"),
        "site name": ("post", "/api/v1/sites", {"id": "s1", "name": "S\x00", "kind": "depot", "lat": 1, "lon": 1},
                      "json.name"),
        "site address": ("post", "/api/v1/sites", {"id": "s1", "name": "S", "kind": "depot", "lat": 1, "lon": 1,
                                                   "address": "Hafenstr. 1\x00"}, "json.address"),
        "site customer": ("post", "/api/v1/sites", {"id": "s1", "name": "S", "kind": "customer", "lat": 1, "lon": 1,
                                                    "customer_id": "acme\x00"}, "json.customer_id"),
        "site time zone": ("patch", "/api/v1/sites/depot-a", {"timezone": "Europe/Berlin\x00"}, "json.timezone"),
        "asset type name": ("post", "/api/v1/asset-types", {"id": "t1", "name": "T\ud800", "company_prefix": "4012345",
                                                            "grai_asset_type": "99999", "tare_mass_kg": 1},
                            "json.name"),
        "asset type profile": ("patch", "/api/v1/asset-types/ibc", {"lca_profile": "x\x00"}, "json.lca_profile"),
        "user name": ("post", "/api/v1/users", {"name": "U\x00", "role": "admin"}, "json.name"),
        "user email": ("post", "/api/v1/users", {"name": "U", "role": "admin", "email": '"\x00"@x.example'},
                       "json.email"),
        "user password": ("post", "/api/v1/users", {"name": "U", "role": "admin", "password": "0123456789\ud800"},
                          "json.password"),
        "user customer": ("post", "/api/v1/users", {"name": "U", "role": "customer", "customer_id": "acme\x00"},
                          "json.customer_id"),
        "token name": ("post", "/api/v1/users/1/tokens", {"name": "erp\x00"}, "json.name"),
        "register type": ("post", "/api/v1/assets", {"asset_type": "ibc\x00", "count": 1}, "json.asset_type"),
        "register alias": ("post", "/api/v1/assets", {"asset_type": "ibc", "aliases": ["A\x00"]}, "json.aliases.0"),
        "register site": ("post", "/api/v1/assets", {"asset_type": "ibc", "count": 1, "site": "depot-a\x00"},
                          "json.site"),
        "resolve note": ("post", "/api/v1/anomalies/1/resolve", {"note": "checked\x00"}, "json.note"),
        "pickup note": ("post", "/api/v1/return-requests", {"site": "acme-site", "counts": {"ibc": 1},
                                                            "note": "ring\x00"}, "json.note"),
        "pickup count key": ("post", "/api/v1/return-requests", {"site": "acme-site", "counts": {"ibc\x00": 1}},
                             "json.counts.ibc\x00.key"),
        "pickup site": ("post", "/api/v1/return-requests", {"site": "acme\x00", "counts": {"ibc": 1}}, "json.site"),
        "collected note": ("post", "/api/v1/return-requests/1/collected", {"note": "ok\ud800"}, "json.note"),
        "plan depot": ("post", "/api/v1/plans/collections", {"date": "2026-09-02", "depots": ["depot-a\x00"],
                                                             "vehicles": [{"id": "v", "capacity_units": 3,
                                                                           "start_depot": "depot-a"}]},
                       "json.depots.0"),
        "plan truck class": ("post", "/api/v1/plans/collections", {
            "date": "2026-09-02", "depots": ["depot-a"],
            "vehicles": [{"id": "v", "capacity_units": 3, "start_depot": "depot-a", "truck_class": "x\x00"}]},
            "json.vehicles.0.truck_class"),
        "rebalancing truck class": ("post", "/api/v1/plans/rebalancing", {"asset_type": "ibc", "truck_class": "\x00"},
                                    "json.truck_class"),
        "certificate customer": ("post", "/api/v1/certificates", {"month": "2026-08", "customer": "acme\x00"},
                                 "json.customer"),
        "label codes": ("post", "/api/v1/labels/sheets", {"codes": [f"(8003){code}\x00"]}, "json.codes.0"),
        "label register type": ("post", "/api/v1/labels/sheets", {"register": {"asset_type": "ibc\x00", "count": 1}},
                                "json.register.asset_type"),
    }


BODY_CASES = sorted(_bodies({"codes": ["0"]}))


@pytest.mark.parametrize("case", BODY_CASES)
def test_bad_character_in_a_json_body_is_422_naming_the_field(app, client, world, admin, case):
    method, url, body, field = _bodies(world)[case]
    before = all_counts(app)
    r = post_raw(client, url, body, admin) if method == "post" else \
        client.open(url, method=method.upper(), data=json.dumps(body), content_type="application/json", headers=admin)
    assert r.status_code == 422, (r.status_code, r.get_data(as_text=True))
    assert field in error_fields(r.get_json()), r.get_json()
    assert all_counts(app) == before


def test_customer_token_name_is_checked_too(app, client, world):
    before = all_counts(app)
    r = post_raw(client, "/api/v1/tokens", {"name": "erp\ud800"}, auth(world["tokens"]["acme"]))
    assert r.status_code == 422 and "json.name" in error_fields(r.get_json())
    assert all_counts(app) == before


@pytest.mark.parametrize("url, body", [
    ("/api/v1/return-requests", {"site": "acme-site", "counts": {"ibc": 1}, "note": "Gate 2\r\n\tring twice"}),
    ("/api/v1/sites", {"id": "s-multi", "name": "S", "kind": "depot", "lat": 1, "lon": 1,
                       "address": "Hafenstr. 1\n47119 Duisburg"}),
])
def test_free_text_keeps_tabs_and_line_breaks(app, client, world, admin, url, body):
    give_holdings(app, {("acme", "acme-site", "ibc"): 1})
    r = client.post(url, json=body, headers=admin)
    assert r.status_code == 201, r.get_json()


def test_printable_names_in_any_script_are_kept(client, world, admin):
    r = client.post("/api/v1/customers", json={"id": "cn-1", "name": "上海循环包装 Über-Kunde 😀"}, headers=admin)
    assert r.status_code == 201 and r.get_json()["name"] == "上海循环包装 Über-Kunde 😀"


# ------------------------------------------------------------------ query parameters

QUERY_CASES = [
    ("/api/v1/assets?customer=a%00b", "query.customer"),
    ("/api/v1/assets?type=%00", "query.type"),
    ("/api/v1/assets?site=depot-a%00", "query.site"),
    ("/api/v1/assets?cursor=MQ%00", "query.cursor"),
    ("/api/v1/assets?state=available%00", "query.state"),
    ("/api/v1/sites?customer=acme%00", "query.customer"),
    ("/api/v1/certificates?customer=acme%00", "query.customer"),
    ("/api/v1/certificates?month=2026-08%00", "query.month"),
    ("/api/v1/return-requests?customer=acme%00", "query.customer"),
    ("/api/v1/return-requests?site=%01", "query.site"),
    ("/api/v1/anomalies?cursor=%00", "query.cursor"),
    ("/api/v1/plans?kind=%00", "query.kind"),
    ("/api/v1/customers/acme/statement?from=2026-09-01T00:00:00%00&to=2026-10-01T00:00:00Z", "query.from"),
]


@pytest.mark.parametrize("url, field", QUERY_CASES)
def test_bad_character_in_a_query_parameter_is_422_naming_it(client, world, admin, url, field):
    r = client.get(url, headers=admin)
    assert r.status_code == 422, (r.status_code, r.get_data(as_text=True))
    assert field in error_fields(r.get_json())


# ------------------------------------------------------------------ path parameters

PATH_CASES = [
    ("get", "/api/v1/customers/acme%00", "customer_id"),
    ("patch", "/api/v1/customers/acme%00", "customer_id"),
    ("get", "/api/v1/customers/acme%00/balance", "customer_id"),
    ("get", "/api/v1/customers/acme%00/statement?from=2026-09-01T00:00:00Z&to=2026-10-01T00:00:00Z", "customer_id"),
    ("get", "/api/v1/customers/acme%00/overdue", "customer_id"),
    ("get", "/api/v1/sites/depot-a%00", "site_id"),
    ("get", "/api/v1/asset-types/ibc%00", "type_id"),
    ("get", "/api/v1/assets/x%00", "code"),
    ("get", "/api/v1/assets/x%00/events", "code"),
    ("get", "/api/v1/assets/x%00/epcis", "code"),
    ("get", "/api/v1/assets/x%00/trips", "code"),
    ("get", "/api/v1/assets/x%00/label.png", "code"),
    ("get", "/api/v1/assets/x%7F/label.zpl", "code"),
    ("get", "/api/v1/certificates/jobs/j%00", "job_id"),
]
# Plan ids are UUIDs and serials have their own form: a path that is neither matches no route.
UNROUTED_CASES = ["/api/v1/plans/p%00", "/api/v1/plans/p%00.csv", "/api/v1/certificates/CO2-2026-10-A%00-R1",
                  "/api/v1/certificates/c%00.pdf"]


@pytest.mark.parametrize("url", UNROUTED_CASES)
def test_bad_character_where_no_route_takes_it_is_404(client, world, admin, url):
    r = client.get(url, headers=admin)
    assert r.status_code == 404 and r.is_json


@pytest.mark.parametrize("method, url, field", PATH_CASES)
def test_bad_character_in_a_path_parameter_is_422_naming_it(client, world, admin, method, url, field):
    r = client.open(url, method=method.upper(), headers=admin, json={} if method == "patch" else None)
    assert r.status_code == 422, (r.status_code, r.get_data(as_text=True))
    body = r.get_json()
    assert field in body["errors"] and body["message"].startswith(f"{field}: contains the control character")


@pytest.mark.parametrize("url", ["/verify/CO2%00", "/portal/acme%00", "/portal/acme%00/statement.csv",
                                 "/console/planning/p%00"])
def test_bad_character_in_a_page_path_is_a_422_page(app, client, world, url):
    sign_in(app, client, "admin")
    r = client.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})  # what a browser sends
    assert r.status_code == 422 and r.mimetype == "text/html"
    assert "control character" in r.get_data(as_text=True)


# ------------------------------------------------------------------ page forms

def test_page_forms_refuse_nul_and_store_nothing(app, client, world):
    give_holdings(app, {("acme", "acme-site", "ibc"): 2})
    csrf = sign_in(app, client, "customer", "acme")
    before = all_counts(app)
    r = client.post("/portal/acme/tokens", data={"name": "erp\x00", "csrf_token": csrf})
    assert r.status_code == 200 and "U+0000" in r.get_data(as_text=True)  # shown beside the field
    r = client.post("/portal/acme/pickups", data={"site": "acme-site", "asset_type": "ibc", "count": "2",
                                                  "note": "ring\x00", "csrf_token": csrf})
    assert r.status_code == 422 and "U+0000" in r.get_data(as_text=True)
    assert all_counts(app) == before
    r = client.post("/portal/acme/pickups", data={"site": "acme-site", "asset_type": "ibc", "count": "2",
                                                  "note": "Gate 2\r\nring twice", "csrf_token": csrf})
    assert r.status_code == 201


def test_console_resolve_note_refuses_nul(app, client, world, admin):
    code = world["codes"][0]
    trip = full_trip(code, T0)
    client.post(SCAN_URL, json={"scans": [trip[0], trip[3]]}, headers=admin)  # received without a collect: anomaly
    (anomaly_id,) = rows(app, "SELECT id FROM anomalies")[0]
    csrf = sign_in(app, client, "admin")
    r = client.post(f"/console/anomalies/{anomaly_id}/resolve", data={"note": "seen\x00", "csrf_token": csrf})
    assert r.status_code == 422
    assert rows(app, "SELECT resolved_at FROM anomalies") == [(None,)]


def test_login_with_nul_email_is_refused_not_a_server_error(app, client, world):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"email": "a\x00@example.test", "password": "x", "csrf_token": token})
    assert r.status_code == 200  # the form again, not a server error
    assert "/login" in client.get("/console").headers["Location"]  # not signed in


@pytest.mark.parametrize("target", ["/console%0d%0aX-Injected:%201", "/console%00", "/console%0a"])
def test_sign_in_ignores_a_next_target_with_control_characters(app, client, world, target):
    from app.accounts import services as accounts

    with app.app_context():
        accounts.create_user("page admin", "admin", None, "page-admin@example.test", "correct horse battery")
    token = csrf_of(client.get(f"/login?next={target}").get_data(as_text=True))
    r = client.post(f"/login?next={target}", data={"email": "page-admin@example.test",
                                                     "password": "correct horse battery", "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"] == "/console"  # the role's home instead
    assert "X-Injected" not in r.headers
