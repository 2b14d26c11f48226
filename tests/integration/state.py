"""Reading back what the service stored: row counts, per-asset snapshots, invariants."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import text

from app.domain.lifecycle import Projection, Scan, SitePoint, replay
from app.domain.states import HELD_BY_CUSTOMER, AssetState, EventType

COUNTED = ("scan_events", "assets", "trips", "custody_moves", "anomalies")


def rows(app, sql: str, **params) -> list:
    # Through the app's session factory, so a db_session test reads its own uncommitted rows.
    with app.extensions["sessionmaker"]() as session:
        return [tuple(r) for r in session.execute(text(sql), params)]


def ts(value):
    """A timestamp read with raw SQL: SQLite gives text, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def counts(app) -> dict[str, int]:
    with app.extensions["sessionmaker"]() as session:
        return {t: session.scalar(text(f"SELECT count(*) FROM {t}")) for t in COUNTED}


def asset_state(app, code: str) -> tuple:
    return rows(app, "SELECT state, holder_customer_id, holder_since, site_id, open_trip_seq, trip_count, "
                     "trips_opened, last_event_at FROM assets WHERE code = :c", c=code)[0]


def snapshot(app, codes: list[str] | None = None) -> dict:
    """Everything derived from the scans, keyed by asset code (ids and row ids left out)."""
    where = "WHERE a.code = ANY(:codes)" if codes is not None else ""
    params = {"codes": list(codes)} if codes is not None else {}
    assets = rows(app, f"SELECT a.code, a.state, a.holder_customer_id, a.holder_since, a.site_id, a.open_trip_seq, "
                       f"a.trip_count, a.trips_opened, a.last_event_at FROM assets a {where} ORDER BY a.code", **params)
    trips = rows(app, f"SELECT a.code, t.seq, t.opened_at, t.delivered_at, t.collected_at, t.closed_at, t.outcome, "
                      f"t.origin_site_id, t.return_site_id, t.customer_id, t.legs::text, t.outbound_km, t.transfer_km, "
                      f"t.return_km FROM trips t JOIN assets a ON a.id = t.asset_id {where} ORDER BY a.code, t.seq",
                 **params)
    moves = rows(app, f"SELECT a.code, m.customer_id, m.kind, m.delta, m.occurred_at, e.scan_id FROM custody_moves m "
                      f"JOIN assets a ON a.id = m.asset_id JOIN scan_events e ON e.id = m.scan_event_id {where} "
                      f"ORDER BY a.code, m.occurred_at, e.scan_id, m.kind", **params)
    events = rows(app, f"SELECT a.code, e.scan_id, e.status, e.anomaly_reason FROM scan_events e "
                       f"JOIN assets a ON a.id = e.asset_id {where} ORDER BY a.code, e.scan_id", **params)
    anomalies = rows(app, f"SELECT a.code, e.scan_id, n.reason, n.cleared_by_replay, n.resolved_at IS NOT NULL "
                          f"FROM anomalies n JOIN scan_events e ON e.id = n.scan_event_id JOIN assets a "
                          f"ON a.id = n.asset_id {where} ORDER BY a.code, e.scan_id", **params)
    balances = rows(app, f"SELECT m.customer_id, sum(m.delta) FROM custody_moves m JOIN assets a ON a.id = m.asset_id "
                         f"{where} GROUP BY m.customer_id ORDER BY m.customer_id", **params)
    return {"assets": assets, "trips": trips, "moves": moves, "events": events, "anomalies": anomalies,
            "balances": balances}


def open_anomalies(app, code: str) -> list[tuple]:
    return rows(app, "SELECT e.scan_id, n.reason FROM anomalies n JOIN scan_events e ON e.id = n.scan_event_id "
                     "JOIN assets a ON a.id = n.asset_id WHERE a.code = :c AND NOT n.cleared_by_replay "
                     "AND n.resolved_at IS NULL ORDER BY e.occurred_at", c=code)


def site_points(app) -> dict[str, SitePoint]:
    return {r[0]: SitePoint(r[0], r[1], r[2], r[3], r[4])
            for r in rows(app, "SELECT id, kind, lat, lon, customer_id FROM sites")}


