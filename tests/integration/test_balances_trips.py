"""Customer balances, statements and trips derived from the scans."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.domain.geo import road_km
from app.domain.lifecycle import SitePoint
from tests.conftest import T0, auth, full_trip, scan
from tests.integration.state import assert_conservation, assert_projection_is_fold_of_events, rows

# Sequential HTTP tests over one history: each runs in one rolled-back transaction.
pytestmark = pytest.mark.usefixtures("db_session")

URL = "/api/v1/scans"
MOVE_IN = ("issued", "transfer_in", "found")
MOVE_OUT = ("returned", "transfer_out", "lost")


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


def post(client, headers, scans):
    r = client.post(URL, json={"scans": scans}, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def statement(client, headers, customer, start, end):
    r = client.get(f"/api/v1/customers/{customer}/statement", headers=headers,
                   query_string={"from": start.isoformat(), "to": end.isoformat()})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.fixture
def second_type(app, world):
    from app.catalog import services as catalog
    from app.assets import registry

    with app.app_context():
        catalog.create("asset_type", {"id": "crate", "name": "Crate", "company_prefix": "4012345",
                                      "grai_asset_type": "22222", "tare_mass_kg": 2.0, "overdue_days": 30})
        return [a.code for a in registry.register("crate", 6, "depot-b")]


@pytest.fixture
def history(client, world, admin, second_type):
    """Two weeks of operations for acme and globex with two asset types: trips, transfers, a loss, a find."""
    c, k = world["codes"], second_type
    day = lambda n, h=0: T0 + timedelta(days=n, hours=h)  # noqa: E731
    scans = []
    for i in range(4):  # four IBC trips for acme, completed
        scans += full_trip(c[i], day(0, i))
    for i in range(4, 8):  # four IBCs issued to acme and still there
        scans += [scan(c[i], "issue", "depot-a", day(1, i), "acme"), scan(c[i], "deliver", "acme-site", day(1, i + 2))]
    # two of them are passed on to globex, one of those comes back
    scans += [scan(c[6], "transfer", "acme-site", day(3), "globex"), scan(c[7], "transfer", "acme-site", day(3, 1), "globex"),
              scan(c[7], "collect", "globex-site", day(6)), scan(c[7], "receive", "depot-b", day(6, 3))]
    # crates for globex: three held, one lost, one lost and found again at acme
    for i in range(5):
        scans += [scan(k[i], "issue", "depot-b", day(2, i), "globex"), scan(k[i], "deliver", "globex-site", day(2, i + 1))]
    scans += [scan(k[3], "lose", "depot-b", day(9)), scan(k[4], "lose", "depot-b", day(9)),
              scan(k[4], "find", "acme-site", day(12))]
    body = post(client, admin, scans)
    assert body["summary"] == {"applied": len(scans)}
    return {"day": day, "ibc": c, "crate": k}


def held_count(app, customer=None):
    if customer is None:
        return rows(app, "SELECT count(*) FROM assets WHERE holder_customer_id IS NOT NULL")[0][0]
    return rows(app, "SELECT count(*) FROM assets WHERE holder_customer_id = :c", c=customer)[0][0]


def test_balances_count_held_assets(app, client, world, admin, history):
    acme = client.get("/api/v1/customers/acme/balance", headers=admin).get_json()
    globex = client.get("/api/v1/customers/globex/balance", headers=admin).get_json()
    # acme: IBCs 4 and 5, plus crate 4 found at its site
    assert acme["total"] == 3 == held_count(app, "acme")
    assert acme["by_type"] == {"ibc": 2, "crate": 1}
    assert acme["by_site"] == {"acme-site": 3}
    # globex: IBC 6 (transferred) and crates 0..2
    assert globex["total"] == 4 == held_count(app, "globex")
    assert globex["by_type"] == {"ibc": 1, "crate": 3}
    assert acme["total"] + globex["total"] == held_count(app)
    assert acme["overdue"] == 3 and globex["overdue"] == 4  # everything held since September
    overdue = client.get("/api/v1/customers/globex/overdue", headers=admin).get_json()["items"]
    assert len(overdue) == 4
    assert_conservation(app, client, admin)
    assert assert_projection_is_fold_of_events(app) == 13  # 8 IBCs and 5 crates have scans


def expected_statement(app, customer, start, end) -> dict:
    moves = rows(app, "SELECT asset_type_id, kind, delta, occurred_at FROM custody_moves WHERE customer_id = :c",
                 c=customer)
    out: dict = {}
    for type_id, kind, delta, at in moves:
        row = out.setdefault(type_id, {k: 0 for k in ("opening", *MOVE_IN, *MOVE_OUT, "closing")})
        if at < start:
            row["opening"] += delta
        if at < end:
            row["closing"] += delta
        if start <= at < end:
            row[kind] += 1
    return out


@pytest.mark.parametrize("window", [(-30, 30), (0, 2), (2, 7), (3, 3.5), (6.5, 13), (10, 11)])
def test_statement_adds_up_for_any_period(app, client, world, admin, history, window):
    start, end = (T0 + timedelta(days=d) for d in window)
    for customer in ("acme", "globex"):
        st = statement(client, admin, customer, start, end)
        assert st["customer"] == customer
        assert datetime.fromisoformat(st["from"]) == start and datetime.fromisoformat(st["to"]) == end
        want = expected_statement(app, customer, start, end)
        got = {t: r for t, r in st["by_type"].items() if any(r.values())}
        assert got == {t: r for t, r in want.items() if any(r.values())}
        for row in st["by_type"].values():
            assert row["closing"] == row["opening"] + sum(row[k] for k in MOVE_IN) - sum(row[k] for k in MOVE_OUT)
        for key, total in st["total"].items():
            assert total == sum(r[key] for r in st["by_type"].values())


def test_statement_ending_now_closes_at_the_balance(app, client, world, admin, history):
    now = datetime.now(timezone.utc) + timedelta(seconds=1)
    for customer in ("acme", "globex"):
        st = statement(client, admin, customer, T0 - timedelta(days=1), now)
        balance = client.get(f"/api/v1/customers/{customer}/balance", headers=admin).get_json()
        assert st["total"]["opening"] == 0
        assert st["total"]["closing"] == balance["total"]
        assert {t: r["closing"] for t, r in st["by_type"].items() if r["closing"]} == balance["by_type"]
    st = statement(client, admin, "globex", T0, now)["total"]
    assert (st["issued"], st["transfer_in"], st["returned"], st["lost"]) == (5, 2, 1, 2)
    st = statement(client, admin, "acme", T0, now)["total"]
    assert (st["issued"], st["transfer_out"], st["returned"], st["found"]) == (8, 2, 4, 1)


def test_statement_rejects_bad_periods(client, world, admin):
    url = "/api/v1/customers/acme/statement"
    r = client.get(url, headers=admin, query_string={"from": "2026-09-02T00:00:00+00:00", "to": "2026-09-01T00:00:00+00:00"})
    assert r.status_code == 422 and "to" in r.get_json()["errors"]
    r = client.get(url, headers=admin, query_string={"from": "2026-09-01T00:00:00", "to": "2026-09-02T00:00:00+00:00"})
    assert r.status_code == 422 and "from" in str(r.get_json()["errors"])
    r = client.get("/api/v1/customers/nobody/statement", headers=admin,
                   query_string={"from": "2026-09-01T00:00:00+00:00", "to": "2026-09-02T00:00:00+00:00"})
    assert r.status_code == 404


def test_full_trip_closes_completed_with_distances(app, client, world, admin):
    code = world["codes"][0]
    trip = full_trip(code, T0)
    post(client, admin, trip)
    post(client, admin, full_trip(code, T0 + timedelta(days=1), "globex", "depot-b"))
    asset = client.get(f"/api/v1/assets/{code}", headers=admin).get_json()
    assert asset["trip_count"] == 2 and asset["state"] == "available" and asset["open_trip"] is None
    assert asset["site"] == "depot-b" and asset["holder"] is None
    trips = client.get(f"/api/v1/assets/{code}/trips", headers=admin).get_json()
    assert [(t["seq"], t["outcome"], t["customers"]) for t in trips] == [(1, "completed", ["acme"]),
                                                                       (2, "completed", ["globex"])]
    depot = SitePoint("depot-a", "depot", 51.43, 6.76)
    acme = SitePoint("acme-site", "customer", 51.03, 6.98, "acme")
    first = trips[0]
    assert first["outbound_km"] == road_km(depot, acme) > 0
    assert first["return_km"] == road_km(acme, depot) > 0
    assert first["transfer_km"] == 0
    assert (first["origin_site"], first["return_site"]) == ("depot-a", "depot-a")
    times = [datetime.fromisoformat(s["occurred_at"]) for s in trip]
    assert [datetime.fromisoformat(first[k]) for k in ("opened_at", "delivered_at", "collected_at", "closed_at")] == \
        [times[0], times[1], times[2], times[3]]
    assert trips[1]["outbound_km"] > 0 and trips[1]["return_km"] > 0
    assert trips[1]["outbound_km"] != first["outbound_km"]


def test_transfer_keeps_trip_open_and_moves_balance(app, client, world, admin):
    code = world["codes"][0]
    post(client, admin, [scan(code, "issue", "depot-a", T0, "acme"), scan(code, "deliver", "acme-site", T0 + timedelta(hours=1))])
    balance = lambda c: client.get(f"/api/v1/customers/{c}/balance", headers=admin).get_json()["total"]  # noqa: E731
    assert (balance("acme"), balance("globex")) == (1, 0)
    body = post(client, admin, [scan(code, "transfer", "globex-site", T0 + timedelta(hours=5), "globex")])
    assert body["results"][0]["status"] == "applied"
    assert body["results"][0]["asset"]["holder"] == "globex" and body["results"][0]["asset"]["open_trip"] == 1
    assert (balance("acme"), balance("globex")) == (0, 1)
    asset = client.get(f"/api/v1/assets/{code}", headers=admin).get_json()
    assert asset["state"] == "at_customer" and asset["holder"] == "globex" and asset["trip_count"] == 0
    open_trip = asset["open_trip"]
    assert open_trip["outcome"] == "open" and open_trip["closed_at"] is None
    assert open_trip["customers"] == ["acme", "globex"]
    assert open_trip["transfer_km"] > 0
    post(client, admin, [scan(code, "collect", "globex-site", T0 + timedelta(days=2)),
                         scan(code, "receive", "depot-b", T0 + timedelta(days=2, hours=2))])
    [trip] = client.get(f"/api/v1/assets/{code}/trips", headers=admin).get_json()
    assert trip["outcome"] == "completed" and trip["customers"] == ["acme", "globex"]
    assert trip["return_km"] > 0 and trip["return_site"] == "depot-b"
    assert (balance("acme"), balance("globex")) == (0, 0)
    st = statement(client, admin, "acme", T0 - timedelta(days=1), T0 + timedelta(days=3))["total"]
    assert (st["issued"], st["transfer_out"], st["closing"]) == (1, 1, 0)
    st = statement(client, admin, "globex", T0 - timedelta(days=1), T0 + timedelta(days=3))["total"]
    assert (st["transfer_in"], st["returned"], st["closing"]) == (1, 1, 0)


def test_loss_ends_custody_and_trip(app, client, world, admin):
    code = world["codes"][0]
    post(client, admin, full_trip(code, T0)[:2] + [scan(code, "lose", "depot-a", T0 + timedelta(days=40))])
    assert client.get("/api/v1/customers/acme/balance", headers=admin).get_json()["total"] == 0
    [trip] = client.get(f"/api/v1/assets/{code}/trips", headers=admin).get_json()
    assert trip["outcome"] == "lost"
    asset = client.get(f"/api/v1/assets/{code}", headers=admin).get_json()
    assert asset["state"] == "lost" and asset["trip_count"] == 0
    st = statement(client, admin, "acme", T0 - timedelta(days=1), T0 + timedelta(days=41))["total"]
    assert (st["issued"], st["lost"], st["closing"]) == (1, 1, 0)
