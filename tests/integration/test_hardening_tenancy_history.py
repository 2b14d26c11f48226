"""A customer reads only its own custody periods of an asset's history, on PostgreSQL.

The expected periods come from the pure lifecycle fold over the stored scans (what
ingestion derives), not from the custody-move read path under test.
"""
from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.lifecycle import Scan, replay
from tests.conftest import T0, auth, full_trip, scan
from tests.integration.state import site_points
from tests.integration.test_epcis_export import validator

CUSTOMERS = ("acme", "globex", "initech")
DEPOTS = ("depot-a", "depot-b")


@pytest.fixture
def third(app, world):
    """A third customer with its own site and token."""
    from app.accounts import services as accounts
    from app.catalog import services as catalog

    with app.app_context():
        catalog.create("customer", {"id": "initech", "name": "Initech"})
        catalog.create("site", {"id": "initech-site", "name": "initech plant", "kind": "customer",
                                "customer_id": "initech", "lat": 51.25, "lon": 7.10})
        user = accounts.create_user("customer-initech", "customer", "initech")
        world["tokens"]["initech"] = accounts.issue_token(user.id, "test")[1]
    return world


def post(client, world, scans):
    r = client.post("/api/v1/scans", json={"scans": scans}, headers=auth(world["tokens"]["admin"]))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["summary"].get("rejected", 0) == 0, r.get_json()


def read(client, token, code):
    """The four reads of one asset, as JSON text and parsed."""
    out = {}
    for suffix in ("", "/events", "/trips", "/epcis"):
        r = client.get(f"/api/v1/assets/{code}{suffix}", headers=auth(token))
        out[suffix] = (r.status_code, r.get_data(as_text=True), r.get_json() if r.status_code == 200 else None)
    return out


def expected_visible(app, code: str, customer: str) -> list[str]:
    """Scan ids in `customer`'s custody periods, from the pure fold of the stored scans."""
    from app.platform.db import get_session
    from app.assets.models import Asset
    from app.scanning.models import ScanEvent
    from sqlalchemy import select

    sites = site_points(app)
    with app.app_context():
        session = get_session()
        asset = session.scalar(select(Asset).where(Asset.code == code))
        rows = list(session.scalars(select(ScanEvent).where(ScanEvent.asset_id == asset.id)
                                    .order_by(ScanEvent.occurred_at, ScanEvent.id)))
        home = sites[asset.home_site_id]
    from app.domain.lifecycle import Projection
    from app.domain.states import EventType

    results = replay([Scan(EventType(e.event), e.occurred_at, sites[e.site_id], e.customer_id) for e in rows],
                     Projection(site=home))
    visible, before = [], None
    for e, r in zip(rows, results):
        after = r.projection.holder_customer_id
        if customer in (before, after):
            visible.append(str(e.scan_id))
        before = after
    return visible


def foreign_words(customer: str) -> list[str]:
    return [c for c in CUSTOMERS if c != customer]


def assert_own_view(app, client, world, code: str, customer: str) -> None:
    views = read(client, world["tokens"][customer], code)
    admin = client.get(f"/api/v1/assets/{code}", headers=auth(world["tokens"]["admin"])).get_json()
    if admin["holder"] != customer:
        assert {s for s, _t, _j in views.values()} == {404}, (customer, admin["holder"])
        return
    assert {s for s, _t, _j in views.values()} == {200}
    for suffix, (_status, text, _body) in views.items():
        for word in foreign_words(customer):
            assert word not in text.lower(), (customer, suffix, word, text)
    events = views["/events"][2]
    want = expected_visible(app, code, customer)
    assert [e["id"] for e in events] == want
    assert {e["customer"] for e in events} <= {customer, None}
    own_sites = {f"{customer}-site", *DEPOTS, None}
    assert {e["site"] for e in events} <= own_sites
    epcis = views["/epcis"][2]
    assert [e["eventID"] for e in epcis["epcisBody"]["eventList"]] == [f"urn:uuid:{i}" for i in want]
    errors = sorted(validator().iter_errors(epcis), key=str)
    assert not errors, [e.message for e in errors[:3]]
    trips = views["/trips"][2]
    assert trips and all(t["customers"] == [customer] for t in trips)
    assert views[""][2]["holder"] == customer and views[""][2]["site"] in own_sites
    open_trip = views[""][2]["open_trip"]
    assert open_trip is None or open_trip["customers"] == [customer]


