"""The scan log read back: an asset's scans and its EPCIS 2.0 document, and the anomalies
among all scans waiting for review, each as far as the caller may see them.

A customer sees the scans of its own custody periods (app/domain/custody.py), the sites
that are depots or its own, and no anomaly reasons (operator review notes that may name
other holders).
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.assets.models import Asset
from app.assets.queries import decode_cursor, encode_cursor, readable_asset, site_filter
from app.balances.models import CustodyMove
from app.domain.custody import holders_after, visible_events
from app.domain.epcis import EventRecord, document
from app.domain.errors import DomainError
from app.domain.policy import Caller, authorize, own_customer
from app.domain.states import EPCIS_MAPPING, EventStatus, EventType
from app.platform.base import utcnow
from app.platform.db import get_or_404, get_session, unit_of_work
from app.scanning.models import Anomaly, ScanEvent


def _history(viewer: Caller, a: Asset) -> list[ScanEvent]:
    """The asset's scans in physical order that `viewer` may see: all for staff, a
    customer's own custody periods for a customer (app/domain/custody.py)."""
    session = get_session()
    rows = list(session.scalars(select(ScanEvent).where(ScanEvent.asset_id == a.id)
                                .order_by(ScanEvent.occurred_at, ScanEvent.id)))
    own = own_customer(viewer)
    if own is None:
        return rows
    moves: dict[int, list[tuple[str, int]]] = {}
    for event_id, customer_id, delta in session.execute(
            select(CustodyMove.scan_event_id, CustodyMove.customer_id, CustodyMove.delta)
            .where(CustodyMove.asset_id == a.id)):
        moves.setdefault(event_id, []).append((customer_id, delta))
    holders = holders_after([moves.get(e.id, ()) for e in rows])
    return [e for e, shown in zip(rows, visible_events(holders, own)) if shown]


def _event_fields(viewer: Caller, rows: list[ScanEvent]) -> tuple[Callable, Callable, bool]:
    """(site shown, customer shown, anomaly reasons shown) for `viewer`: a customer sees
    depots, its own sites and itself; anomaly reasons are operator review notes that may
    name other holders."""
    own = own_customer(viewer)
    return (site_filter(viewer, [e.site_id for e in rows]),
            (lambda c: c) if own is None else (lambda c: c if c == own else None),
            own is None)


def asset_events(viewer: Caller, code: str) -> list[dict]:
    a = readable_asset(viewer, code)
    rows = _history(viewer, a)
    shown_site, shown_customer, reasons = _event_fields(viewer, rows)
    out = []
    for e in rows:
        biz_step, disposition = EPCIS_MAPPING[EventType(e.event)]
        out.append({"id": str(e.scan_id), "event": EventType(e.event).label, "occurred_at": e.occurred_at,
                    "recorded_at": e.recorded_at, "site": shown_site(e.site_id), "customer": shown_customer(e.customer_id),
                    "status": EventStatus.ANOMALY.label if e.status == EventStatus.ANOMALY else EventStatus.APPLIED.label,
                    "anomaly": e.anomaly_reason if reasons else None,
                    "biz_step": biz_step, "disposition": disposition})
    return out


def asset_epcis(viewer: Caller, code: str, resolver_base_url: str, public_base_url: str, sender: str) -> dict:
    """The asset's history as an EPCIS 2.0 document (see app/domain/epcis.py), as far as
    `viewer` may see it."""
    a = readable_asset(viewer, code)
    rows = _history(viewer, a)
    shown_site, shown_customer, reasons = _event_fields(viewer, rows)
    first_id = get_session().scalar(select(ScanEvent.id).where(ScanEvent.asset_id == a.id)
                                    .order_by(ScanEvent.occurred_at, ScanEvent.id).limit(1))
    records = [EventRecord(str(e.scan_id), EventType(e.event), e.occurred_at, e.recorded_at, shown_site(e.site_id),
                           shown_customer(e.customer_id), e.anomaly_reason if e.status == EventStatus.ANOMALY and reasons else None)
               for e in rows]
    return document(f"{resolver_base_url.rstrip('/')}/8003/{a.code}", records, public_base_url, utcnow(), sender,
                    starts_history=bool(rows) and rows[0].id == first_id)


def list_anomalies(viewer: Caller, include_resolved: bool = False, limit: int = 100, cursor: str | None = None):
    authorize(viewer, "anomaly.read")
    stmt = (select(Anomaly, ScanEvent, Asset.code).join(ScanEvent, ScanEvent.id == Anomaly.scan_event_id)
            .join(Asset, Asset.id == Anomaly.asset_id).order_by(Anomaly.id).limit(limit + 1))
    if not include_resolved:
        stmt = stmt.where(Anomaly.resolved_at.is_(None), Anomaly.cleared_by_later_scan.is_(False))
    if cursor:
        stmt = stmt.where(Anomaly.id > decode_cursor(cursor))
    rows = get_session().execute(stmt).all()
    items = [anomaly_view(an, ev, code) for an, ev, code in rows[:limit]]
    return items, (encode_cursor(rows[limit - 1][0].id) if len(rows) > limit else None)


def anomaly_view(an: Anomaly, ev: ScanEvent, code: str) -> dict:
    return {"id": an.id, "asset": code, "reason": an.reason, "event": EventType(ev.event).label,
            "scan_id": str(ev.scan_id), "occurred_at": ev.occurred_at, "site": ev.site_id,
            "created_at": an.created_at, "resolved_at": an.resolved_at, "resolution_note": an.resolution_note,
            "cleared_by_later_scan": an.cleared_by_later_scan}


def resolve_anomaly(principal, anomaly_id: int, note: str) -> dict:
    authorize(principal, "anomaly.resolve")
    user_id = principal.user_id
    with unit_of_work() as session:
        an = get_or_404(Anomaly, anomaly_id, "id", "anomaly")
        if an.resolved_at is not None:
            raise DomainError("id", f"anomaly {anomaly_id} was resolved at {an.resolved_at.isoformat()}")
        an.resolved_at, an.resolved_by, an.resolution_note = utcnow(), user_id, note
        ev = session.get(ScanEvent, an.scan_event_id)
        code = session.get(Asset, an.asset_id).code
    return anomaly_view(an, ev, code)
