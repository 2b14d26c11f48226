"""Load asset projections from the database and write back what a fold derived.

Bulk statements throughout: a batch of 5,000 scans must cost a handful of round trips,
not thousands.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Float, bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from app.assets.models import Asset
from app.assets.models import Trip as TripRow
from app.balances.models import CustodyMove, CustomerBalance
from app.domain.lifecycle import Projection, Scan
from app.domain.states import AssetState, EventType
from app.domain.trips import Trip, TripLeg
from app.platform.base import utcnow
from app.platform.db import in_values
from app.scanning.models import Anomaly, ScanEvent

if TYPE_CHECKING:  # pragma: no cover
    from app.catalog.sitecache import SiteCache

APPLIED, ANOMALY = 1, 2


class HistoryError(Exception):
    """A stored scan of an asset that this version cannot fold (e.g. an event code it
    does not know). The asset's new scans are refused; its stored history is kept."""


@dataclass
class AssetRow:
    """The columns of an asset the fold needs, read under a row lock."""

    id: int
    code: str
    alias: str | None
    asset_type_id: str
    state: int
    holder_customer_id: str | None
    holder_since: datetime | None
    site_id: str | None
    home_site_id: str | None
    open_trip_seq: int | None
    trip_count: int
    trips_opened: int
    last_event_at: datetime | None


ASSET_COLUMNS = [getattr(Asset, f) for f in AssetRow.__dataclass_fields__]


def lock_assets(session: Session, codes: list[str], aliases: list[str]) -> list[AssetRow]:
    """Lock the batch's assets in id order, so concurrent batches cannot deadlock."""
    cond = in_values(session, Asset.code, codes) if codes else None
    if aliases:
        alias_cond = in_values(session, Asset.alias, aliases)
        cond = alias_cond if cond is None else cond | alias_cond
    if cond is None:
        return []
    stmt = select(*ASSET_COLUMNS).where(cond).order_by(Asset.id).with_for_update()
    return [AssetRow(*row) for row in session.execute(stmt)]


def load_open_trips(session: Session, assets: list[AssetRow], sites: SiteCache) -> tuple[dict[int, Trip], set[int]]:
    """The open trips of in-order assets, and the ids of assets whose stored open trip
    cannot be read (missing, or legs not in the shape this version writes): the caller
    rebuilds those from the event log instead of failing the batch."""
    wanted = {a.id: a.open_trip_seq for a in assets if a.open_trip_seq is not None}
    if not wanted:
        return {}, set()
    rows = session.execute(
        select(TripRow.asset_id, TripRow.seq, TripRow.opened_at, TripRow.origin_site_id, TripRow.legs, TripRow.collected_at)
        .where(in_values(session, TripRow.asset_id, list(wanted)), TripRow.closed_at.is_(None))
    ).all()
    site_ids = [r.origin_site_id for r in rows]
    for r in rows:
        for leg in r.legs if isinstance(r.legs, list) else ():
            if isinstance(leg, dict) and isinstance(leg.get("site_id"), str):
                site_ids.append(leg["site_id"])
    sites.load_sites(site_ids)
    out, unreadable = {}, set()
    for r in rows:
        if wanted.get(r.asset_id) != r.seq or r.asset_id in out:
            unreadable.add(r.asset_id)  # not the trip the asset row points at, or two open trips
            continue
        try:
            legs = tuple(_leg(leg, sites) for leg in r.legs)
        except (KeyError, TypeError, ValueError):
            unreadable.add(r.asset_id)
            continue
        out[r.asset_id] = Trip(seq=r.seq, opened_at=r.opened_at, origin=sites.site(r.origin_site_id), legs=legs,
                               collected_at=r.collected_at)
    unreadable |= set(wanted) - set(out)
    for asset_id in unreadable:
        out.pop(asset_id, None)
    return out, unreadable


def _leg(leg: dict, sites: SiteCache) -> TripLeg:
    site_id = leg["site_id"]
    site = sites.site(site_id)
    if site_id is not None and site is None:
        raise ValueError(f"leg at unknown site {site_id!r}")  # keep the reference: rebuild instead
    arrived_at = datetime.fromisoformat(leg["arrived_at"])
    if arrived_at.tzinfo is None or not isinstance(leg["customer_id"], str):
        raise ValueError("leg without an offset or a customer")
    return TripLeg(leg["customer_id"], site, arrived_at)


