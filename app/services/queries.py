"""Read models: asset listings, histories and anomalies."""
from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy import select

from ..db import get_session, unit_of_work
from ..domain.errors import DomainError, NotFound
from ..domain.inputs import BIGINT_MAX
from ..domain.states import EPCIS_MAPPING, STATE_NAMES, AssetState, EventType
from ..models import Anomaly, Asset, ScanEvent, Trip, utcnow
from .registry import find

MAX_PAGE = 500


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The row id inside a cursor; anything else (garbage, or an id no bigint column
    holds) is the client's mistake, answered 422 naming `cursor`."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        text = ""
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(BIGINT_MAX))) or int(text) > BIGINT_MAX:
        raise DomainError("cursor", "not a cursor returned by this API")
    return int(text)


def list_assets(state=None, customer=None, type_=None, site=None, limit=100, cursor=None) -> tuple[list[dict], str | None]:
    stmt = select(Asset).order_by(Asset.id).limit(limit + 1)
    if state is not None:
        if state not in STATE_NAMES:
            raise DomainError("state", f"unknown state {state!r}; one of {', '.join(STATE_NAMES)}")
        stmt = stmt.where(Asset.state == int(STATE_NAMES[state]))
    if customer is not None:
        stmt = stmt.where(Asset.holder_customer_id == customer)
    if type_ is not None:
        stmt = stmt.where(Asset.asset_type_id == type_)
    if site is not None:
        stmt = stmt.where(Asset.site_id == site)
    if cursor:
        stmt = stmt.where(Asset.id > decode_cursor(cursor))
    rows = list(get_session().scalars(stmt))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return [asset_view(a) for a in rows[:limit]], next_cursor


def asset_view(a: Asset, trip: Trip | None = None) -> dict:
    out = {
        "code": a.code, "alias": a.alias, "asset_type": a.asset_type_id, "serial": a.serial,
        "state": AssetState(a.state).label, "holder": a.holder_customer_id, "holder_since": a.holder_since,
        "site": a.site_id, "trip_count": a.trip_count, "last_seen_at": a.last_event_at,
        "registered_at": a.registered_at, "open_trip": None,
    }
    if trip is not None:
        out["open_trip"] = trip_view(trip)
    return out


def trip_view(t: Trip) -> dict:
    return {"seq": t.seq, "opened_at": t.opened_at, "delivered_at": t.delivered_at, "collected_at": t.collected_at,
            "closed_at": t.closed_at, "outcome": t.outcome, "origin_site": t.origin_site_id,
            "return_site": t.return_site_id, "customers": [leg["customer_id"] for leg in t.legs],
            "outbound_km": t.outbound_km, "transfer_km": t.transfer_km, "return_km": t.return_km}


def asset_detail(code: str, customer_scope: str | None = None) -> dict:
    a = find(code)
    _check_scope(a, customer_scope)
    trip = None
    if a.open_trip_seq is not None:
        trip = get_session().scalar(select(Trip).where(Trip.asset_id == a.id, Trip.seq == a.open_trip_seq))
    return asset_view(a, trip)


def asset_events(code: str, customer_scope: str | None = None) -> list[dict]:
    a = find(code)
    _check_scope(a, customer_scope)
    rows = get_session().scalars(select(ScanEvent).where(ScanEvent.asset_id == a.id)
                                 .order_by(ScanEvent.occurred_at, ScanEvent.id))
    out = []
    for e in rows:
        biz_step, disposition = EPCIS_MAPPING[EventType(e.event)]
        out.append({"id": str(e.scan_id), "event": EventType(e.event).label, "occurred_at": e.occurred_at,
                    "recorded_at": e.recorded_at, "site": e.site_id, "customer": e.customer_id,
                    "status": "anomaly" if e.status == 2 else "applied", "anomaly": e.anomaly_reason,
                    "biz_step": biz_step, "disposition": disposition})
    return out


def asset_epcis(code: str, customer_scope: str | None, resolver_base_url: str, public_base_url: str,
                sender: str) -> dict:
    """The asset's history as an EPCIS 2.0 document (see app/domain/epcis.py)."""
    from ..domain.epcis import EventRecord, document

    a = find(code)
    _check_scope(a, customer_scope)
    rows = get_session().scalars(select(ScanEvent).where(ScanEvent.asset_id == a.id)
                                 .order_by(ScanEvent.occurred_at, ScanEvent.id))
    records = [EventRecord(str(e.scan_id), EventType(e.event), e.occurred_at, e.recorded_at, e.site_id,
                           e.customer_id, e.anomaly_reason if e.status == 2 else None) for e in rows]
    return document(f"{resolver_base_url.rstrip('/')}/8003/{a.code}", records, public_base_url, utcnow(), sender)


def asset_trips(code: str, customer_scope: str | None = None) -> list[dict]:
    a = find(code)
    _check_scope(a, customer_scope)
    return [trip_view(t) for t in get_session().scalars(select(Trip).where(Trip.asset_id == a.id).order_by(Trip.seq))]


def _check_scope(a: Asset, customer_scope: str | None) -> None:
    # A customer sees only assets it holds; anything else does not exist for it.
    if customer_scope is not None and a.holder_customer_id != customer_scope:
        raise NotFound("code", "unknown asset")


def list_anomalies(include_resolved: bool = False, limit: int = 100, cursor: str | None = None):
    stmt = (select(Anomaly, ScanEvent, Asset.code).join(ScanEvent, ScanEvent.id == Anomaly.scan_event_id)
            .join(Asset, Asset.id == Anomaly.asset_id).order_by(Anomaly.id).limit(limit + 1))
    if not include_resolved:
        stmt = stmt.where(Anomaly.resolved_at.is_(None), Anomaly.cleared_by_replay.is_(False))
    if cursor:
        stmt = stmt.where(Anomaly.id > decode_cursor(cursor))
    rows = get_session().execute(stmt).all()
    items = [anomaly_view(an, ev, code) for an, ev, code in rows[:limit]]
    return items, (encode_cursor(rows[limit - 1][0].id) if len(rows) > limit else None)


def anomaly_view(an: Anomaly, ev: ScanEvent, code: str) -> dict:
    return {"id": an.id, "asset": code, "reason": an.reason, "event": EventType(ev.event).label,
            "scan_id": str(ev.scan_id), "occurred_at": ev.occurred_at, "site": ev.site_id,
            "created_at": an.created_at, "resolved_at": an.resolved_at, "resolution_note": an.resolution_note,
            "cleared_by_later_scan": an.cleared_by_replay}


def resolve_anomaly(anomaly_id: int, user_id: int, note: str) -> dict:
    with unit_of_work() as session:
        an = session.get(Anomaly, anomaly_id)
        if an is None:
            raise NotFound("id", f"unknown anomaly {anomaly_id}")
        if an.resolved_at is not None:
            raise DomainError("id", f"anomaly {anomaly_id} was resolved at {an.resolved_at.isoformat()}")
        an.resolved_at, an.resolved_by, an.resolution_note = utcnow(), user_id, note
        ev = session.get(ScanEvent, an.scan_event_id)
        code = session.get(Asset, an.asset_id).code
    return anomaly_view(an, ev, code)


def parse_time(value: str, field: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as exc:
        raise DomainError(field, "not an ISO 8601 date or timestamp") from exc
    if dt.tzinfo is None:
        from datetime import timezone

        dt = dt.replace(tzinfo=timezone.utc)  # a bare date means midnight UTC
    return dt
