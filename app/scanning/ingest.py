"""Scan ingestion: validate, deduplicate, fold into projections, store. One transaction.

Semantics (docs/api.md):
- Each scan is judged on its own; a bad scan is `rejected` with the field it names and
  never stops the others.
- A scan id stored before, or accepted earlier in the same batch, is a `duplicate` and
  changes nothing; the same id carrying a different scan is `rejected` (field `id`).
  Redis's memory of committed ids only spares work; the database decides.
- Inactive sites and customers stay resolvable for stored history; only new scans at
  them (or naming them) are rejected.
- Whatever goes wrong while folding or writing one asset's scans rejects those scans
  only; the rest of the batch is stored.
- A well-formed scan is always stored. If the state machine does not allow it, it is
  stored as an `anomaly` and still moves the asset to where the scan proves it is.
- A scan older than the asset's latest stored scan triggers a replay of the asset's whole
  history in physical order, so late uploads give the same state as in-order arrival.
"""
from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import psycopg
from marshmallow import ValidationError
from psycopg.errors import UniqueViolation
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from app.accounts.auth import Principal
from app.catalog.sitecache import SiteCache
from app.domain.inputs import CODE_CONTROLS, bad_text
from app.domain.lifecycle import Projection, Scan, replay, step
from app.domain.policy import check_scan
from app.domain.states import EVENT_NAMES, AssetState, EventType
from app.pickups import services as return_requests
from app.platform import redis_store
from app.platform.db import get_session, unit_of_work
from app.scanning import store
from app.scanning.models import ScanEvent
from app.scanning.schemas import LIMITS, ScanInSchema
from labels.codes import Alias, parse_code
from labels.errors import LabelError

_schema = ScanInSchema()
log = logging.getLogger(__name__)


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
    live = [p for p in pending if p.status is None]
    known = redis_store.known_scan_ids([p.scan_id for p in live], settings.idempotency_ttl_s)
    for p in live:
        if p.scan_id in known:
            p.status, p.message = "duplicate", "scan id already recorded"
    # A scan id a concurrent batch commits between our check and our insert is handled
    # inside `_store`, which judges the batch again (it is then seen as stored).
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


def _content(p: Pending) -> tuple:
    d = p.data
    return (p.asset_id, int(d["event"]), d["occurred_at"], d["site"], d["customer"])


_CONTENT_FIELDS = ("code", "event", "occurred_at", "site", "customer")


def _differs(a: tuple, b: tuple) -> str:
    return ", ".join(f for f, x, y in zip(_CONTENT_FIELDS, a, b) if x != y)


def _mark_batch_duplicates(live: list[Pending]) -> dict[int, Pending]:
    """Among scans that will be stored, a later repeat of an id is a `duplicate` of the
    first occurrence, or `rejected` when it says something else under the same id.

    Runs after every per-scan check, so only an accepted occurrence makes a repeat a
    duplicate: a rejected first occurrence leaves the id free for a valid one. Returns
    repeat index -> first occurrence, for answers that must follow the first one's fate."""
    first: dict[str, Pending] = {}
    repeats: dict[int, Pending] = {}
    for p in live:
        orig = first.setdefault(p.scan_id, p)
        if orig is p:
            continue
        repeats[p.index] = orig
        differs = _differs(_content(orig), _content(p))
        if differs:
            p.reject("id", f"scan id already used earlier in this batch (scans[{orig.index}]) for a different scan "
                           f"({differs} differ); a new scan needs a new id")
        else:
            p.status, p.message = "duplicate", "scan id repeated in this batch"
    return repeats


def _store(principal: Principal, pending: list[Pending]) -> dict:
    """Store the batch in one transaction. If the database refuses what the batch writes
    (a scan id a concurrent batch just committed, or a value it will not hold), the
    transaction is rolled back and the batch judged again: first as a whole (the
    concurrent id is now seen as stored), then asset by asset in savepoints, so only the
    scans of the asset the database refuses are rejected."""
    saved = [(p.status, p.message, p.asset_id) for p in pending]

    def restore() -> None:
        for p, (status, message, asset_id) in zip(pending, saved):
            p.status, p.message, p.asset_id = status, message, asset_id

    isolate = False
    for attempt in range(3):
        try:
            return _store_once(principal, pending, isolate)
        except _REFUSALS as exc:
            if attempt == 2:
                raise
            log.warning("scan batch refused by the database (%s); judging it again%s", exc.__class__.__name__,
                        " asset by asset" if attempt else "")
            get_session().rollback()
            restore()
            isolate = attempt == 1 or not isinstance(exc, (IntegrityError, UniqueViolation))
    raise AssertionError("unreachable")


