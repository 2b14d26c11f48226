"""Every API endpoint and page, for every role: the expected status, and no other customer's data.

Roles: admin, depot, driver, customer A (acme), customer B (globex). A customer asking
for another customer's resource gets 404, exactly like for one that does not exist; a
role that may not use an endpoint gets 403.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import T0, auth, full_trip, give_holdings, scan

ROLES = ("admin", "depot", "driver", "acme", "globex")
PASSWORD = "matrix-password-1"
DAY = "2031-03-04"


@pytest.fixture
def estate(app, client, world, tmp_path):
    """A history touching both customers, return requests, certificates and a finished plan."""
    from app.accounts import services as accounts

    key = tmp_path / "signing-key.pem"
    key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    app.config["SIGNING_KEY_FILE"] = str(key)
    admin = auth(world["tokens"]["admin"])
    c = world["codes"]
    at = lambda h: T0 + timedelta(hours=h)  # noqa: E731
    scans = full_trip(c[0], at(0), "globex") + [  # acme holds c[0] now, after a period at globex
        scan(c[0], "issue", "depot-a", at(10), "globex"), scan(c[0], "deliver", "globex-site", at(11)),
        scan(c[0], "transfer", "globex-site", at(12), "acme")]
    scans += full_trip(c[1], at(0), "acme") + [scan(c[1], "issue", "depot-b", at(10), "globex")]  # globex holds c[1]
    scans += [scan(c[2], "receive", "depot-a", at(1))]  # an anomaly for the console
    r = client.post("/api/v1/scans", json={"scans": scans}, headers=admin)
    assert r.status_code == 200 and r.get_json()["summary"].get("rejected", 0) == 0, r.get_json()
    serials = client.post("/api/v1/certificates", json={"month": "2026-09"}, headers=admin).get_json()["serials"]
    by_scope = {s.split("-")[3].lower(): s for s in serials}
    requests = {}
    give_holdings(app, {("acme", "", "ibc"): 10, ("globex", "", "ibc"): 10})
    for customer in ("acme", "globex"):
        r = client.post("/api/v1/return-requests", headers=admin, json={
            "customer": customer, "site": f"{customer}-site", "counts": {"ibc": 2},
            "window": {"start": f"{DAY}T08:00:00+01:00", "end": f"{DAY}T16:00:00+01:00"}})
        requests[customer] = r.get_json()["id"]
    plan = client.post("/api/v1/plans/collections", headers=admin, json={
        "date": DAY, "depots": ["depot-a"], "time_limit_s": 1,
        "vehicles": [{"id": "v1", "capacity_units": 30, "start_depot": "depot-a"}]})
    assert plan.status_code == 201, plan.get_json()
    with app.app_context():
        tokens = {}
        for who in ("acme", "globex"):
            user = accounts.find_or_create_user(f"customer-{who}", "customer", who)
            tokens[who] = accounts.issue_token(user.id, "spare")[0].id
        for key_, (role, customer) in {"admin": ("admin", None), "depot": ("depot", None),
                                       "driver": ("driver", None), "acme": ("customer", "acme"),
                                       "globex": ("customer", "globex")}.items():
            accounts.create_user(f"web-{key_}", role, customer, f"{key_}@matrix.example", PASSWORD)
    return {"held": {"acme": c[0], "globex": c[1]}, "cert": {"acme": by_scope["acme"], "globex": by_scope["globex"],
            "operator": by_scope["operator"]}, "request": requests, "plan": plan.get_json()["id"], "token": tokens}


def owner_rule(owner: str, staff: dict[str, int], forbidden_for_customers: bool = False) -> dict[str, int]:
    """Statuses for a resource of customer `owner`: its own user 200, the other 404."""
    other = "globex" if owner == "acme" else "acme"
    return {**staff, owner: 403 if forbidden_for_customers else 200, other: 403 if forbidden_for_customers else 404}


ALL_OK = dict.fromkeys(ROLES, 200)
STAFF_OK = {"admin": 200, "depot": 200, "driver": 200}
OFFICE = {"admin": 200, "depot": 200, "driver": 403}
ADMIN_ONLY = {"admin": 200, "depot": 403, "driver": 403, "acme": 403, "globex": 403}
OPERATOR_ONLY = {"admin": 200, "depot": 200, "driver": 403, "acme": 403, "globex": 403}
STAFF_ONLY = {"admin": 200, "depot": 200, "driver": 200, "acme": 403, "globex": 403}


def api_reads(e) -> list[tuple[str, dict[str, int]]]:
    statement = "from=2026-08-01T00:00:00%2B00:00&to=2026-10-01T00:00:00%2B00:00"
    rows = [("/assets", ALL_OK), ("/customers", ALL_OK), ("/sites", ALL_OK), ("/sites/depot-a", ALL_OK),
            ("/asset-types", ALL_OK), ("/return-requests", ALL_OK),
            ("/kpis", OPERATOR_ONLY), ("/anomalies", OPERATOR_ONLY), ("/users", ADMIN_ONLY),
            ("/tokens", {"admin": 200, "depot": 403, "driver": 403, "acme": 200, "globex": 200}),
            ("/certificates", {"admin": 200, "depot": 403, "driver": 403, "acme": 200, "globex": 200}),
            (f"/certificates/{e['cert']['operator']}", {**ADMIN_ONLY, "acme": 404, "globex": 404}),
            ("/certificates/public-key", ALL_OK),
            ("/plans", STAFF_ONLY), (f"/plans/{e['plan']}", STAFF_ONLY), (f"/plans/{e['plan']}.csv", STAFF_ONLY),
            (f"/plans/{e['plan']}.geojson", STAFF_ONLY)]
    for owner in ("acme", "globex"):
        code, serial = e["held"][owner], e["cert"][owner]
        rows += [(f"/assets?customer={owner}", owner_rule(owner, STAFF_OK)),
                 (f"/customers/{owner}", owner_rule(owner, STAFF_OK)),
                 (f"/customers/{owner}/balance", owner_rule(owner, OFFICE)),
                 (f"/customers/{owner}/statement?{statement}", owner_rule(owner, OFFICE)),
                 (f"/customers/{owner}/overdue", owner_rule(owner, OFFICE)),
                 (f"/customers/{owner}/settings", owner_rule(owner, {"admin": 200, "depot": 403, "driver": 403})),
                 (f"/sites?customer={owner}", owner_rule(owner, STAFF_OK)),
                 (f"/sites/{owner}-site", owner_rule(owner, STAFF_OK)),
                 (f"/return-requests?customer={owner}", owner_rule(owner, STAFF_OK)),
                 (f"/return-requests/{e['request'][owner]}", owner_rule(owner, STAFF_OK)),
                 (f"/certificates?customer={owner}", owner_rule(owner, {"admin": 200, "depot": 403, "driver": 403})),
                 (f"/certificates/{serial}/verification", ALL_OK)]
        for suffix in ("", ".json", ".pdf"):
            rows.append((f"/certificates/{serial}{suffix}", owner_rule(owner, {"admin": 200, "depot": 403, "driver": 403})))
        for suffix in ("", "/events", "/trips", "/epcis", "/label.svg"):
            rows.append((f"/assets/{code}{suffix}", owner_rule(owner, STAFF_OK)))
    return rows


def api_writes(e) -> list[tuple[str, str, dict, dict[str, int]]]:
    """Writes whose allowed outcome changes nothing the other rows rely on."""
    rows = [("post", "/scans", {"scans": [scan(e["held"]["acme"], "check", "acme-site", T0 + timedelta(days=1))]},
             {**STAFF_OK, "acme": 403, "globex": 403}),
            ("post", "/assets", {"asset_type": "nope", "count": 1}, {**ADMIN_ONLY, "admin": 404}),
            ("post", "/customers", {"id": "acme", "name": "x"}, {**ADMIN_ONLY, "admin": 409}),
            ("patch", "/sites/acme-site", {"name": "acme plant"}, ADMIN_ONLY),
            ("post", "/users", {"name": "x", "role": "admin", "email": "admin@matrix.example"}, {**ADMIN_ONLY, "admin": 422}),
            ("post", "/anomalies/999999/resolve", {"note": "x"}, {**ADMIN_ONLY, "admin": 404}),
            ("post", "/certificates", {"month": "2099-01"}, {**ADMIN_ONLY, "admin": 422}),
            ("post", f"/certificates/{e['cert']['globex']}/revoke", {"reason": "issued in error"}, ADMIN_ONLY),
            ("post", "/plans/collections", {"date": DAY, "depots": ["nope"], "vehicles": [
                {"id": "v1", "capacity_units": 30, "start_depot": "nope"}]}, {**OPERATOR_ONLY, "admin": 404, "depot": 404}),
            ("post", "/plans/rebalancing", {"asset_type": "nope"}, {**ADMIN_ONLY, "admin": 404}),
            ("post", "/labels/sheets", {"codes": ["nope"]}, {**OPERATOR_ONLY, "admin": 404, "depot": 404}),
            ("post", "/tokens", {"name": "erp"}, {"admin": 403, "depot": 403, "driver": 403, "acme": 201, "globex": 201})]
    for owner in ("acme", "globex"):
        other = "globex" if owner == "acme" else "acme"
        rows += [("patch", f"/customers/{owner}/settings", {"publish_certificate_figures": False},
                  owner_rule(owner, {"admin": 200, "depot": 403, "driver": 403})),
                 ("patch", f"/customers/{owner}", {"name": owner.title()}, {**ADMIN_ONLY}),
                 ("post", f"/return-requests/{e['request'][owner]}/cancel", {},
                  {"depot": 403, "driver": 403, other: 404, owner: 409}),  # 409: on the plan's route already
                 ("post", f"/return-requests/{e['request'][owner]}/collected", {},
                  {"depot": 403, owner: 403, other: 403}),
                 ("delete", f"/tokens/{e['token'][owner]}", None, {"depot": 403, "driver": 403, other: 404, owner: 204}),
                 ("post", "/return-requests", {"site": f"{owner}-site", "counts": {"ibc": 1}, "customer": owner},
                  {"depot": 403, "driver": 403, other: 404, owner: 201})]
    return rows


def foreign(role: str) -> str | None:
    return {"acme": "globex", "globex": "acme"}.get(role)


def check_no_foreign_data(role: str, path: str, response) -> None:
    """No other customer's id in a successful answer, beyond what the caller itself sent
    (a serial it asked about is echoed back)."""
    word = foreign(role)
    if word and 200 <= response.status_code < 300 and response.mimetype != "application/pdf":
        text = response.get_data(as_text=True).lower()
        for sent in re.split(r"[/?&=.]", path.lower()):
            if word in sent:
                text = text.replace(sent, "")
        assert word not in text, (role, path)


def test_api_matrix(client, world, estate):
    failures = []
    for path, expected in api_reads(estate):
        for role in ROLES:
            r = client.get(f"/api/v1{path}", headers=auth(world["tokens"][role]))
            if r.status_code != expected[role]:
                failures.append((role, "GET", path, r.status_code, expected[role]))
            check_no_foreign_data(role, path, r)
            if r.status_code == 404 and role in ("acme", "globex"):
                assert r.is_json and r.get_json()["code"] == 404
    for method, path, body, expected in api_writes(estate):
        for role, status in expected.items():
            r = getattr(client, method)(f"/api/v1{path}", json=body, headers=auth(world["tokens"][role]))
            if r.status_code != status:
                failures.append((role, method.upper(), path, r.status_code, status))
            check_no_foreign_data(role, path, r)
    assert not failures, "\n".join(map(str, failures))


def test_api_without_a_token(client, estate):
    assert client.get("/api/v1/customers/acme/balance").status_code == 401
    assert client.get(f"/api/v1/assets/{estate['held']['acme']}/events").status_code == 401
    r = client.get(f"/api/v1/certificates/{estate['cert']['acme']}/verification")
    assert r.status_code == 200 and r.get_json()["figures"] is None


def sign_in(app, who: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    r = client.post("/login", data={"email": f"{who}@matrix.example", "password": PASSWORD,
                                    "csrf_token": csrf.group(1)})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return client


def page_rows(e) -> list[tuple[str, dict[str, int]]]:
    portal_office = {"admin": 200, "depot": 200, "driver": 403}
    portal_private = {"admin": 200, "depot": 403, "driver": 403}
    rows = [("/scan", STAFF_ONLY), ("/console", OPERATOR_ONLY), ("/console/anomalies", OPERATOR_ONLY),
            ("/console/planning", OPERATOR_ONLY), ("/console/labels", OPERATOR_ONLY),
            (f"/console/planning/{e['plan']}", OPERATOR_ONLY),
            ("/portal", {"admin": 200, "depot": 200, "driver": 403, "acme": 302, "globex": 302})]
    for owner in ("acme", "globex"):
        rows += [(f"/portal/{owner}{suffix}", owner_rule(owner, portal_office))
                 for suffix in ("", "/statement", "/statement.csv", "/statement.pdf", "/overdue", "/pickups")]
        rows += [(f"/portal/{owner}/tokens", owner_rule(owner, portal_private)),
                 (f"/portal/{owner}/certificates", owner_rule(owner, portal_private)),
                 (f"/portal/{owner}/certificates/{e['cert'][owner]}.pdf", owner_rule(owner, portal_private)),
                 (f"/verify/{e['cert'][owner]}", ALL_OK)]
    other = {"acme": "globex", "globex": "acme"}
    # one customer's certificate under the other's portal path: 404 for everyone who may read certificates
    rows += [(f"/portal/{o}/certificates/{e['cert'][other[o]]}.pdf", {**portal_private, "admin": 404, o: 404,
                                                                         other[o]: 404}) for o in other]
    return rows


def test_page_matrix(app, estate):
    failures = []
    clients = {role: sign_in(app, role) for role in ROLES}
    for path, expected in page_rows(estate):
        for role in ROLES:
            r = clients[role].get(path)
            if r.status_code != expected[role]:
                failures.append((role, path, r.status_code, expected[role]))
            check_no_foreign_data(role, path, r)
    assert not failures, "\n".join(map(str, failures))


def test_portal_offers_only_the_tabs_the_role_may_use(app, estate):
    depot = sign_in(app, "depot").get("/portal/acme").get_data(as_text=True)
    assert "/portal/acme/statement" in depot and "/portal/acme/tokens" not in depot
    assert "/portal/acme/certificates" not in depot
    acme = sign_in(app, "acme").get("/portal/acme").get_data(as_text=True)
    assert "/portal/acme/tokens" in acme and "/portal/acme/certificates" in acme


def test_services_enforce_the_policy_without_the_views(app, estate):
    """A view that forgot its check still could not leak: the reading services decide."""
    from datetime import datetime, timezone

    from app.domain.errors import Forbidden, NotFound
    from app.domain.policy import Viewer
    from app.accounts import services as accounts
    from app.balances import services as balances, kpis
    from app.catalog import services as catalog
    from app.certificates import records as certificates
    from app.planning import services as planning
    from app.assets import queries
    from app.pickups import services as return_requests
    from app.scanning import history

    driver, globex = Viewer("driver"), Viewer("customer", "globex")
    start, end = datetime(2026, 8, 1, tzinfo=timezone.utc), datetime(2026, 10, 1, tzinfo=timezone.utc)
    code = estate["held"]["acme"]
    calls = [
        (driver, lambda v: balances.balance(v, "acme"), Forbidden),
        (driver, lambda v: balances.statement(v, "acme", start, end), Forbidden),
        (driver, lambda v: balances.overdue_assets(v, "acme"), Forbidden),
        (driver, lambda v: certificates.list_certificates(v, None, None, None, 10, 0), Forbidden),
        (driver, lambda v: accounts.tokens_for(v), Forbidden),
        (driver, lambda v: kpis.fleet_kpis(v), Forbidden),
        (globex, lambda v: balances.balance(v, "acme"), NotFound),
        (globex, lambda v: balances.daily_moves(v, "acme", start), NotFound),
        (globex, lambda v: history.asset_events(v, code), NotFound),
        (globex, lambda v: queries.asset_trips(v, code), NotFound),
        (globex, lambda v: queries.list_assets(v, customer="acme"), NotFound),
        (globex, lambda v: catalog.customer_for(v, "acme"), NotFound),
        (globex, lambda v: catalog.site_for(v, "acme-site"), NotFound),
        (globex, lambda v: certificates.get(v, estate["cert"]["acme"]), NotFound),
        (globex, lambda v: return_requests.get(v, estate["request"]["acme"]), NotFound),
        (globex, lambda v: accounts.tokens_for(v, "acme"), NotFound),
        (globex, lambda v: planning.get(v, estate["plan"]), Forbidden),
        (globex, lambda v: history.list_anomalies(v), Forbidden),
    ]
    with app.app_context():
        for viewer, call, error in calls:
            with pytest.raises(error):
                call(viewer)
        # and the same calls as the owner or staff go through
        assert balances.balance(Viewer("customer", "acme"), "acme")["customer"] == "acme"
        assert history.asset_events(Viewer("depot"), code)