def assert_projection_is_fold_of_events(app) -> int:
    """Each asset's stored projection equals the pure fold of its stored scans in physical order.

    Also checks that each stored scan's status and the asset's custody moves and trips agree
    with that fold. Returns the number of assets checked."""
    sites = site_points(app)
    assets = rows(app, "SELECT id, code, home_site_id, state, holder_customer_id, site_id, trip_count, trips_opened, "
                       "open_trip_seq, last_event_at, holder_since FROM assets ORDER BY id")
    events: dict[int, list] = {}
    for r in rows(app, "SELECT asset_id, event, occurred_at, site_id, customer_id, status, scan_id FROM scan_events "
                       "ORDER BY asset_id, occurred_at, id"):
        events.setdefault(r[0], []).append(r)
    moves: dict[int, Counter] = {}
    for asset_id, customer, kind, delta, n in rows(
            app, "SELECT asset_id, customer_id, kind, delta, count(*) FROM custody_moves "
                 "GROUP BY asset_id, customer_id, kind, delta"):
        moves.setdefault(asset_id, Counter())[(customer, kind, delta)] = n
    trips: dict[int, list] = {}
    for asset_id, seq, outcome in rows(app, "SELECT asset_id, seq, outcome FROM trips ORDER BY asset_id, seq"):
        trips.setdefault(asset_id, []).append((seq, outcome))
    checked = 0
    for (asset_id, code, home, state, holder, site, trip_count, trips_opened, open_seq, last_at,
         holder_since) in assets:
        history = events.get(asset_id, [])
        if not history:
            assert state == AssetState.AVAILABLE and holder is None and trip_count == 0, code
            continue
        scans = [Scan(EventType(e[1]), ts(e[2]), sites[e[3]], e[4]) for e in history]
        results = replay(scans, Projection(site=sites.get(home)))
        final = results[-1].projection
        got = (AssetState(state), holder, site, trip_count, trips_opened, open_seq, ts(last_at), ts(holder_since))
        want = (final.state, final.holder_customer_id, final.site.site_id, final.trip_count, final.trips_opened,
                final.trip.seq if final.trip else None, final.last_event_at, final.holder_since)
        assert got == want, f"asset {code}: stored {got} != fold {want}"
        statuses = [e[5] for e in history]
        assert statuses == [2 if r.anomaly else 1 for r in results], f"asset {code}: event statuses differ"
        want_moves = Counter((m.customer_id, m.kind, m.delta) for r in results for m in r.moves)
        assert moves.get(asset_id, Counter()) == want_moves, f"asset {code}: custody moves differ"
        closed = [(r.closed_trip.seq, r.closed_trip.outcome) for r in results if r.closed_trip is not None]
        if final.trip is not None:
            closed.append((final.trip.seq, "open"))
        assert trips.get(asset_id, []) == sorted(closed), f"asset {code}: trips differ"
        checked += 1
    return checked


def day_of(value) -> date:
    """A `date` column read with raw SQL (SQLite gives text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def assert_balance_counters_match_holdings(app) -> None:
    """Each balance counter (customer, asset type, site, UTC day held since) equals the
    number of assets that key describes; no counter is negative or left over."""
    held: Counter = Counter()
    for customer, type_id, site, since in rows(
            app, "SELECT holder_customer_id, asset_type_id, site_id, holder_since FROM assets "
                 "WHERE holder_customer_id IS NOT NULL"):
        assert since is not None, f"an asset held by {customer} has no holder_since"
        held[(customer, type_id, site or "", ts(since).astimezone(timezone.utc).date())] += 1
    counters = {(c, t, s, day_of(d)): n for c, t, s, d, n in rows(
        app, "SELECT customer_id, asset_type_id, site_id, since_day, count FROM customer_balances WHERE count != 0")}
    assert counters == dict(held), "balance counters differ from the assets customers hold"


def assert_conservation(app, client, admin_headers: dict) -> None:
    """Every asset in the one state its events give; balances add up to the assets customers hold."""
    states = rows(app, "SELECT state, holder_customer_id FROM assets")
    valid = {int(s) for s in AssetState}
    assert all(s in valid for s, _ in states)
    held = sum(1 for s, _ in states if AssetState(s) in HELD_BY_CUSTOMER)
    assert all((h is not None) == (AssetState(s) in HELD_BY_CUSTOMER) for s, h in states)
    assert_projection_is_fold_of_events(app)  # the stored state is the fold of the asset's events
    assert_balance_counters_match_holdings(app)
    customers = [r[0] for r in rows(app, "SELECT id FROM customers ORDER BY id")]
    total = 0
    now = datetime.now(timezone.utc)
    moves = dict(rows(app, "SELECT customer_id, sum(delta) FROM custody_moves GROUP BY customer_id"))
    for c in customers:
        b = client.get(f"/api/v1/customers/{c}/balance", headers=admin_headers)
        assert b.status_code == 200, b.get_json()
        bal = b.get_json()
        assert bal["total"] == sum(bal["by_type"].values()) == sum(bal["by_site"].values())
        assert int(moves.get(c, 0)) == bal["total"], f"custody moves of {c} do not sum to its balance"
        s = client.get(f"/api/v1/customers/{c}/statement", headers=admin_headers,
                       query_string={"from": "2000-01-01T00:00:00+00:00",
                                     "to": (now + timedelta(minutes=1)).isoformat()})
        assert s.status_code == 200, s.get_json()
        st = s.get_json()
        assert st["total"]["opening"] == 0
        assert st["total"]["closing"] == bal["total"]
        total += bal["total"]
    assert total == held