# What the database answers when it refuses the data (not a lost connection or a bug in
# the SQL): COPY runs on the driver's connection, so psycopg's own errors appear too.
_REFUSALS = (IntegrityError, DataError, UniqueViolation, psycopg.IntegrityError, psycopg.DataError)


def _store_once(principal: Principal, pending: list[Pending], isolate: bool) -> dict:
    with unit_of_work() as session:
        candidates = [p for p in pending if p.lookup and p.status in (None, "duplicate")]
        aliases = sorted({p.lookup[1] for p in candidates if p.lookup[0] == "alias"})
        # A bare AI value (what this API returns as `code`) parses as an alias: try both.
        codes = sorted({p.lookup[1] for p in candidates})
        rows = store.lock_assets(session, codes, aliases)
        by_code = {r.code: r for r in rows} | {("alias", r.alias): r for r in rows if r.alias}
        for p in candidates:
            row = by_code.get(p.lookup[1]) if p.lookup[0] == "code" else by_code.get(p.lookup) or by_code.get(p.lookup[1])
            p.asset_id = row.id if row is not None else None

        # Read under the asset locks: a concurrent batch that held them has committed, so
        # its scans are seen. The database decides what is stored: Redis's memory only
        # spared the work of finding out, so an id it remembers but the database lacks
        # is judged afresh.
        stored = _stored_scans(session, [p.data["id"] for p in candidates])
        for p in candidates:
            if p.status == "duplicate" and p.scan_id not in stored:
                p.status = p.message = None

        # Same id and same content as a stored scan: a resubmission (even if its site was
        # deactivated since). Same id, other content: a client bug that must not pass as one.
        for p in candidates:
            if p.scan_id not in stored:
                continue
            differs = _differs(stored[p.scan_id], _content(p))
            if differs:
                p.reject("id", f"scan id already recorded for a different scan ({differs} differ); "
                               "a new scan needs a new id")
            else:
                p.status, p.message = "duplicate", "scan id already recorded"

        live = [p for p in pending if p.status is None]
        for p in live:
            if p.asset_id is None:
                p.reject("code", f"unknown asset {p.lookup[1]!r}: register it first")
        live = [p for p in live if p.status is None]
        sites = SiteCache(session)
        sites.load_sites(p.data["site"] for p in live)
        sites.load_customers(p.data["customer"] for p in live if p.data["customer"])
        _check_references(principal, live, sites)
        live = [p for p in live if p.status is None]
        repeats = _mark_batch_duplicates(live)
        live = [p for p in live if p.status is None]

        assets = {r.id: r for r in rows}
        collections = _fold(session, principal, live, assets, sites, isolate)
        return_requests.settle_by_collections(session, collections)
        for index, orig in repeats.items():
            p = pending[index]
            if p.status == "duplicate" and orig.status == "rejected":
                p.reject("id", f"scan id repeated in this batch; its first occurrence (scans[{orig.index}]) was "
                               f"not stored: {orig.message}")
        return assets


def _stored_scans(session, scan_ids: list) -> dict[str, tuple]:
    """Stored scans among these ids: scan id -> content, as `_content` gives it."""
    if not scan_ids:
        return {}
    found = session.execute(select(ScanEvent.scan_id, ScanEvent.asset_id, ScanEvent.event, ScanEvent.occurred_at,
                                   ScanEvent.site_id, ScanEvent.customer_id)
                            .where(store.in_values(session, ScanEvent.scan_id, scan_ids)))
    return {str(r[0]): tuple(r[1:]) for r in found}


