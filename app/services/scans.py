"""Scan ingestion: validate, deduplicate, fold into projections, store. One transaction.

Semantics (docs/api.md):
- Each scan is judged on its own; a bad scan is `rejected` with the field it names and
  never stops the others.
- A scan id seen before (in the database, in Redis's memory of committed ids, or earlier
  in the same batch) is a `duplicate` and changes nothing.
- A well-formed scan is always stored. If the state machine does not allow it, it is
  stored as an `anomaly` and still moves the asset to where the scan proves it is.
- A scan older than the asset's latest stored scan triggers a replay of the asset's whole
  history in physical order, so late uploads give the same state as in-order arrival.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from marshmallow import ValidationError
from sqlalchemy import select
from psycopg.errors import UniqueViolation
from sqlalchemy.exc import IntegrityError

from labels.codes import Alias, parse_code
from labels.errors import LabelError

from .. import redis_store
from ..auth import Principal
from ..db import get_session, unit_of_work
from ..domain.inputs import CODE_CONTROLS, bad_text
from ..domain.lifecycle import Projection, Scan, replay, step
from ..domain.policy import check_scan
from ..domain.states import EVENT_NAMES, AssetState, EventType
from ..models import ScanEvent
from ..schemas.scans import LIMITS, ScanInSchema
from . import projection_store as store
from . import return_requests
from .sitecache import SiteCache

_schema = ScanInSchema()


@dataclass
class Pending:
    """One scan of the batch on its way through ingestion."""

    index: int
    scan_id: str | None = None
    data: dict | None = None
    lookup: tuple[str, str] | None = None  # ("code", grai ai value) or ("alias", text)
    status: str | None = None
    message: str | None = None
    asset_id: int | None = None

    def reject(self, field: str, problem: str) -> None:
        self.status, self.message = "rejected", f"scans[{self.index}].{field}: {problem}"


def ingest(principal: Principal, items: list, settings) -> list[dict]:
    pending = [_validate(i, raw, principal, settings) for i, raw in enumerate(items)]
    _mark_batch_duplicates(pending)
    live = [p for p in pending if p.status is None]
    known = redis_store.known_scan_ids([p.scan_id for p in live], settings.idempotency_ttl_s)
    for p in live:
        if p.scan_id in known:
            p.status, p.message = "duplicate", "scan id already recorded"
    try:
        assets = _store(principal, pending)
    except (IntegrityError, UniqueViolation):
        # Only reachable when another client committed the same scan id for a different
        # asset between our check and insert: the retry sees it as a duplicate.
        get_session().rollback()
        for p in pending:
            if p.status in ("applied", "anomaly"):
                p.status = p.message = None
        assets = _store(principal, pending)
    redis_store.remember_scan_ids([p.scan_id for p in pending if p.status in ("applied", "anomaly")],
                                  settings.idempotency_ttl_s)
    return [_result(p, assets) for p in pending]


def _validate(index: int, raw, principal: Principal, settings) -> Pending:
    p = Pending(index)
    if not isinstance(raw, dict):
        p.reject("", "each scan must be a JSON object")
        return p
    if isinstance(raw.get("id"), str):
        p.scan_id = raw["id"]
    data = _fast_load(raw, settings.timestamp_min, settings.timestamp_max)
    if data is None:
        try:
            data = _schema.load(raw)
        except ValidationError as err:
            field, msgs = next(iter(sorted(err.messages.items())))
            p.reject(field, "; ".join(msgs) if isinstance(msgs, list) else str(msgs))
            return p
    p.data, p.scan_id = data, str(data["id"])
    now = datetime.now(timezone.utc)
    if data["occurred_at"] > now + timedelta(seconds=settings.future_tolerance_s):
        p.reject("occurred_at", f"{data['occurred_at'].isoformat()} is in the future (server time {now.isoformat(timespec='seconds')})")
        return p
    try:
        code = parse_code(data["code"])
    except LabelError as err:
        p.reject("code", err.message)
        return p
    p.lookup = ("alias", code.text) if isinstance(code, Alias) else ("code", code.ai_value)
    data["event"] = EVENT_NAMES[data["event"]]
    return p


_FAST_KEYS = frozenset({"id", "code", "event", "site", "occurred_at", "customer", "device"})


def _fast_load(raw: dict, earliest: datetime, latest: datetime) -> dict | None:
    """The schema's result for a plainly well-formed scan, or None to let the schema
    judge (and word the error). Checking 5,000 scans through marshmallow costs more
    than folding them; this path accepts only what the schema certainly accepts:
    the same lengths, characters (app/domain/inputs.py) and timestamp range."""
    if not raw.keys() <= _FAST_KEYS:
        return None
    try:
        for key, limit in LIMITS.items():
            value = raw.get(key)
            if value is not None and (type(value) is not str or not 0 < len(value) <= limit
                                      or bad_text(value, CODE_CONTROLS if key == "code" else "")):
                return None
        if raw["event"] not in EVENT_NAMES or type(raw["site"]) is not str or type(raw["code"]) is not str:
            return None
        at = raw["occurred_at"]
        if type(at) is not str or len(at) < 20 or at[10] != "T":
            return None
        occurred_at = datetime.fromisoformat(at)
        if occurred_at.tzinfo is None or not earliest <= occurred_at <= latest:
            return None
        scan_id = uuid.UUID(raw["id"]) if type(raw["id"]) is str and len(raw["id"]) == 36 else None
    except (KeyError, ValueError):
        return None
    if scan_id is None:
        return None
    return {"id": scan_id, "code": raw["code"], "event": raw["event"], "site": raw["site"],
            "customer": raw.get("customer"), "occurred_at": occurred_at, "device": raw.get("device")}


def _mark_batch_duplicates(pending: list[Pending]) -> None:
    seen: set[str] = set()
    for p in pending:
        if p.status is None:
            if p.scan_id in seen:
                p.status, p.message = "duplicate", "scan id repeated in this batch"
            seen.add(p.scan_id)


def _store(principal: Principal, pending: list[Pending]) -> dict:
    live = [p for p in pending if p.status is None]
    dupes = [p for p in pending if p.status == "duplicate" and p.lookup]
    with unit_of_work() as session:
        sites = SiteCache(session)
        sites.load_sites(p.data["site"] for p in live)
        sites.load_customers(p.data["customer"] for p in live if p.data["customer"])
        _check_references(principal, live, sites)
        live = [p for p in live if p.status is None]

        wanted = live + dupes
        aliases = sorted({p.lookup[1] for p in wanted if p.lookup[0] == "alias"})
        # A bare AI value (what this API returns as `code`) parses as an alias: try both.
        codes = sorted({p.lookup[1] for p in wanted})
        rows = store.lock_assets(session, codes, aliases)
        by_code = {r.code: r for r in rows} | {("alias", r.alias): r for r in rows if r.alias}
        for p in wanted:
            row = by_code.get(p.lookup[1]) if p.lookup[0] == "code" else by_code.get(p.lookup) or by_code.get(p.lookup[1])
            if row is None:
                if p.status is None:
                    p.reject("code", f"unknown asset {p.lookup[1]!r}: register it first")
                continue
            p.asset_id = row.id
        live = [p for p in live if p.status is None]

        stored = {str(u) for u in session.scalars(select(ScanEvent.scan_id).where(
            store.in_values(session, ScanEvent.scan_id, [p.data["id"] for p in live])))}
        for p in live:
            if p.scan_id in stored:
                p.status, p.message = "duplicate", "scan id already recorded"
        live = [p for p in live if p.status is None]

        assets = {r.id: r for r in rows}
        changes = store.Changes()
        event_rows = _fold(session, principal, live, assets, sites, changes)
        event_ids = store.insert_events(session, event_rows)
        store.write(session, changes, event_ids)
        collect_sites = {p.data["site"] for p in live if p.data["event"] is EventType.COLLECT}
        if collect_sites:
            return_requests.settle_by_collections(session, collect_sites)
        return assets


def _check_references(principal: Principal, live: list[Pending], sites: SiteCache) -> None:
    for p in live:
        site = sites.site(p.data["site"])
        if site is None:
            p.reject("site", f"unknown or inactive site {p.data['site']!r}")
            continue
        customer = p.data["customer"]
        if customer is not None and not sites.customer_ok(customer):
            p.reject("customer", f"unknown or inactive customer {customer!r}")
            continue
        problem = check_scan(principal.role, p.data["event"], site.kind, customer)
        if problem:
            p.reject(*problem)


def _fold(session, principal, live: list[Pending], assets: dict, sites: SiteCache, changes: store.Changes) -> list[dict]:
    by_asset: dict[int, list[Pending]] = defaultdict(list)
    for p in live:
        by_asset[p.asset_id].append(p)
    in_order = [a for a, ps in by_asset.items()
                if assets[a].last_event_at is None or min(p.data["occurred_at"] for p in ps) >= assets[a].last_event_at]
    open_trips = store.load_open_trips(session, [assets[a] for a in in_order], sites)
    event_rows: list[dict] = []
    now = datetime.now(timezone.utc)
    in_order_set = set(in_order)
    for asset_id, ps in by_asset.items():
        asset = assets[asset_id]
        ps.sort(key=lambda p: p.data["occurred_at"])  # stable: batch order breaks ties
        scans = [_scan_of(p, sites) for p in ps]
        if asset_id in in_order_set:
            start = store.projection_of(asset, open_trips.get(asset_id), sites)
            final = _fold_new(asset, start, list(zip(ps, scans)), changes, known_seq=asset.open_trip_seq)
        else:
            final = _replay(session, asset, list(zip(ps, scans)), sites, changes)
        changes.asset_updates.append(store.asset_update(asset, final))
        changes.move_balance(asset, final)
        for p in ps:
            event_rows.append({
                "scan_id": p.data["id"], "asset_id": asset_id, "event": int(p.data["event"]),
                "occurred_at": p.data["occurred_at"], "recorded_at": now, "site_id": p.data["site"],
                "customer_id": p.data["customer"], "user_id": principal.user_id, "device_id": p.data["device"],
                "raw_code": p.data["code"], "status": store.ANOMALY if p.status == "anomaly" else store.APPLIED,
                "anomaly_reason": p.message if p.status == "anomaly" else None,
            })
        _refresh_row(asset, final)
    return event_rows


def _scan_of(p: Pending, sites: SiteCache) -> Scan:
    return Scan(p.data["event"], p.data["occurred_at"], sites.site(p.data["site"]), p.data["customer"])


def _fold_new(asset, start: Projection, items, changes: store.Changes, known_seq: int | None) -> Projection:
    """In-order path: step the stored projection through the new scans."""
    proj = start
    for p, scan in items:
        r = step(proj, scan)
        _record(asset, r, changes, _scan_key=p.scan_id)
        p.status, p.message = ("anomaly", r.anomaly) if r.anomaly else ("applied", None)
        if r.closed_trip is not None:
            _put_trip(asset, r.closed_trip, known_seq, changes)
        proj = r.projection
    if proj.trip is not None:
        _put_trip(asset, proj.trip, known_seq, changes)
    return proj


def _put_trip(asset, trip, known_seq, changes: store.Changes) -> None:
    row = store.trip_row(asset, trip)
    if known_seq is not None and trip.seq == known_seq:
        row = {("b_asset_id" if k == "asset_id" else "b_seq" if k == "seq" else k): v for k, v in row.items()}
        changes.trips_update.append(row)
    else:
        changes.trips_insert.append(row)


def _record(asset, r, changes: store.Changes, **event_ref) -> None:
    """Queue the custody moves and anomaly of one step. `event_ref` is either the stored
    event's `scan_event_id` or a `_scan_key` resolved once the new events are inserted."""
    for m in r.moves:
        changes.moves.append({"asset_id": asset.id, "asset_type_id": asset.asset_type_id, "customer_id": m.customer_id,
                              "kind": m.kind, "delta": m.delta, "occurred_at": m.occurred_at, **event_ref})
    if r.anomaly:
        changes.anomalies.append({"asset_id": asset.id, "reason": r.anomaly, **event_ref})


