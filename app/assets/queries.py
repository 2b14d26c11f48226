"""Read models: asset listings, a search by code or serial, one asset and its trips, as
far as the caller may see them.

An asset's scans and the anomalies among them are read back by app/scanning/history.py."""
from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import select

from app.assets.models import Asset, Trip
from app.assets.registry import SERIAL_DIGITS, find
from app.catalog.models import AssetType, Site
from app.domain.custody import trip_share
from app.domain.errors import DomainError, NotFound
from app.domain.inputs import BIGINT_MAX
from app.domain.policy import Caller, authorize, own_customer, site_visible
from app.domain.states import STATE_NAMES, AssetState
from app.platform.db import get_session
from labels.errors import LabelError
from labels.grai import make_grai

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


def readable_asset(viewer: Caller, code: str) -> Asset:
    """The asset, if `viewer` may read it: staff any, a customer only one it holds now."""
    own = authorize(viewer, "asset.read", field="code")
    a = find(code)
    if own is not None and a.holder_customer_id != own:
        # held by someone else, or by nobody: for this customer it does not exist
        raise NotFound("code", f"unknown asset {code!r}")
    return a


def search(viewer: Caller, text: str, asset_type_id: str | None = None, limit: int = 20) -> list[dict]:
    """The assets `text` names, as far as `viewer` may see them (a customer: those it holds
    now): any code form or an alias (registry.find), or a serial of `asset_type_id`, or of
    any type when None. A serial of digits shorter than the registry writes them is also
    tried zero-padded. Text that is no code and no serial raises DomainError naming `code`."""
    own = authorize(viewer, "asset.read", field="code")
    found: dict[int, Asset] = {}
    problem = None
    try:
        asset = find(text)
        found[asset.id] = asset
    except NotFound:
        pass
    except DomainError as err:
        problem = err
    codes = _serial_codes(text.strip(), asset_type_id)
    if problem is not None and not codes:
        raise problem
    if codes:
        stmt = select(Asset).where(Asset.code.in_(codes)).order_by(Asset.code).limit(limit)
        found.update((a.id, a) for a in get_session().scalars(stmt))
    rows = sorted((a for a in found.values() if own is None or a.holder_customer_id == own), key=lambda a: a.code)
    shown = site_filter(viewer, [a.site_id for a in rows])
    return [asset_view(a, None, shown) for a in rows[:limit]]


def _serial_codes(serial: str, asset_type_id: str | None) -> set[str]:
    """The codes `serial` has as a serial of each asset type (of one when given)."""
    serials = {serial}
    if serial.isdigit() and len(serial) < SERIAL_DIGITS:
        serials.add(serial.zfill(SERIAL_DIGITS))
    stmt = select(AssetType)
    if asset_type_id is not None:
        stmt = stmt.where(AssetType.id == asset_type_id)
    codes = set()
    for asset_type in get_session().scalars(stmt):
        for s in serials:
            try:
                codes.add(make_grai(asset_type.company_prefix, asset_type.grai_asset_type, s).ai_value)
            except LabelError:
                pass  # not a serial this type can have
    return codes


def asset_detail(viewer: Caller, code: str) -> dict:
    a = readable_asset(viewer, code)
    open_trip = None
    if a.open_trip_seq is not None:
        row = get_session().scalar(select(Trip).where(Trip.asset_id == a.id, Trip.seq == a.open_trip_seq))
        open_trip = trip_view_for(viewer, row) if row is not None else None
    return asset_view(a, open_trip, site_filter(viewer, [a.site_id]))


def asset_trips(viewer: Caller, code: str) -> list[dict]:
    a = readable_asset(viewer, code)
    trips = get_session().scalars(select(Trip).where(Trip.asset_id == a.id).order_by(Trip.seq))
    return [v for v in (trip_view_for(viewer, t) for t in trips) if v is not None]


def parse_time(value: str, field: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as exc:
        raise DomainError(field, "not an ISO 8601 date or timestamp") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)  # a bare date means midnight UTC
    return dt