def projection_of(asset: AssetRow, trip: Trip | None, sites: SiteCache) -> Projection:
    return Projection(
        state=AssetState(asset.state),
        holder_customer_id=asset.holder_customer_id,
        holder_since=asset.holder_since,
        site=sites.site(asset.site_id),
        trip=trip,
        trip_count=asset.trip_count,
        trips_opened=asset.trips_opened,
        last_event_at=asset.last_event_at,
    )


def fresh_projection(asset: AssetRow, sites: SiteCache) -> Projection:
    return Projection(site=sites.site(asset.home_site_id))


def load_history(session: Session, asset_id: int, sites: SiteCache) -> list[tuple[int, Scan, int]]:
    """Every stored scan of an asset in physical order: (event row id, scan, status).

    Raises HistoryError for a stored scan this version cannot fold."""
    rows = session.execute(
        select(ScanEvent.id, ScanEvent.event, ScanEvent.occurred_at, ScanEvent.site_id, ScanEvent.customer_id, ScanEvent.status)
        .where(ScanEvent.asset_id == asset_id)
        .order_by(ScanEvent.occurred_at, ScanEvent.id)
    ).all()
    sites.load_sites(r.site_id for r in rows)
    out = []
    for r in rows:
        try:
            event = EventType(r.event)
        except ValueError:
            raise HistoryError(f"its stored scan {r.id} has event code {r.event}, unknown to this version") from None
        site = sites.site(r.site_id)
        if site is None or r.occurred_at is None:
            raise HistoryError(f"its stored scan {r.id} has no known site or time")
        out.append((r.id, Scan(event, r.occurred_at, site, r.customer_id), r.status))
    return out


@dataclass
class Changes:
    """Everything one batch writes, collected so it can go out in bulk."""

    asset_updates: list[dict] = field(default_factory=list)
    trips_insert: list[dict] = field(default_factory=list)
    trips_update: list[dict] = field(default_factory=list)
    moves: list[dict] = field(default_factory=list)  # scan_event_id filled after insert via "_scan_key"
    anomalies: list[dict] = field(default_factory=list)
    status_updates: list[dict] = field(default_factory=list)  # replayed events whose status changed
    cleared_anomalies: list[int] = field(default_factory=list)  # event ids no longer anomalous
    replayed_assets: list[int] = field(default_factory=list)
    # (customer, asset type, site or "", UTC day held since) -> change of the counter
    balance_deltas: dict[tuple, int] = field(default_factory=dict)
    # collect scans that took a box out of a customer's hands: they count toward the
    # site's return requests ({"_scan_key", "asset_id", "asset_type_id", "site_id", "occurred_at"})
    collections: list[dict] = field(default_factory=list)

    def merge(self, other: "Changes") -> None:
        """Add one asset's changes, computed on their own so a failure costs only that asset."""
        for name in ("asset_updates", "trips_insert", "trips_update", "moves", "anomalies", "status_updates",
                     "cleared_anomalies", "replayed_assets", "collections"):
            getattr(self, name).extend(getattr(other, name))
        for key, delta in other.balance_deltas.items():
            self.balance_deltas[key] = self.balance_deltas.get(key, 0) + delta

    def move_balance(self, asset: "AssetRow", p: Projection) -> None:
        """Record how one asset's (holder, site, held-since day) changed from its row to `p`."""
        before = (asset.holder_customer_id, asset.site_id or "", _day(asset.holder_since))
        after = (p.holder_customer_id, p.site.site_id if p.site else "", _day(p.holder_since))
        if before == after:
            return
        for (holder, site, day), delta in ((before, -1), (after, 1)):
            if holder is not None:
                key = (holder, asset.asset_type_id, site, day)
                self.balance_deltas[key] = self.balance_deltas.get(key, 0) + delta


def _day(at: datetime | None):
    return at.astimezone(timezone.utc).date() if at is not None else None


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