def _replay(session, asset, new_items, sites: SiteCache, changes: store.Changes) -> Projection:
    """Late scan: refold the whole history with the new scans in their physical place."""
    history = store.load_history(session, asset.id, sites)
    merged = [(s.occurred_at, 0, i, ("old", ev_id, status), s) for i, (ev_id, s, status) in enumerate(history)]
    merged += [(s.occurred_at, 1, i, ("new", p), s) for i, (p, s) in enumerate(new_items)]
    merged.sort(key=lambda t: t[:3])
    results = replay([m[4] for m in merged], store.fresh_projection(asset, sites))
    changes.replayed_assets.append(asset.id)
    for (_, _, _, tag, _), r in zip(merged, results):
        if tag[0] == "new":
            p = tag[1]
            _record(asset, r, changes, _scan_key=p.scan_id)
            p.status, p.message = ("anomaly", r.anomaly) if r.anomaly else ("applied", None)
        else:
            _, ev_id, old_status = tag
            _record(asset, r, changes, scan_event_id=ev_id)
            new_status = store.ANOMALY if r.anomaly else store.APPLIED
            if new_status != old_status or r.anomaly:
                changes.status_updates.append({"b_id": ev_id, "status": new_status, "anomaly_reason": r.anomaly})
            if old_status == store.ANOMALY and not r.anomaly:
                changes.cleared_anomalies.append(ev_id)
        if r.closed_trip is not None:
            _put_trip(asset, r.closed_trip, None, changes)
    final = results[-1].projection
    if final.trip is not None:
        _put_trip(asset, final.trip, None, changes)
    return final


def _refresh_row(asset, p: Projection) -> None:
    """Keep the in-memory row current so results show the state after the batch."""
    asset.state = int(p.state)
    asset.holder_customer_id = p.holder_customer_id
    asset.site_id = p.site.site_id if p.site else None
    asset.trip_count = p.trip_count
    asset.open_trip_seq = p.trip.seq if p.trip else None
    asset.last_event_at = p.last_event_at


def _result(p: Pending, assets: dict) -> dict:
    out = {"id": p.scan_id if p.scan_id is not None else None, "status": p.status, "message": p.message}
    row = assets.get(p.asset_id) if p.asset_id is not None else None
    if row is not None:
        out["asset"] = {
            "code": row.code, "state": AssetState(row.state).label, "holder": row.holder_customer_id,
            "site": row.site_id, "trip_count": row.trip_count, "open_trip": row.open_trip_seq,
        }
    return out
