"""The rows a batch writes, and the order of the statements that write them.

Every row shape of scan ingestion is built here, from the folded `AssetOutcome`s; how
each statement runs is a `Tables` implementation's business: app/scanning/sql.py has the
PostgreSQL one (COPY, `UPDATE ... FROM unnest`) and a portable one (SQLite, the demo),
tests/unit/scanning/memory_store.py an in-memory one for unit tests.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol

from app.domain.lifecycle import Projection
from app.domain.states import EventStatus
from app.domain.trips import Trip
from app.scanning.fold import AssetOutcome, AssetRow, Step


class Tables(Protocol):
    """The statements one batch needs, each for many rows at once."""

    def insert_events(self, rows: list[dict]) -> list[int]:
        """New scan_events rows; their ids, in row order."""

    def forget_derived(self, asset_ids: list[int]) -> None:
        """Delete the trips and custody moves of assets whose history was replayed."""

    def set_event_status(self, rows: list[dict]) -> None:
        """{id, status, anomaly_reason} of stored scan events a replay judged again."""

    def clear_anomalies(self, event_ids: list[int]) -> None:
        """Unresolved anomalies of these events no longer hold: cleared_by_replay."""

    def insert_trips(self, rows: list[dict]) -> None: ...

    def update_trips(self, rows: list[dict]) -> None:
        """Rows of `trip_row`'s shape, matched on (asset_id, seq)."""

    def insert_moves(self, rows: list[dict]) -> None: ...

    def put_anomalies(self, rows: list[dict]) -> None:
        """{scan_event_id, asset_id, reason}: a new anomaly, or found again by a replay
        (the stored row keeps its resolution)."""

    def add_to_balances(self, rows: list[dict]) -> None:
        """{customer_id, asset_type_id, site_id, since_day, count}: added to the counters,
        one key after another in the given (sorted) order."""

    def update_assets(self, rows: list[dict]) -> None:
        """Rows of `asset_row`'s shape, matched on id."""


def write(tables: Tables, outcomes: list[AssetOutcome], user_id: int | None, now: datetime) -> list[dict]:
    """Write the outcomes; returns the collect scans that count toward return requests
    ({scan_event_id, asset_id, asset_type_id, site_id, occurred_at}).

    The order matters: events first (custody moves, anomalies and collections refer to
    their ids); a replayed asset's trips and moves deleted before they are written anew;
    balance counters in key order, so concurrent batches cannot deadlock; the asset rows
    last, once everything derived from them is written."""
    new_steps = [(o, s) for o in outcomes for s in o.steps if s.new is not None]
    ids = tables.insert_events([_event_row(o.asset, s, user_id, now) for o, s in new_steps]) if new_steps else []
    event_ids = {s.new.scan_id: i for (_, s), i in zip(new_steps, ids)}

    def event_id(s: Step) -> int:
        return s.stored.event_id if s.stored is not None else event_ids[s.new.scan_id]

    replayed = [o.asset.id for o in outcomes if o.replayed]
    if replayed:
        tables.forget_derived(replayed)
    restated = [s for o in outcomes for s in o.steps if s.stored is not None]
    status_rows = [{"id": s.stored.event_id, "status": int(s.status), "anomaly_reason": s.result.anomaly}
                   for s in restated if s.status != s.stored.status or s.result.anomaly]
    if status_rows:
        tables.set_event_status(status_rows)
    cleared = [s.stored.event_id for s in restated if s.stored.status == EventStatus.ANOMALY and not s.result.anomaly]
    if cleared:
        tables.clear_anomalies(cleared)
    trips = [(o, t) for o in outcomes for t in o.trips]
    inserted = [trip_row(o.asset, t) for o, t in trips if not _updates_open_trip(o, t)]
    updated = [trip_row(o.asset, t) for o, t in trips if _updates_open_trip(o, t)]
    if inserted:
        tables.insert_trips(inserted)
    if updated:
        tables.update_trips(updated)
    moves = [{"asset_id": o.asset.id, "asset_type_id": o.asset.asset_type_id, "customer_id": m.customer_id,
              "kind": m.kind, "delta": m.delta, "occurred_at": m.occurred_at, "scan_event_id": event_id(s)}
             for o in outcomes for s in o.steps for m in s.result.moves]
    if moves:
        tables.insert_moves(moves)
    anomalies = [{"asset_id": o.asset.id, "reason": s.result.anomaly, "scan_event_id": event_id(s)}
                 for o in outcomes for s in o.steps if s.result.anomaly]
    if anomalies:
        tables.put_anomalies(anomalies)
    balances = balance_rows(outcomes)
    if balances:
        tables.add_to_balances(balances)
    if outcomes:
        tables.update_assets([asset_row(o.asset.id, o.final) for o in outcomes])
    return [{"scan_event_id": event_id(s), "asset_id": o.asset.id, "asset_type_id": o.asset.asset_type_id,
             "site_id": s.new.site, "occurred_at": s.new.occurred_at} for o, s in new_steps if s.collects]