def asset_update(asset: AssetRow, p: Projection) -> dict:
    return {
        "b_id": asset.id,
        "state": int(p.state),
        "holder_customer_id": p.holder_customer_id,
        "holder_since": p.holder_since,
        "site_id": p.site.site_id if p.site else None,
        "open_trip_seq": p.trip.seq if p.trip else None,
        "trip_count": p.trip_count,
        "trips_opened": p.trips_opened,
        "last_event_at": p.last_event_at,
    }


def _pg_type(column) -> str:
    from sqlalchemy.dialects import postgresql

    return column.type.compile(dialect=postgresql.dialect())


def _bulk_update_pg(session: Session, table, keys: dict[str, str], rows: list[dict]) -> None:
    """One `UPDATE ... FROM unnest(arrays)` for many rows: a single statement and round
    trip instead of one UPDATE per row. `keys` maps key column -> its name in the rows."""
    import json as _json

    key_names = set(keys.values())
    columns = [c for c in rows[0] if c not in key_names]
    names = list(keys) + columns
    params, casts = {}, []
    for i, name in enumerate(names):
        src = keys.get(name, name)
        col = table.c[name]
        values = [r[src] for r in rows]
        if isinstance(col.type, Float):  # psycopg refuses an array mixing int and float
            values = [None if v is None else float(v) for v in values]
        if isinstance(col.type, JSON):
            values = [None if v is None else _json.dumps(v) for v in values]
            casts.append((f"CAST(:p{i} AS TEXT[])", f"v.c{i}::json"))
        else:
            casts.append((f"CAST(:p{i} AS {_pg_type(col)}[])", f"v.c{i}"))
        params[f"p{i}"] = values
    sets = ", ".join(f"{n} = {casts[i][1]}" for i, n in enumerate(names) if n not in keys)
    where = " AND ".join(f"t.{n} = v.c{i}" for i, n in enumerate(names) if n in keys)
    sql = (f"UPDATE {table.name} AS t SET {sets} FROM unnest({', '.join(c for c, _ in casts)}) "
           f"AS v({', '.join(f'c{i}' for i in range(len(names)))}) WHERE {where}")
    session.execute(text(sql), params)


def _copy_rows(session: Session, table, rows: list[dict], id_column: str = "id") -> list[int]:
    """PostgreSQL COPY with ids drawn from the table's sequence: several times faster
    than multi-row INSERT for thousands of rows. Returns the ids in row order."""
    ids = session.execute(text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', '{id_column}')) "
                               "FROM generate_series(1, :n)"), {"n": len(rows)}).scalars().all()
    columns = [id_column] + [c for c in rows[0] if c != id_column]
    dbapi_conn = session.connection().connection.driver_connection
    from psycopg.types.json import Json

    json_cols = {c for c in columns if isinstance(table.c[c].type, JSON)}
    with dbapi_conn.cursor() as cur, cur.copy(
        f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    ) as copy:
        for id_, row in zip(ids, rows):
            copy.write_row((id_, *(Json(row[c]) if c in json_cols else row[c] for c in columns[1:])))
    return ids


def insert_events(session: Session, rows: list[dict]) -> dict:
    """Insert new scan events; returns scan_id -> event row id."""
    if not rows:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        ids = _copy_rows(session, ScanEvent.__table__, rows)
        return {str(r["scan_id"]): i for i, r in zip(ids, rows)}
    result = session.execute(
        insert(ScanEvent.__table__).returning(ScanEvent.__table__.c.id, ScanEvent.__table__.c.scan_id,
                                              sort_by_parameter_order=True), rows
    )
    return {str(scan_id): event_id for event_id, scan_id in result}


