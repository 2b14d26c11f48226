"""Read models: asset listings, histories and anomalies, as far as the caller may see them."""
from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app.assets.models import Asset, Trip
from app.assets.registry import find
from app.balances.models import CustodyMove
from app.catalog.models import Site
from app.domain.custody import holders_after, trip_share, visible_events
from app.domain.errors import DomainError, NotFound
from app.domain.inputs import BIGINT_MAX
from app.domain.policy import Caller, authorize, own_customer, site_visible
from app.domain.states import EPCIS_MAPPING, STATE_NAMES, AssetState, EventType
from app.platform.base import utcnow
from app.platform.db import get_or_404, get_session, unit_of_work
from app.scanning.models import Anomaly, ScanEvent

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


def list_assets(viewer: Caller, state=None, customer=None, type_=None, site=None, limit=100,
                cursor=None) -> tuple[list[dict], str | None]:
    """Assets, filtered and cursor-paginated. A customer lists the assets it holds now."""
    own = authorize(viewer, "asset.read", customer)
    customer = own or customer
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
    rows = rows[:limit]
    shown = site_filter(viewer, [a.site_id for a in rows])
    return [asset_view(a, None, shown) for a in rows], next_cursor


def asset_view(a: Asset, open_trip: dict | None = None, shown_site=lambda s: s) -> dict:
    """The API view of an asset; `open_trip` is the trip view of its open trip, which
    only the detail reads (the listing passes None: docs/api.md, Open trip)."""
    return {
        "code": a.code, "alias": a.alias, "asset_type": a.asset_type_id, "serial": a.serial,
        "state": AssetState(a.state).label, "holder": a.holder_customer_id, "holder_since": a.holder_since,
        "site": shown_site(a.site_id), "trip_count": a.trip_count, "last_seen_at": a.last_event_at,
        "registered_at": a.registered_at, "open_trip": open_trip,
    }


def trip_view(t: Trip) -> dict:
    return {"seq": t.seq, "opened_at": t.opened_at, "delivered_at": t.delivered_at, "collected_at": t.collected_at,
            "closed_at": t.closed_at, "outcome": t.outcome, "origin_site": t.origin_site_id,
            "return_site": t.return_site_id, "customers": [leg["customer_id"] for leg in t.legs],
            "outbound_km": t.outbound_km, "transfer_km": t.transfer_km, "return_km": t.return_km}


def trip_view_for(viewer: Caller, t: Trip) -> dict | None:
    """A trip as `viewer` may see it: whole for staff; for a customer only its own share
    (None when it never held the asset on this trip). What lay in another holder's custody
    (its id, sites, dates, distances) is left out, not estimated."""
    own = own_customer(viewer)
    if own is None:
        return trip_view(t)
    share = trip_share([leg["customer_id"] for leg in t.legs], own)
    if not share.involved:
        return None
    delivered = next((leg["arrived_at"] for leg in t.legs if leg["customer_id"] == own and leg["site_id"]), None)
    return {"seq": t.seq,
            "opened_at": t.opened_at if share.first else None,
            "delivered_at": datetime.fromisoformat(delivered) if delivered else None,
            "collected_at": t.collected_at if share.last else None,
            "closed_at": t.closed_at if share.last else None,
            "outcome": t.outcome if share.last else None,
            "origin_site": t.origin_site_id if share.first else None,
            "return_site": t.return_site_id if share.last else None,
            "customers": [own],
            "outbound_km": t.outbound_km if share.first else None,
            "transfer_km": t.transfer_km if share.sole else None,
            "return_km": t.return_km if share.last else None}


def site_filter(viewer: Caller, site_ids) -> Callable[[str | None], str | None]:
    """site id -> itself when `viewer` may see that site, else None (another customer's site)."""
    if own_customer(viewer) is None:
        return lambda site_id: site_id
    wanted = {s for s in site_ids if s is not None}
    rows = get_session().execute(select(Site.id, Site.kind, Site.customer_id).where(Site.id.in_(wanted))).all() \
        if wanted else []
    visible = {r.id for r in rows if site_visible(viewer, r.kind, r.customer_id)}
    return lambda site_id: site_id if site_id in visible else None


def _readable_asset(viewer: Caller, code: str) -> Asset:
    """The asset, if `viewer` may read it: staff any, a customer only one it holds now."""
    own = authorize(viewer, "asset.read", field="code")
    a = find(code)
    if own is not None and a.holder_customer_id != own:
        # held by someone else, or by nobody: for this customer it does not exist
        raise NotFound("code", f"unknown asset {code!r}")
    return a


def asset_detail(viewer: Caller, code: str) -> dict:
    a = _readable_asset(viewer, code)
    open_trip = None
    if a.open_trip_seq is not None:
        row = get_session().scalar(select(Trip).where(Trip.asset_id == a.id, Trip.seq == a.open_trip_seq))
        open_trip = trip_view_for(viewer, row) if row is not None else None
    return asset_view(a, open_trip, site_filter(viewer, [a.site_id]))


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
    a = _readable_asset(viewer, code)
    rows = _history(viewer, a)
    shown_site, shown_customer, reasons = _event_fields(viewer, rows)
    out = []
    for e in rows:
        biz_step, disposition = EPCIS_MAPPING[EventType(e.event)]
        out.append({"id": str(e.scan_id), "event": EventType(e.event).label, "occurred_at": e.occurred_at,
                    "recorded_at": e.recorded_at, "site": shown_site(e.site_id), "customer": shown_customer(e.customer_id),
                    "status": "anomaly" if e.status == 2 else "applied",
                    "anomaly": e.anomaly_reason if reasons else None,
                    "biz_step": biz_step, "disposition": disposition})
    return out


def asset_epcis(viewer: Caller, code: str, resolver_base_url: str, public_base_url: str, sender: str) -> dict:
    """The asset's history as an EPCIS 2.0 document (see app/domain/epcis.py), as far as
    `viewer` may see it."""
    from app.domain.epcis import EventRecord, document

    a = _readable_asset(viewer, code)
    rows = _history(viewer, a)
    shown_site, shown_customer, reasons = _event_fields(viewer, rows)
    first_id = get_session().scalar(select(ScanEvent.id).where(ScanEvent.asset_id == a.id)
                                    .order_by(ScanEvent.occurred_at, ScanEvent.id).limit(1))
    records = [EventRecord(str(e.scan_id), EventType(e.event), e.occurred_at, e.recorded_at, shown_site(e.site_id),
                           shown_customer(e.customer_id), e.anomaly_reason if e.status == 2 and reasons else None)
               for e in rows]
    return document(f"{resolver_base_url.rstrip('/')}/8003/{a.code}", records, public_base_url, utcnow(), sender,
                    starts_history=bool(rows) and rows[0].id == first_id)


def asset_trips(viewer: Caller, code: str) -> list[dict]:
    a = _readable_asset(viewer, code)
    trips = get_session().scalars(select(Trip).where(Trip.asset_id == a.id).order_by(Trip.seq))
    return [v for v in (trip_view_for(viewer, t) for t in trips) if v is not None]


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


def parse_time(value: str, field: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as exc:
        raise DomainError(field, "not an ISO 8601 date or timestamp") from exc
    if dt.tzinfo is None:
        from datetime import timezone

        dt = dt.replace(tzinfo=timezone.utc)  # a bare date means midnight UTC
    return dt
