"""The lifecycle fold: transitions, forced targets, anomalies, custody moves, trips."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.custody import CustodyKind
from app.domain.geo import haversine_km, road_km
from app.domain.lifecycle import ALLOWED, FORCED, HINTS, Projection, Scan, SitePoint, replay, step
from app.domain.policy import CUSTOMER_SITE_EVENTS, DEPOT_EVENTS, check_scan
from app.domain.states import HELD_BY_CUSTOMER
from app.domain.states import AssetState as S
from app.domain.states import EventType as E
from app.domain.trips import Trip, TripLeg

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
DEPOT_A = SitePoint("depot-a", "depot", 51.43, 6.76)
DEPOT_B = SitePoint("depot-b", "depot", 50.90, 6.92)
ACME = SitePoint("acme-site", "customer", 51.03, 6.98, "acme")
GLOBEX = SitePoint("globex-site", "customer", 51.48, 7.22, "globex")


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def sc(event: E, site: SitePoint, hours: float = 0, customer: str | None = None) -> Scan:
    return Scan(event, at(hours), site, customer)


def projection_in(state: S) -> Projection:
    """A plausible projection for an asset in `state` (holder and site consistent with it)."""
    if state in HELD_BY_CUSTOMER:
        site = ACME if state is S.AT_CUSTOMER else DEPOT_A
        trip = Trip(seq=1, opened_at=at(-10), origin=DEPOT_A,
                    legs=(TripLeg("acme", ACME if state is S.AT_CUSTOMER else None, at(-10)),))
        return Projection(state=state, holder_customer_id="acme", holder_since=at(-10), site=site, trip=trip,
                          trips_opened=1, last_event_at=at(-10))
    if state is S.IN_RETURN:
        trip = Trip(seq=1, opened_at=at(-10), origin=DEPOT_A, legs=(TripLeg("acme", ACME, at(-9)),),
                    collected_at=at(-5))
        return Projection(state=state, site=ACME, trip=trip, trips_opened=1, last_event_at=at(-5))
    return Projection(state=state, site=DEPOT_A, last_event_at=at(-10))


def natural_scan(state: S, event: E) -> Scan:
    """A scan of `event` where the process would record it, for an asset in `state`."""
    customer = None
    if event in DEPOT_EVENTS:
        site = DEPOT_A
    elif event in CUSTOMER_SITE_EVENTS:
        site = ACME
    elif state in (S.AT_CUSTOMER,):
        site = ACME
    else:
        site = DEPOT_A
    if event is E.ISSUE:
        customer = "acme"
    if event is E.TRANSFER:
        site, customer = ACME, "globex"
    return Scan(event, at(0), site, customer)


# --------------------------------------------------------------------------- transitions

@pytest.mark.parametrize("state,event,target", sorted(((s, e, t) for (s, e), t in ALLOWED.items()),
                                                      key=lambda x: (x[0], x[1])),
                         ids=lambda v: v.label if hasattr(v, "label") else str(v))
def test_every_allowed_transition_reaches_its_target_without_anomaly(state, event, target):
    r = step(projection_in(state), natural_scan(state, event))
    assert r.projection.state is target
    assert r.anomaly is None
    assert r.projection.site == natural_scan(state, event).site
    assert r.projection.last_event_at == at(0)


def test_allowed_table_covers_the_process_loop():
    loop = [(S.AVAILABLE, E.ISSUE), (S.ISSUED, E.DELIVER), (S.AT_CUSTOMER, E.COLLECT), (S.IN_RETURN, E.RECEIVE),
            (S.RECEIVED, E.CLEAN), (S.CLEANED, E.INSPECT_PASS)]
    state = S.AVAILABLE
    for s, e in loop:
        assert s is state
        state = ALLOWED[(s, e)]
    assert state is S.AVAILABLE
    # nothing leaves RETIRED and nothing but FIND leaves LOST
    assert not [k for k in ALLOWED if k[0] is S.RETIRED]
    assert {e for (s, e) in ALLOWED if s is S.LOST} == {E.FIND}


NOT_ALLOWED = sorted(((s, e) for s in S for e in E if (s, e) not in ALLOWED and s is not S.RETIRED),
                     key=lambda x: (x[0], x[1]))


@pytest.mark.parametrize("state,event", NOT_ALLOWED, ids=lambda v: v.label)
def test_disallowed_transition_moves_to_the_forced_target_and_reports_an_anomaly(state, event):
    scan = natural_scan(state, event)
    r = step(projection_in(state), scan)
    expected = FORCED[event]
    if expected is None:
        expected = state
    elif event is E.FIND and scan.site.kind == "customer":
        expected = S.AT_CUSTOMER
    assert r.projection.state is expected
    assert r.anomaly
    if (event, state) in HINTS:
        assert r.anomaly == HINTS[(event, state)]
    else:
        assert r.anomaly == f"{event.label} is not allowed in state {state.label}"


@pytest.mark.parametrize("event", list(E), ids=lambda e: e.label)
def test_retired_is_terminal(event):
    p = Projection(state=S.RETIRED, site=DEPOT_A, last_event_at=at(-1))
    r = step(p, natural_scan(S.RETIRED, event))
    assert r.projection.state is S.RETIRED
    assert r.anomaly == f"{event.label} scanned on a retired asset"
    assert r.moves == ()
    assert r.projection.holder_customer_id is None


@pytest.mark.parametrize("event,state,hint", [(e, s, h) for (e, s), h in HINTS.items()],
                         ids=lambda v: v.label if hasattr(v, "label") else "")
def test_hints_name_the_missing_step(event, state, hint):
    r = step(projection_in(state), natural_scan(state, event))
    assert r.anomaly == hint


def test_receive_without_collect_is_forced_to_received_and_ends_custody():
    p = projection_in(S.AT_CUSTOMER)
    r = step(p, sc(E.RECEIVE, DEPOT_B, 1))
    assert r.projection.state is S.RECEIVED
    assert r.anomaly == "received at a depot without a collection scan"
    assert r.projection.holder_customer_id is None
    assert [(m.customer_id, m.kind, m.delta) for m in r.moves] == [("acme", "returned", -1)]
    assert r.closed_trip is not None and r.closed_trip.outcome == "completed"
    assert r.closed_trip.return_site == DEPOT_B


def test_check_proves_place_but_not_state():
    p = projection_in(S.CLEANED)
    r = step(p, sc(E.CHECK, DEPOT_B, 1))
    assert r.projection.state is S.CLEANED and r.anomaly is None
    assert r.projection.site == DEPOT_B
    lost = Projection(state=S.LOST, site=DEPOT_A)
    r = step(lost, sc(E.CHECK, DEPOT_B, 1))
    assert r.projection.state is S.LOST
    assert r.anomaly == "check is not allowed in state lost"


def test_find_at_customer_site_puts_asset_back_with_that_customer():
    lost = Projection(state=S.LOST, site=DEPOT_A, trips_opened=1)
    r = step(lost, sc(E.FIND, GLOBEX, 1))
    assert r.anomaly is None
    assert r.projection.state is S.AT_CUSTOMER
    assert r.projection.holder_customer_id == "globex"
    assert [(m.customer_id, m.kind, m.delta) for m in r.moves] == [("globex", "found", 1)]
    assert r.projection.trip is not None and r.projection.trip.seq == 2
    r = step(lost, sc(E.FIND, DEPOT_B, 1))
    assert r.projection.state is S.RECEIVED and r.projection.holder_customer_id is None and r.moves == ()


def test_last_event_at_never_goes_back():
    p = Projection(state=S.AVAILABLE, site=DEPOT_A, last_event_at=at(5))
    r = step(p, sc(E.CHECK, DEPOT_A, 1))
    assert r.projection.last_event_at == at(5)


# --------------------------------------------------------------------------- custody

def moves_of(results) -> list[tuple[str, str, int]]:
    return [(m.customer_id, m.kind, m.delta) for r in results for m in r.moves]


def test_full_trip_custody_is_issue_then_return():
    results = replay([sc(E.ISSUE, DEPOT_A, 0, "acme"), sc(E.DELIVER, ACME, 1), sc(E.COLLECT, ACME, 2),
                      sc(E.RECEIVE, DEPOT_A, 3)], Projection(site=DEPOT_A))
    assert moves_of(results) == [("acme", "issued", 1), ("acme", "returned", -1)]
    assert [r.projection.holder_customer_id for r in results] == ["acme", "acme", None, None]
    assert results[0].projection.holder_since == at(0)
    assert results[1].projection.holder_since == at(0)  # delivery to the same customer keeps the date


def test_transfer_moves_custody_between_customers_and_keeps_the_trip_open():
    results = replay([sc(E.ISSUE, DEPOT_A, 0, "acme"), sc(E.DELIVER, ACME, 1), sc(E.TRANSFER, ACME, 2, "globex")],
                     Projection(site=DEPOT_A))
    assert moves_of(results) == [("acme", "issued", 1), ("acme", "transfer_out", -1), ("globex", "transfer_in", 1)]
    last = results[-1]
    assert last.anomaly is None
    assert last.projection.state is S.AT_CUSTOMER
    assert last.projection.holder_customer_id == "globex"
    assert last.projection.holder_since == at(2)
    assert last.closed_trip is None and last.projection.trip.outcome == "open"
    assert last.projection.trip.customer_ids == ("acme", "globex")
    # a later sighting at the new customer's site adds that site to the trip
    r = step(last.projection, sc(E.CHECK, GLOBEX, 3))
    assert r.projection.trip.visited_sites[0] == ACME and r.projection.trip.visited_sites[-1] == GLOBEX
    assert r.projection.trip.transfer_km == road_km(ACME, GLOBEX) > 0
    assert r.projection.holder_customer_id == "globex" and r.moves == ()


def test_transfer_scanned_at_receiving_site_counts_transfer_distance():
    results = replay([sc(E.ISSUE, DEPOT_A, 0, "acme"), sc(E.DELIVER, ACME, 1), sc(E.TRANSFER, GLOBEX, 2, "globex"),
                      sc(E.COLLECT, GLOBEX, 3), sc(E.RECEIVE, DEPOT_B, 4)], Projection(site=DEPOT_A))
    assert all(r.anomaly is None for r in results)
    trip = results[-1].closed_trip
    assert trip.outcome == "completed" and trip.customer_ids == ("acme", "globex")
    assert trip.visited_sites == (ACME, GLOBEX)
    assert trip.outbound_km == road_km(DEPOT_A, ACME)
    assert trip.transfer_km == road_km(ACME, GLOBEX) > 0
    assert trip.return_km == road_km(GLOBEX, DEPOT_B)


def test_transfer_to_current_holder_is_an_anomaly_without_moves():
    p = projection_in(S.AT_CUSTOMER)
    r = step(p, sc(E.TRANSFER, ACME, 1, "acme"))
    assert r.anomaly == "transfer to acme, which already holds the asset"
    assert r.moves == ()


def test_delivery_to_another_customer_than_issued_moves_custody():
    p = replay([sc(E.ISSUE, DEPOT_A, 0, "acme")], Projection(site=DEPOT_A))[-1].projection
    r = step(p, sc(E.DELIVER, GLOBEX, 1))
    assert r.anomaly == "delivered to globex but issued to acme"
    assert r.projection.holder_customer_id == "globex"
    assert [(m.customer_id, m.kind, m.delta) for m in r.moves] == [("acme", "transfer_out", -1),
                                                                    ("globex", "transfer_in", 1)]


@pytest.mark.parametrize("event,kind", [(E.LOSE, "lost"), (E.SCRAP, "lost"), (E.COLLECT, "returned"),
                                        (E.RECEIVE, "returned")])
def test_leaving_a_customer_books_the_right_outgoing_move(event, kind):
    p = projection_in(S.AT_CUSTOMER)
    site = ACME if event in (E.COLLECT, E.LOSE) else DEPOT_A
    r = step(p, sc(event, site, 1))
    assert [(m.customer_id, m.kind, m.delta) for m in r.moves] == [("acme", kind, -1)]
    assert r.projection.holder_customer_id is None


# --------------------------------------------------------------------------- trips

def test_full_trip_closes_completed_with_distances():
    scans = [sc(E.ISSUE, DEPOT_A, 0, "acme"), sc(E.DELIVER, ACME, 1), sc(E.COLLECT, ACME, 2),
             sc(E.RECEIVE, DEPOT_B, 3), sc(E.CLEAN, DEPOT_B, 4), sc(E.INSPECT_PASS, DEPOT_B, 5)]
    results = replay(scans, Projection(site=DEPOT_A))
    assert all(r.anomaly is None for r in results)
    closed = [r.closed_trip for r in results if r.closed_trip is not None]
    assert len(closed) == 1
    trip = closed[0]
    assert trip.outcome == "completed" and trip.seq == 1
    assert (trip.opened_at, trip.delivered_at, trip.collected_at, trip.closed_at) == (at(0), at(1), at(2), at(3))
    assert trip.origin == DEPOT_A and trip.return_site == DEPOT_B
    assert trip.outbound_km == road_km(DEPOT_A, ACME) > 0
    assert trip.return_km == road_km(ACME, DEPOT_B) > 0
    assert trip.transfer_km == 0
    final = results[-1].projection
    assert final.state is S.AVAILABLE and final.trip is None
    assert final.trip_count == 1 and final.trips_opened == 1


def test_issue_then_receive_without_delivery_is_cancelled():
    results = replay([sc(E.ISSUE, DEPOT_A, 0, "acme"), sc(E.RECEIVE, DEPOT_A, 1)], Projection(site=DEPOT_A))
    assert results[1].anomaly == "received at a depot without delivery or collection scans"
    assert results[1].closed_trip.outcome == "cancelled"
    assert results[1].projection.trip_count == 0


def test_lose_during_trip_closes_it_as_lost():
    results = replay([sc(E.ISSUE, DEPOT_A, 0, "acme"), sc(E.DELIVER, ACME, 1), sc(E.LOSE, ACME, 2)],
                     Projection(site=DEPOT_A))
    assert results[-1].closed_trip.outcome == "lost"
    assert results[-1].projection.state is S.LOST
    assert results[-1].projection.trip is None and results[-1].projection.trip_count == 0


def test_scrap_at_customer_closes_trip_as_retired():
    results = replay([sc(E.ISSUE, DEPOT_A, 0, "acme"), sc(E.DELIVER, ACME, 1), sc(E.SCRAP, DEPOT_A, 2)],
                     Projection(site=DEPOT_A))
    assert results[-1].anomaly == "scrap is not allowed in state at_customer"
    assert results[-1].closed_trip.outcome == "retired"
    assert results[-1].projection.state is S.RETIRED


def test_reissue_while_at_customer_closes_previous_trip_unobserved_and_opens_next():
    results = replay([sc(E.ISSUE, DEPOT_A, 0, "acme"), sc(E.DELIVER, ACME, 1), sc(E.ISSUE, DEPOT_B, 5, "globex")],
                     Projection(site=DEPOT_A))
    last = results[-1]
    assert last.anomaly == "issued again while still at a customer: the return was not scanned"
    assert last.closed_trip.outcome == "return_unobserved" and last.closed_trip.seq == 1
    assert last.projection.trip.seq == 2 and last.projection.trip.origin == DEPOT_B
    assert last.projection.trips_opened == 2
    assert moves_of(results) == [("acme", "issued", 1), ("acme", "transfer_out", -1), ("globex", "transfer_in", 1)]


def test_depot_transfer_is_not_a_trip():
    results = replay([sc(E.DISPATCH, DEPOT_A, 0), sc(E.RECEIVE, DEPOT_B, 5)], Projection(site=DEPOT_A))
    assert [r.projection.state for r in results] == [S.IN_DEPOT_TRANSFER, S.AVAILABLE]
    assert all(r.anomaly is None and r.closed_trip is None and r.projection.trip is None for r in results)
    assert results[-1].projection.site == DEPOT_B


def test_trip_with_leg_merges_delivery_into_issued_leg():
    trip = Trip(seq=1, opened_at=at(0), origin=DEPOT_A).with_leg(TripLeg("acme", None, at(0)))
    trip = trip.with_leg(TripLeg("acme", ACME, at(1)))
    assert len(trip.legs) == 1 and trip.legs[0].site == ACME
    assert trip.delivered_at == at(1)  # the delivery scan, not the issue
    assert trip.with_leg(TripLeg("acme", ACME, at(2))) is trip
    other_site = SitePoint("acme-2", "customer", 51.1, 7.0, "acme")
    assert len(trip.with_leg(TripLeg("acme", other_site, at(2))).legs) == 2


# --------------------------------------------------------------------------- distances

def test_haversine_known_distance_and_road_factor():
    # Cologne cathedral -> Duesseldorf main station: about 34 km great circle
    d = haversine_km(50.9413, 6.9583, 51.2200, 6.7942)
    assert 32.5 < d < 34.5
    assert haversine_km(51.0, 7.0, 51.0, 7.0) == 0
    assert road_km(DEPOT_A, ACME) == road_km(ACME, DEPOT_A)
    assert road_km(DEPOT_A, ACME) == round(haversine_km(DEPOT_A.lat, DEPOT_A.lon, ACME.lat, ACME.lon) * 1.3, 3)
    assert road_km(None, ACME) == 0.0 and road_km(ACME, None) == 0.0


# --------------------------------------------------------------------------- folds

SITES = [DEPOT_A, DEPOT_B, ACME, GLOBEX]
scans_st = st.lists(
    st.tuples(st.sampled_from(list(E)), st.sampled_from(SITES), st.sampled_from(["acme", "globex"]),
              st.integers(0, 1000)),
    max_size=40,
).map(lambda items: [Scan(e, at(h / 4), site, cust if e in (E.ISSUE, E.TRANSFER) else None)
                     for e, site, cust, h in sorted(items, key=lambda t: t[3])
                     # only scans the API accepts: events at the place the policy allows
                     if check_scan("admin", e, site.kind, cust if e in (E.ISSUE, E.TRANSFER) else None) is None])


@settings(max_examples=200, deadline=None)
@given(scans_st)
def test_replay_equals_stepwise_fold(scans):
    start = Projection(site=DEPOT_A)
    results = replay(scans, start)
    p = start
    for scan, r in zip(scans, results, strict=True):
        expected = step(p, scan)
        assert r == expected
        p = expected.projection
    # resuming from any intermediate projection gives the same tail
    if scans:
        cut = len(scans) // 2
        head = replay(scans[:cut], start)
        tail = replay(scans[cut:], head[-1].projection if head else start)
        assert head + tail == results


@settings(max_examples=200, deadline=None)
@given(scans_st)
def test_custody_moves_always_add_up_to_the_holder(scans):
    results = replay(scans, Projection(site=DEPOT_A))
    final = results[-1].projection if results else Projection(site=DEPOT_A)
    per_customer = Counter()
    for r in results:
        for m in r.moves:
            assert m.delta in (1, -1)
            assert isinstance(m.kind, CustodyKind) and m.delta == m.kind.sign
            # into the custody of the holder after the scan, out of the one before it
            assert (m.delta == 1) == (m.customer_id == r.projection.holder_customer_id)
            per_customer[m.customer_id] += m.delta
        # holder set exactly when a customer is accountable
        assert (r.projection.holder_customer_id is not None) == (r.projection.state in HELD_BY_CUSTOMER)
        assert r.projection.trips_opened >= r.projection.trip_count
    expected = Counter({final.holder_customer_id: 1}) if final.holder_customer_id else Counter()
    assert {c: n for c, n in per_customer.items() if n} == dict(expected)
    closed = [r.closed_trip for r in results if r.closed_trip is not None]
    assert final.trip_count == sum(1 for t in closed if t.outcome == "completed")
    assert final.trips_opened == len(closed) + (1 if final.trip is not None else 0)
    assert [t.seq for t in closed] == sorted(t.seq for t in closed)


# --------------------------------------------------------------------------- policy

def test_policy_roles_and_places():
    assert check_scan("driver", E.ISSUE, "depot", "acme") == ("event", "role driver may not record issue")
    assert check_scan("customer", E.CHECK, "depot", None)[0] == "event"
    assert check_scan("depot", E.ISSUE, "customer", "acme")[0] == "site"
    assert check_scan("driver", E.DELIVER, "depot", None)[0] == "site"
    assert check_scan("admin", E.ISSUE, "depot", None)[0] == "customer"
    assert check_scan("admin", E.RECEIVE, "depot", "acme")[0] == "customer"
    assert check_scan("depot", E.ISSUE, "depot", "acme") is None
    assert check_scan("driver", E.TRANSFER, "customer", "globex") is None