def _check_references(principal: Principal, live: list[Pending], sites: SiteCache) -> None:
    """A new scan must happen at an active site and name an active customer. Inactive
    ones stay resolvable for the history already stored there (see SiteCache)."""
    for p in live:
        problem = sites.site_problem(p.data["site"])
        if problem:
            p.reject("site", problem)
            continue
        customer = p.data["customer"]
        problem = sites.customer_problem(customer) if customer is not None else None
        if problem:
            p.reject("customer", problem)
            continue
        problem = check_scan(principal.role, p.data["event"], sites.site(p.data["site"]).kind, customer)
        if problem:
            p.reject(*problem)


def _fold(session, principal, live: list[Pending], assets: dict, sites: SiteCache, isolate: bool) -> list[dict]:
    """Fold each asset's new scans and write the results; returns the collect scans that
    count toward return requests. Each asset is folded on its own: a failure rejects that
    asset's scans only. In isolated mode each asset is also written in its own savepoint."""
    by_asset: dict[int, list[Pending]] = defaultdict(list)
    for p in live:
        by_asset[p.asset_id].append(p)
    for ps in by_asset.values():
        ps.sort(key=lambda p: p.data["occurred_at"])  # stable: batch order breaks ties
    now = datetime.now(timezone.utc)
    if isolate:
        collections = []
        for asset_id, ps in by_asset.items():
            before = replace(assets[asset_id])
            # Derived rows that disagree with the log (e.g. a trip number taken twice) are
            # rebuilt by a replay; only what the database refuses even then is rejected.
            for rebuild in (False, True):
                try:
                    with session.begin_nested():
                        folded = _fold_assets(session, principal, {asset_id: ps}, assets, sites, now, rebuild)
                        collections += _write(session, folded)
                    break
                except _REFUSALS as exc:
                    log.warning("scans of asset %s refused by the database%s: %s", before.code,
                                " after a rebuild" if rebuild else "", exc)
                    assets[asset_id] = replace(before)
                    if rebuild:
                        _refuse(ps, f"asset {before.code}: the database refused this asset's scans "
                                    f"({exc.__class__.__name__}); nothing was stored for it")
        return collections
    return _write(session, _fold_assets(session, principal, by_asset, assets, sites, now))


def _write(session, folded: list[tuple[list[dict], store.Changes]]) -> list[dict]:
    changes, event_rows = store.Changes(), []
    for rows, ch in folded:
        event_rows += rows
        changes.merge(ch)
    event_ids = store.insert_events(session, event_rows)
    store.write(session, changes, event_ids)
    return [{**{k: v for k, v in c.items() if k != "_scan_key"}, "scan_event_id": event_ids[c["_scan_key"]]}
            for c in changes.collections]


def _fold_assets(session, principal, by_asset: dict[int, list[Pending]], assets: dict, sites: SiteCache,
                 now: datetime, rebuild: bool = False) -> list[tuple[list[dict], store.Changes]]:
    in_order = [] if rebuild else [a for a, ps in by_asset.items() if _in_order(assets[a], ps)]
    open_trips, unreadable = store.load_open_trips(session, [assets[a] for a in in_order], sites)
    replay_ids = set(by_asset) - set(in_order) | unreadable
    out = []
    for asset_id, ps in by_asset.items():
        asset = assets[asset_id]
        before = replace(asset)
        changes = store.Changes()
        try:
            scans = [_scan_of(p, sites) for p in ps]
            if asset_id in replay_ids:
                final = _replay(session, asset, list(zip(ps, scans)), sites, changes)
            else:
                start = store.projection_of(asset, open_trips.get(asset_id), sites)
                final = _fold_new(asset, start, list(zip(ps, scans)), changes, known_seq=asset.open_trip_seq)
            changes.asset_updates.append(store.asset_update(asset, final))
            changes.move_balance(asset, final)
            _refresh_row(asset, final)
        except SQLAlchemyError:
            raise  # the transaction is unusable: the caller rolls back
        except store.HistoryError as err:
            _refuse(ps, f"asset {asset.code} cannot take new scans: {err}; its stored history is kept for review")
            assets[asset_id] = before
            continue
        except Exception:  # a defect must cost this asset's scans, not the batch
            log.exception("folding the scans of asset %s failed", asset.code)
            _refuse(ps, f"asset {asset.code}: this scan could not be applied to the asset's history (an internal "
                        "error, logged); nothing was stored for it")
            assets[asset_id] = before
            continue
        rows = [{
            "scan_id": p.data["id"], "asset_id": asset_id, "event": int(p.data["event"]),
            "occurred_at": p.data["occurred_at"], "recorded_at": now, "site_id": p.data["site"],
            "customer_id": p.data["customer"], "user_id": principal.user_id, "device_id": p.data["device"],
            "raw_code": p.data["code"], "status": store.ANOMALY if p.status == "anomaly" else store.APPLIED,
            "anomaly_reason": p.message if p.status == "anomaly" else None,
        } for p in ps]
        out.append((rows, changes))
    return out