def _event_row(asset: AssetRow, s: Step, user_id: int | None, now: datetime) -> dict:
    scan = s.new
    return {"scan_id": scan.id, "asset_id": asset.id, "event": int(scan.event), "occurred_at": scan.occurred_at,
            "recorded_at": now, "site_id": scan.site, "customer_id": scan.customer, "user_id": user_id,
            "device_id": scan.device, "raw_code": scan.code, "status": int(s.status),
            "anomaly_reason": s.result.anomaly}


def _updates_open_trip(o: AssetOutcome, trip: Trip) -> bool:
    """The trip the asset row points at is stored already (unless a replay deleted it)."""
    return not o.replayed and trip.seq == o.asset.open_trip_seq


def trip_row(asset: AssetRow, trip: Trip) -> dict:
    return {
        "asset_id": asset.id,
        "asset_type_id": asset.asset_type_id,
        "seq": trip.seq,
        "opened_at": trip.opened_at,
        "delivered_at": trip.delivered_at,
        "collected_at": trip.collected_at,
        "closed_at": trip.closed_at,
        "outcome": trip.outcome,
        "origin_site_id": trip.origin.site_id if trip.origin else None,
        "return_site_id": trip.return_site.site_id if trip.return_site else None,
        "customer_id": trip.legs[-1].customer_id if trip.legs else None,
        "legs": [
            {"customer_id": leg.customer_id, "site_id": leg.site.site_id if leg.site else None,
             "arrived_at": leg.arrived_at.isoformat()}
            for leg in trip.legs
        ],
        "outbound_km": trip.outbound_km,
        "transfer_km": trip.transfer_km,
        "return_km": trip.return_km,
    }


def asset_row(asset_id: int, p: Projection) -> dict:
    return {
        "id": asset_id,
        "state": int(p.state),
        "holder_customer_id": p.holder_customer_id,
        "holder_since": p.holder_since,
        "site_id": p.site.site_id if p.site else None,
        "open_trip_seq": p.trip.seq if p.trip else None,
        "trip_count": p.trip_count,
        "trips_opened": p.trips_opened,
        "last_event_at": p.last_event_at,
    }


def balance_rows(outcomes: list[AssetOutcome]) -> list[dict]:
    """How the (customer, asset type, site or "", UTC day held since) counters change, in key order."""
    deltas: dict[tuple, int] = {}
    for o in outcomes:
        a, p = o.asset, o.final
        before = (a.holder_customer_id, a.site_id or "", _day(a.holder_since))
        after = (p.holder_customer_id, p.site.site_id if p.site else "", _day(p.holder_since))
        if before == after:
            continue
        for (holder, site, day), delta in ((before, -1), (after, 1)):
            if holder is not None:
                key = (holder, a.asset_type_id, site, day)
                deltas[key] = deltas.get(key, 0) + delta
    return [{"customer_id": c, "asset_type_id": t, "site_id": s, "since_day": day, "count": d}
            for (c, t, s, day), d in sorted(deltas.items()) if d]


def _day(at: datetime | None):
    return at.astimezone(timezone.utc).date() if at is not None else None
