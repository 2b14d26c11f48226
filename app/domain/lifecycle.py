"""The asset lifecycle: a pure fold of scans into a projection.

A scan is an observation of the physical world. `step` never refuses a well-formed scan:
when the state machine does not allow the transition, the scan still moves the asset to
the state its event and site prove, and the step reports an anomaly to review. The same
fold serves in-order ingestion (one step on the stored projection) and late or
out-of-order scans (replay of the asset's whole history), so both give the same result.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from app.domain.custody import CustodyKind as K
from app.domain.geo import road_km
from app.domain.states import HELD_BY_CUSTOMER
from app.domain.states import AssetState as S
from app.domain.states import EventType as E
from app.domain.trips import CustodyMove, SitePoint, Trip, TripLeg

DEPOT_STATES = frozenset({S.AVAILABLE, S.RECEIVED, S.CLEANED, S.DAMAGED, S.REPAIRED})

# (state, event) -> next state, for every transition the process allows.
ALLOWED: dict[tuple[S, E], S] = {
    (S.AVAILABLE, E.ISSUE): S.ISSUED,
    (S.ISSUED, E.DELIVER): S.AT_CUSTOMER,
    (S.AT_CUSTOMER, E.TRANSFER): S.AT_CUSTOMER,
    (S.AT_CUSTOMER, E.COLLECT): S.IN_RETURN,
    (S.IN_RETURN, E.RECEIVE): S.RECEIVED,
    (S.IN_DEPOT_TRANSFER, E.RECEIVE): S.AVAILABLE,
    (S.RECEIVED, E.CLEAN): S.CLEANED,
    (S.CLEANED, E.CLEAN): S.CLEANED,
    (S.CLEANED, E.INSPECT_PASS): S.AVAILABLE,
    (S.REPAIRED, E.INSPECT_PASS): S.AVAILABLE,
    (S.AVAILABLE, E.INSPECT_PASS): S.AVAILABLE,
    (S.CLEANED, E.INSPECT_FAIL): S.DAMAGED,
    (S.REPAIRED, E.INSPECT_FAIL): S.DAMAGED,
    (S.AVAILABLE, E.INSPECT_FAIL): S.DAMAGED,
    (S.RECEIVED, E.INSPECT_FAIL): S.DAMAGED,
    (S.DAMAGED, E.REPAIR): S.REPAIRED,
    (S.AVAILABLE, E.DISPATCH): S.IN_DEPOT_TRANSFER,
    (S.LOST, E.FIND): S.RECEIVED,  # at a depot; at a customer site see _forced_target
}
for _state in DEPOT_STATES:
    ALLOWED[(_state, E.DAMAGE)] = S.DAMAGED
    ALLOWED[(_state, E.SCRAP)] = S.RETIRED
    ALLOWED[(_state, E.RECYCLE)] = S.RETIRED
for _state in set(S) - {S.LOST, S.RETIRED}:
    ALLOWED[(_state, E.LOSE)] = S.LOST
    ALLOWED[(_state, E.CHECK)] = _state

# Where an event puts the asset when its transition is not allowed: the state the scan
# proves physically. None means "keep the current state" (a check proves only a place).
FORCED: dict[E, S | None] = {
    E.ISSUE: S.ISSUED,
    E.DELIVER: S.AT_CUSTOMER,
    E.TRANSFER: S.AT_CUSTOMER,
    E.COLLECT: S.IN_RETURN,
    E.RECEIVE: S.RECEIVED,
    E.CLEAN: S.CLEANED,
    E.INSPECT_PASS: S.AVAILABLE,
    E.INSPECT_FAIL: S.DAMAGED,
    E.REPAIR: S.REPAIRED,
    E.DAMAGE: S.DAMAGED,
    E.DISPATCH: S.IN_DEPOT_TRANSFER,
    E.CHECK: None,
    E.LOSE: S.LOST,
    E.FIND: S.RECEIVED,
    E.SCRAP: S.RETIRED,
    E.RECYCLE: S.RETIRED,
}

# Hints that turn the generic "not allowed" into something a reviewer can act on.
HINTS: dict[tuple[E, S], str] = {
    (E.RECEIVE, S.AT_CUSTOMER): "received at a depot without a collection scan",
    (E.RECEIVE, S.ISSUED): "received at a depot without delivery or collection scans",
    (E.ISSUE, S.AT_CUSTOMER): "issued again while still at a customer: the return was not scanned",
    (E.ISSUE, S.RECEIVED): "issued without cleaning and inspection",
    (E.ISSUE, S.DAMAGED): "issued while damaged",
    (E.DELIVER, S.AVAILABLE): "delivered without an issue scan",
    (E.COLLECT, S.ISSUED): "collected without a delivery scan",
}


@dataclass(frozen=True)
class Scan:
    event: E
    occurred_at: datetime
    site: SitePoint
    customer_id: str | None = None  # the receiving customer, for issue and transfer


@dataclass(frozen=True)
class Projection:
    """The current state of one asset, as derived from its scans."""

    state: S = S.AVAILABLE
    holder_customer_id: str | None = None
    holder_since: datetime | None = None
    site: SitePoint | None = None
    trip: Trip | None = None
    trip_count: int = 0  # completed trips
    trips_opened: int = 0
    last_event_at: datetime | None = None


@dataclass(frozen=True)
class StepResult:
    projection: Projection
    anomaly: str | None
    moves: tuple[CustodyMove, ...]
    closed_trip: Trip | None


def step(p: Projection, scan: Scan) -> StepResult:
    """Apply one scan to a projection. Pure and total: never raises for a valid scan."""
    event, state = scan.event, p.state
    target = ALLOWED.get((state, event))
    anomaly = None
    if state is S.RETIRED:
        target = S.RETIRED
        anomaly = f"{event.label} scanned on a retired asset"
    elif target is None:
        target = _forced_target(p, scan)
        anomaly = HINTS.get((event, state)) or f"{event.label} is not allowed in state {state.label}"
    elif event is E.FIND and scan.site.kind == "customer":
        target = S.AT_CUSTOMER

    new_holder = _holder_after(p, scan, target)
    if event is E.DELIVER and p.holder_customer_id and new_holder != p.holder_customer_id and not anomaly:
        anomaly = f"delivered to {new_holder} but issued to {p.holder_customer_id}"
    if event is E.TRANSFER and scan.customer_id == p.holder_customer_id and not anomaly:
        anomaly = f"transfer to {scan.customer_id}, which already holds the asset"

    moves = _custody_moves(p, new_holder, scan)
    trip, closed, opened = _advance_trip(p, scan, target, new_holder)
    trip_count = p.trip_count + (1 if closed is not None and closed.outcome == "completed" else 0)
    holder_since = p.holder_since if new_holder == p.holder_customer_id else (scan.occurred_at if new_holder else None)
    projection = Projection(
        state=target,
        holder_customer_id=new_holder,
        holder_since=holder_since,
        site=scan.site,
        trip=trip,
        trip_count=trip_count,
        trips_opened=p.trips_opened + opened,
        last_event_at=max(p.last_event_at, scan.occurred_at) if p.last_event_at else scan.occurred_at,
    )
    return StepResult(projection, anomaly, moves, closed)


def replay(scans: list[Scan], start: Projection | None = None) -> list[StepResult]:
    """Fold a history (sorted by the caller) from a fresh asset; one result per scan."""
    p = start or Projection()
    results = []
    for scan in scans:
        r = step(p, scan)
        results.append(r)
        p = r.projection
    return results


def _forced_target(p: Projection, scan: Scan) -> S:
    forced = FORCED[scan.event]
    if forced is None:
        return p.state
    if scan.event is E.FIND and scan.site.kind == "customer":
        return S.AT_CUSTOMER
    return forced


def _holder_after(p: Projection, scan: Scan, target: S) -> str | None:
    """The customer accountable for the asset after the scan (its balance)."""
    if target not in HELD_BY_CUSTOMER:
        return None
    if scan.event in (E.ISSUE, E.TRANSFER) and scan.customer_id:
        return scan.customer_id
    if scan.site.kind == "customer" and scan.site.customer_id:
        # Delivery, find or check at a customer site proves who has it.
        if scan.event in (E.DELIVER, E.FIND) or p.holder_customer_id is None:
            return scan.site.customer_id
    return p.holder_customer_id


def _custody_moves(p: Projection, new_holder: str | None, scan: Scan) -> tuple[CustodyMove, ...]:
    old = p.holder_customer_id
    if old == new_holder:
        return ()
    at = scan.occurred_at
    moves = []
    if old is not None:
        if new_holder is not None:
            kind = K.TRANSFER_OUT
        elif scan.event in (E.LOSE, E.SCRAP, E.RECYCLE):
            kind = K.LOST
        else:
            kind = K.RETURNED
        moves.append(CustodyMove(old, kind, at))
    if new_holder is not None:
        if old is not None:
            kind = K.TRANSFER_IN
        elif scan.event is E.FIND or p.state is S.LOST:
            kind = K.FOUND
        else:
            kind = K.ISSUED
        moves.append(CustodyMove(new_holder, kind, at))
    return tuple(moves)


def _advance_trip(p: Projection, scan: Scan, target: S, holder: str | None) -> tuple[Trip | None, Trip | None, int]:
    """Returns (open trip after the scan, trip closed by it, 1 if a trip was opened)."""
    trip, closed, opened = p.trip, None, 0
    at, site = scan.occurred_at, scan.site
    leaving_depot = target in HELD_BY_CUSTOMER and p.state not in HELD_BY_CUSTOMER | {S.IN_RETURN}
    if trip is not None and scan.event is E.ISSUE and p.state in HELD_BY_CUSTOMER | {S.IN_RETURN}:
        # A new issue proves the previous trip ended at a depot we never saw.
        closed = replace(trip, closed_at=at, outcome="return_unobserved")
        trip = None
        leaving_depot = True
    if trip is None and (leaving_depot or target in HELD_BY_CUSTOMER):
        origin = p.site if p.site is not None and p.site.kind == "depot" else None
        if site.kind == "depot":
            origin = site
        trip = Trip(seq=p.trips_opened + 1, opened_at=at, origin=origin)
        opened = 1
    if trip is None:
        return None, closed, opened

    if site.kind == "customer" and holder is not None and target in HELD_BY_CUSTOMER:
        trip = trip.with_leg(TripLeg(customer_id=holder, site=site, arrived_at=at))
    elif holder is not None and (not trip.legs or trip.legs[-1].customer_id != holder):
        trip = trip.with_leg(TripLeg(customer_id=holder, site=None, arrived_at=at))

    if target is S.IN_RETURN and trip.collected_at is None:
        trip = replace(trip, collected_at=at)
    if target is S.LOST:
        return None, replace(trip, closed_at=at, outcome="lost"), opened
    if target is S.RETIRED:
        return None, replace(trip, closed_at=at, outcome="retired"), opened
    if target in DEPOT_STATES or target is S.IN_DEPOT_TRANSFER:
        depot = site if site.kind == "depot" else None
        delivered = any(leg.site is not None for leg in trip.legs)
        outcome = "completed" if delivered else "cancelled"
        done = trip.close(at, depot, outcome)
        return None, done, opened
    return trip, closed, opened


__all__ = [
    "ALLOWED", "DEPOT_STATES", "SitePoint", "Scan", "Projection",
    "StepResult", "step", "replay", "road_km",
]