def _refuse(ps: list[Pending], problem: str) -> None:
    for p in ps:
        p.status = None
        p.reject("code", problem)


def _in_order(asset, ps: list[Pending]) -> bool:
    """New scans that all come after the stored ones step the stored projection; anything
    else (or a stored state this version does not know) replays the history."""
    if asset.state not in _STATE_CODES:
        return False
    return asset.last_event_at is None or min(p.data["occurred_at"] for p in ps) >= asset.last_event_at


_STATE_CODES = frozenset(int(s) for s in AssetState)


def _scan_of(p: Pending, sites: SiteCache) -> Scan:
    return Scan(p.data["event"], p.data["occurred_at"], sites.site(p.data["site"]), p.data["customer"])


def _fold_new(asset, start: Projection, items, changes: store.Changes, known_seq: int | None) -> Projection:
    """In-order path: step the stored projection through the new scans."""
    proj = start
    for p, scan in items:
        r = step(proj, scan)
        _record(asset, r, changes, _scan_key=p.scan_id)
        p.status, p.message = ("anomaly", r.anomaly) if r.anomaly else ("applied", None)
        if _takes_box(proj, scan):
            _count_collection(asset, p, changes)
        if r.closed_trip is not None:
            _put_trip(asset, r.closed_trip, known_seq, changes)
        proj = r.projection
    if proj.trip is not None:
        _put_trip(asset, proj.trip, known_seq, changes)
    return proj


def _takes_box(before: Projection, scan: Scan) -> bool:
    """A collect scan takes a box out of the customer's hands unless the box is already
    on its way back (the same box scanned twice). A collect the state machine did not
    expect (e.g. without a delivery scan) still proves the box left the site."""
    return scan.event is EventType.COLLECT and before.state is not AssetState.IN_RETURN


def _count_collection(asset, p: Pending, changes: store.Changes) -> None:
    changes.collections.append({"_scan_key": p.scan_id, "asset_id": asset.id, "asset_type_id": asset.asset_type_id,
                                "site_id": p.data["site"], "occurred_at": p.data["occurred_at"]})


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
    start = store.fresh_projection(asset, sites)
    results = replay([m[4] for m in merged], start)
    changes.replayed_assets.append(asset.id)
    before = start
    for i, ((_, _, _, tag, scan), r) in enumerate(zip(merged, results)):
        if tag[0] == "new":
            p = tag[1]
            _record(asset, r, changes, _scan_key=p.scan_id)
            p.status, p.message = ("anomaly", r.anomaly) if r.anomaly else ("applied", None)
            if _takes_box(before, scan) and not _stored_collect_follows(merged, i):
                _count_collection(asset, p, changes)
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
        before = r.projection
    final = results[-1].projection
    if final.trip is not None:
        _put_trip(asset, final.trip, None, changes)
    return final


def _stored_collect_follows(merged: list, i: int) -> bool:
    """Whether the next state-changing scan after merged[i] is an already stored collect:
    then a late collect is the same box's collection, already counted when that one came."""
    for _, _, _, tag, scan in merged[i + 1:]:
        if scan.event is EventType.CHECK:
            continue
        return tag[0] == "old" and scan.event is EventType.COLLECT
    return False


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
            "code": row.code, "state": AssetState(row.state).label if row.state in _STATE_CODES else str(row.state), "holder": row.holder_customer_id,
            "site": row.site_id, "trip_count": row.trip_count, "open_trip": row.open_trip_seq,
        }
    return out