def test_customer_sees_its_two_periods_and_nothing_of_the_holder_between(app, client, third):
    world = third
    code = world["codes"][0]
    at = lambda h: T0 + timedelta(hours=h)  # noqa: E731
    scans = full_trip(code, at(0), "acme")  # acme's first period: issue .. collect
    scans += full_trip(code, at(10), "globex")  # globex in between
    scans += [scan(code, "issue", "depot-b", at(20), "initech"), scan(code, "deliver", "initech-site", at(21)),
              scan(code, "transfer", "initech-site", at(22), "acme"),  # acme's second period, from initech
              scan(code, "check", "acme-site", at(23))]
    post(client, world, scans)
    admin_events = client.get(f"/api/v1/assets/{code}/events", headers=auth(world["tokens"]["admin"])).get_json()
    assert len(admin_events) == len(scans)  # operator staff see everything
    views = read(client, world["tokens"]["acme"], code)
    events = views["/events"][2]
    # period 1: issue, deliver, collect (the scan that ended it); period 2: the transfer to it and the check
    assert [e["event"] for e in events] == ["issue", "deliver", "collect", "transfer", "check"]
    assert [e["id"] for e in events] == expected_visible(app, code, "acme")
    transfer = events[3]
    assert transfer["customer"] == "acme" and transfer["site"] is None  # initech's site is not named
    for suffix, (_s, text, _b) in views.items():
        assert "globex" not in text and "initech" not in text, suffix
    trips = {t["seq"]: t for t in views["/trips"][2]}
    assert sorted(trips) == [1, 3]  # not globex's trip 2
    assert trips[1]["outcome"] == "completed" and trips[1]["outbound_km"] > 0 and trips[1]["return_km"] > 0
    shared = trips[3]  # issued to initech, passed on to acme: acme's share only
    assert shared["customers"] == ["acme"]
    assert shared["opened_at"] is None and shared["outbound_km"] is None and shared["transfer_km"] is None
    assert shared["origin_site"] is None and shared["outcome"] == "open"
    detail = views[""][2]
    assert detail["holder"] == "acme" and detail["open_trip"]["customers"] == ["acme"]
    assert detail["open_trip"]["transfer_km"] is None
    epcis = views["/epcis"][2]["epcisBody"]["eventList"]
    assert epcis[0]["action"] == "ADD"  # acme's first scan is the asset's first
    assert "readPoint" not in epcis[3] and epcis[3]["destinationList"][0]["destination"].endswith("/customers/acme")
    # the earlier holders read nothing of it now
    for other in ("globex", "initech"):
        assert {s for s, _t, _j in read(client, world["tokens"][other], code).values()} == {404}


def test_balance_and_overdue_do_not_name_the_giving_customers_site(client, world):
    code = world["codes"][1]
    post(client, world, [scan(code, "issue", "depot-a", T0, "globex"), scan(code, "deliver", "globex-site", T0 + timedelta(hours=1)),
                         scan(code, "transfer", "globex-site", T0 + timedelta(hours=2), "acme")])
    acme = auth(world["tokens"]["acme"])
    for path in ("/api/v1/customers/acme/balance", "/api/v1/customers/acme/overdue", "/api/v1/assets"):
        r = client.get(path, headers=acme)
        assert r.status_code == 200 and "globex" not in r.get_data(as_text=True), path
    assert client.get("/api/v1/customers/acme/balance", headers=acme).get_json()["by_site"] == {"in_transit": 1}
    # staff still see where it is
    admin = client.get("/api/v1/customers/acme/balance", headers=auth(world["tokens"]["admin"])).get_json()
    assert admin["by_site"] == {"globex-site": 1}


STEP = st.sampled_from(["issue", "deliver", "transfer", "collect", "receive", "clean", "inspect_pass", "check",
                        "lose", "find", "damage"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(STEP, st.sampled_from(CUSTOMERS), st.sampled_from(DEPOTS)), min_size=1, max_size=14),
       n_customers=st.sampled_from([2, 3]), late=st.booleans(), seed=st.integers(0, 2**16))
def test_random_histories_never_show_another_customer(app, client, third, steps, n_customers, late, seed):
    """Random histories over 2-3 customers (anomalies included, uploaded in or out of
    order): each customer's view holds exactly its custody periods and no other id."""
    from app.assets import registry

    world = third
    customers = CUSTOMERS[:n_customers]
    with app.app_context():
        code = registry.register("ibc", 1, "depot-a")[0].code
    scans = []
    for i, (event, customer, depot) in enumerate(steps):
        customer = customers[CUSTOMERS.index(customer) % n_customers]
        at = T0 + timedelta(hours=i)
        if event in ("issue", "transfer"):
            site = depot if event == "issue" else f"{random.Random(seed + i).choice(customers)}-site"
            scans.append(scan(code, event, site, at, customer))
        elif event in ("deliver", "collect"):
            scans.append(scan(code, event, f"{customer}-site", at))
        elif event in ("receive", "clean", "inspect_pass"):
            scans.append(scan(code, event, depot, at))
        else:  # check, lose, find, damage: anywhere
            scans.append(scan(code, event, depot if seed % 2 else f"{customer}-site", at))
    if late and len(scans) > 1:  # the later half arrives first: the service replays the history
        half = len(scans) // 2
        post(client, world, scans[half:])
        post(client, world, scans[:half])
    else:
        post(client, world, scans)
    for customer in customers:
        assert_own_view(app, client, world, code, customer)
    admin = client.get(f"/api/v1/assets/{code}/events", headers=auth(world["tokens"]["admin"])).get_json()
    assert len(admin) == len(scans)


def test_anomaly_reasons_naming_other_holders_stay_with_the_operator(client, world):
    code = world["codes"][2]
    # issued to acme, delivered at globex's site: the anomaly names both
    post(client, world, [scan(code, "issue", "depot-a", T0, "acme"),
                         scan(code, "deliver", "globex-site", T0 + timedelta(hours=1)),
                         scan(code, "transfer", "globex-site", T0 + timedelta(hours=2), "acme")])
    admin = client.get(f"/api/v1/assets/{code}/events", headers=auth(world["tokens"]["admin"])).get_json()
    assert any(e["anomaly"] and "globex" in e["anomaly"] for e in admin)
    text = client.get(f"/api/v1/assets/{code}/events", headers=auth(world["tokens"]["acme"])).get_data(as_text=True)
    assert "globex" not in text and json.loads(text)[-1]["customer"] == "acme"