def write(session: Session, changes: Changes, event_ids: dict) -> None:
    def resolve(rows):
        for r in rows:
            key = r.pop("_scan_key", None)
            if key is not None:
                r["scan_event_id"] = event_ids[key]
        return rows

    if changes.replayed_assets:
        ids = changes.replayed_assets
        session.execute(delete(TripRow).where(in_values(session, TripRow.asset_id, ids)))
        session.execute(delete(CustodyMove).where(in_values(session, CustodyMove.asset_id, ids)))
    if changes.status_updates:
        session.execute(
            update(ScanEvent.__table__).where(ScanEvent.__table__.c.id == bindparam("b_id"))
            .values(status=bindparam("status"), anomaly_reason=bindparam("anomaly_reason")),
            changes.status_updates,
            execution_options={"synchronize_session": False},
        )
    if changes.cleared_anomalies:
        session.execute(
            update(Anomaly).where(in_values(session, Anomaly.scan_event_id, changes.cleared_anomalies),
                                  Anomaly.resolved_at.is_(None))
            .values(cleared_by_replay=True), execution_options={"synchronize_session": False})
    pg = session.get_bind().dialect.name == "postgresql"
    if changes.trips_insert:
        if pg:
            _copy_rows(session, TripRow.__table__, changes.trips_insert)
        else:
            session.execute(insert(TripRow.__table__), changes.trips_insert)
    if changes.trips_update and pg:
        _bulk_update_pg(session, TripRow.__table__, {"asset_id": "b_asset_id", "seq": "b_seq"}, changes.trips_update)
    elif changes.trips_update:
        session.execute(
            update(TripRow.__table__).where(TripRow.__table__.c.asset_id == bindparam("b_asset_id"),
                                            TripRow.__table__.c.seq == bindparam("b_seq"))
            .values({k: bindparam(k) for k in changes.trips_update[0] if not k.startswith("b_")}),
            changes.trips_update,
            execution_options={"synchronize_session": False},
        )
    if changes.moves:
        if session.get_bind().dialect.name == "postgresql":
            _copy_rows(session, CustodyMove.__table__, resolve(changes.moves))
        else:
            session.execute(insert(CustodyMove.__table__), resolve(changes.moves))
    if changes.anomalies:
        _upsert_anomalies(session, resolve(changes.anomalies))
    if changes.balance_deltas:
        _apply_balance_deltas(session, changes.balance_deltas, pg)
    if changes.asset_updates and pg:
        _bulk_update_pg(session, Asset.__table__, {"id": "b_id"}, changes.asset_updates)
    elif changes.asset_updates:
        session.execute(
            update(Asset.__table__).where(Asset.__table__.c.id == bindparam("b_id"))
            .values({k: bindparam(k) for k in changes.asset_updates[0] if k != "b_id"}),
            changes.asset_updates,
            execution_options={"synchronize_session": False},
        )


def _upsert_anomalies(session: Session, rows: list[dict]) -> None:
    """A replay may find an anomaly again: keep the existing row and its resolution."""
    # A replay re-finds every old anomaly of the asset: one array parameter, not one
    # parameter per row (a long history would pass PostgreSQL's 65,535 limit).
    existing = set(session.scalars(select(Anomaly.scan_event_id).where(
        in_values(session, Anomaly.scan_event_id, [r["scan_event_id"] for r in rows]))))
    fresh = [r for r in rows if r["scan_event_id"] not in existing]
    again = [r for r in rows if r["scan_event_id"] in existing]
    if fresh:
        session.execute(insert(Anomaly.__table__), [{**r, "created_at": utcnow()} for r in fresh])
    if again:
        session.execute(
            update(Anomaly.__table__).where(Anomaly.__table__.c.scan_event_id == bindparam("b_ev"))
            .values(reason=bindparam("reason"), cleared_by_replay=False),
            [{"b_ev": r["scan_event_id"], "reason": r["reason"]} for r in again],
            execution_options={"synchronize_session": False},
        )


def _apply_balance_deltas(session: Session, deltas: dict, pg: bool) -> None:
    """Additive upserts in key order: concurrent batches commute and cannot deadlock."""
    rows = [{"customer_id": c, "asset_type_id": t, "site_id": s, "since_day": day, "count": d}
            for (c, t, s, day), d in sorted(deltas.items()) if d]
    if not rows:
        return
    if pg:
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(CustomerBalance.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["customer_id", "asset_type_id", "site_id", "since_day"],
        set_={"count": CustomerBalance.__table__.c.count + stmt.excluded.count},
    )
    for row in rows:  # one statement per key keeps the lock order; few keys per batch
        session.execute(stmt, row)
