"""Customers' return requests: create, follow, cancel, mark collected.

Status flow: see app/domain/return_requests.py (an unserved request's reason is the
planner's). A customer user only ever sees its own requests: another customer's id answers 404.
A request asks for no more of a type than the customer holds (at that site, as far as the
balances know where its assets are), less what its other waiting requests still ask for.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from app.accounts.auth import Principal
from app.catalog.models import AssetType, Customer, Site
from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.inputs import zone
from app.domain.policy import authorize
from app.domain.return_requests import PENDING, WAITING
from app.domain.return_requests import ReturnRequestStatus as Status
from app.pickups.holdings import check_holdings as _check_holdings
from app.pickups.holdings import collected as _collected
from app.pickups.holdings import wanted as _wanted
from app.pickups.models import ReturnRequest, ReturnRequestCollection
from app.planning.models import Plan
from app.platform.base import utcnow
from app.platform.db import get_or_404, get_session, unit_of_work


def create(principal: Principal, data: dict) -> dict:
    own = authorize(principal, "return_request.create", data.get("customer"))
    with unit_of_work() as session:
        site = session.get(Site, data["site"])
        if site is None or site.kind != "customer" or (own is not None and site.customer_id != own):
            raise NotFound("site", f"unknown site {data['site']!r}" + ("" if own is None else " among your sites"))
        if own is not None:
            customer_id = own
        else:
            customer_id = data.get("customer") or site.customer_id
            get_or_404(Customer, customer_id, "customer", "customer")
            if site.customer_id != customer_id:
                raise DomainError("site", f"site {site.id!r} belongs to {site.customer_id!r}, not {customer_id!r}")
        if not site.active:
            raise DomainError("site", f"site {site.id!r} is inactive")
        counts = data["counts"]
        known = set(session.scalars(select(AssetType.id).where(AssetType.id.in_(list(counts)))))
        for type_id in counts:
            if type_id not in known:
                raise NotFound(f"counts.{type_id}", f"unknown asset type {type_id!r}")
        window = data.get("window") or {}
        start, end = window.get("start"), window.get("end")
        if start is not None and end <= start:
            raise DomainError("window", "the window ends before (or when) it starts")
        if end is not None and end < utcnow():
            raise DomainError("window", "the window is over already")
        _check_holdings(session, customer_id, site, counts)
        now = utcnow()
        req = ReturnRequest(customer_id=customer_id, site_id=site.id, counts=dict(sorted(counts.items())),
                            window_start=start, window_end=end, status=Status.OPEN, note=data.get("note"),
                            created_by=principal.user_id, created_at=now, updated_at=now)
        session.add(req)
        session.flush()
    return describe([req])[0]


def _load(session, principal: Principal, operation: str, request_id: int, lock: bool = False) -> ReturnRequest:
    stmt = select(ReturnRequest).where(ReturnRequest.id == request_id)
    own = authorize(principal, operation, field="id")
    if own is not None:
        stmt = stmt.where(ReturnRequest.customer_id == own)
    if lock:
        stmt = stmt.with_for_update()
    req = session.scalar(stmt)
    if req is None:
        raise NotFound("id", f"unknown return request {request_id}")
    return req


def get(principal: Principal, request_id: int) -> dict:
    return describe([_load(get_session(), principal, "return_request.read", request_id)])[0]


def list_requests(principal: Principal, status: str | None, customer: str | None, site: str | None,
                  limit: int, offset: int) -> dict:
    own = authorize(principal, "return_request.read", customer)
    conds = []
    if own or customer:
        conds.append(ReturnRequest.customer_id == (own or customer))
    if status:
        conds.append(ReturnRequest.status == status)
    if site:
        conds.append(ReturnRequest.site_id == site)
    session = get_session()
    total = session.scalar(select(func.count()).select_from(ReturnRequest).where(*conds))
    rows = list(session.scalars(select(ReturnRequest).where(*conds)
                                .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc())
                                .limit(limit).offset(offset)))
    return {"items": describe(rows), "total": total}


def cancel(principal: Principal, request_id: int) -> dict:
    with unit_of_work() as session:
        req = _load(session, principal, "return_request.cancel", request_id, lock=True)
        if req.status not in PENDING:
            raise Conflict("status", f"a request that is {req.status} cannot be cancelled")
        req.status, req.status_reason, req.updated_at = Status.CANCELLED, "cancelled by " + principal.role, utcnow()
    return describe([req])[0]


def mark_collected(principal: Principal, request_id: int, note: str | None = None) -> dict:
    with unit_of_work() as session:
        req = _load(session, principal, "return_request.collect", request_id, lock=True)
        if req.status not in WAITING:
            raise Conflict("status", f"a request that is {req.status} cannot be marked collected")
        req.status, req.status_reason, req.updated_at = Status.COLLECTED, note, utcnow()
    return describe([req])[0]


def describe(rows: list[ReturnRequest]) -> list[dict]:
    """API view of requests, with the planned visit (vehicle, seq, ETA) read from the plan."""
    session = get_session()
    plan_ids = {r.plan_id for r in rows if r.plan_id and r.status == Status.PLANNED}
    visits: dict[str, dict] = {}
    for plan in session.scalars(select(Plan).where(Plan.id.in_(plan_ids))) if plan_ids else ():
        for tour, route in enumerate((plan.result or {}).get("routes", []), start=1):
            for stop in route["stops"]:  # `tour`: the route's number in its plan, as the pages count tours
                visits[int(stop["request_id"])] = {"plan_id": plan.id, "vehicle": route["vehicle"], "seq": stop["seq"],
                                              "eta": stop["eta"], "tour": tour}
    sites = {s.id: s for s in session.scalars(select(Site).where(Site.id.in_({r.site_id for r in rows})))} if rows else {}
    units = dict(session.execute(select(AssetType.id, AssetType.load_units)).all()) if rows else {}
    collected = _collected(session, [r.id for r in rows])
    out = []
    for r in rows:
        window = None
        site = sites.get(r.site_id)
        if r.window_start is not None:  # in the site's local time, as the customer thinks of it
            tz = zone(site.timezone if site else None)
            window = {"start": r.window_start.astimezone(tz).isoformat(), "end": r.window_end.astimezone(tz).isoformat()}
        out.append({
            "id": r.id, "customer": r.customer_id, "site": r.site_id, "site_name": site.name if site else None,
            "counts": r.counts, "collected": {t: collected.get(r.id, {}).get(t, 0) for t in r.counts},
            "load_units": round(sum(units.get(t, 0) * n for t, n in r.counts.items()), 3),
            "window": window, "note": r.note, "status": r.status, "reason": r.status_reason, "plan_id": r.plan_id,
            "planned": visits.get(r.id) if r.status == Status.PLANNED else None,
            "created_at": r.created_at, "updated_at": r.updated_at,
        })
    return out


# ------------------------------------------------------------------ demo data

DEMO_NOTE = "demo: "
_DEMO = [  # (site, counts, local window or None)
    ("rheinchem-leverkusen", {"ibc-1000": 10}, ("08:00", "12:00")),
    ("rheinchem-dormagen", {"ibc-1000": 6}, None),
    ("autoteile-bochum-bochum", {"crate-6040": 120, "pallet-box": 6}, ("09:00", "15:00")),
    ("fahrwerk-koeln-niehl", {"pallet-box": 8}, ("07:00", "11:00")),
    ("ruhr-frisch-essen", {"crate-6040": 200}, ("06:00", "10:00")),
    ("wupper-getraenke-wuppertal", {"crate-6040": 80, "ibc-1000": 4}, None),
    ("niederrhein-coatings-krefeld", {"ibc-1000": 12}, ("10:00", "16:00")),
    ("frische-rhein-bonn", {"crate-6040": 150}, ("13:00", "18:00")),
]


def seed_demo(tz: str = "Europe/Berlin") -> int:
    """Open demo requests for the next weekday, unless open demo requests are still ahead.

    Idempotent: a second run on the same day adds nothing. Returns how many were added.
    """
    session = get_session()
    now = utcnow()
    pending = session.scalar(select(func.count()).select_from(ReturnRequest).where(
        ReturnRequest.status.in_(PENDING), ReturnRequest.note.like(DEMO_NOTE + "%"),
        (ReturnRequest.window_end.is_(None)) | (ReturnRequest.window_end > now)))
    if pending:
        return 0
    zone = ZoneInfo(tz)
    day = now.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() >= 5:  # the demo sites are open Monday to Friday all day
        day += timedelta(days=1)
    added = 0
    with unit_of_work() as session:
        for site_id, counts, hours in _DEMO:
            site = session.get(Site, site_id)
            if site is None or any(session.get(AssetType, t) is None for t in counts):
                continue
            start = end = None
            if hours:
                start, end = (datetime.combine(day, time.fromisoformat(h), zone).astimezone(timezone.utc) for h in hours)
            else:  # no preferred window: a whole-day request, bounded by the site's opening hours
                start = datetime.combine(day, time(0), zone).astimezone(timezone.utc)
                end = start + timedelta(days=1)
            session.add(ReturnRequest(customer_id=site.customer_id, site_id=site.id, counts=counts, window_start=start,
                                      window_end=end, status=Status.OPEN, note=f"{DEMO_NOTE}collection for {day:%a %d %b}",
                                      created_at=now, updated_at=now))
            added += 1
    return added


def settle_by_collections(session, collections: list[dict]) -> int:
    """Count the batch's collect scans toward the waiting requests at their sites and mark
    the requests whose every count is covered `collected`. Returns how many were.

    Runs inside the scan transaction. Each scan counts toward one request at most: the
    oldest waiting request at its site, created at or before the scan happened, that
    still needs a box of its type. What was counted is stored (the scan is the key), so
    a resent, late or replayed scan never counts twice and a settled request keeps what
    it consumed. `collections` are the scans that took a box from the customer
    ({scan_event_id, asset_id, asset_type_id, site_id, occurred_at}).
    """
    if not collections:
        return 0
    waiting = list(session.scalars(
        select(ReturnRequest).where(ReturnRequest.site_id.in_(sorted({c["site_id"] for c in collections})),
                                    ReturnRequest.status.in_(WAITING))
        .order_by(ReturnRequest.created_at, ReturnRequest.id).with_for_update()))
    if not waiting:
        return 0
    # read after the lock, so a concurrent batch's counts (committed before it) are seen
    have = _collected(session, [r.id for r in waiting])
    needs = {r.id: _wanted(r) for r in waiting}
    counted = []
    settled = 0
    for c in sorted(collections, key=lambda c: (c["occurred_at"], c["scan_event_id"])):
        for req in (r for r in waiting if r.site_id == c["site_id"]):
            if req.created_at > c["occurred_at"]:
                break  # oldest first: every later request is younger still
            got = have.setdefault(req.id, {})
            if req.status not in WAITING or got.get(c["asset_type_id"], 0) >= needs[req.id].get(c["asset_type_id"], 0):
                continue
            got[c["asset_type_id"]] = got.get(c["asset_type_id"], 0) + 1
            counted.append({"scan_event_id": c["scan_event_id"], "request_id": req.id, "asset_id": c["asset_id"],
                            "asset_type_id": c["asset_type_id"], "created_at": utcnow()})
            if all(got.get(t, 0) >= n for t, n in needs[req.id].items()):
                req.status, req.updated_at = Status.COLLECTED, utcnow()
                req.status_reason = "collect scans at the site cover every requested asset"
                settled += 1
            break
    if counted:
        session.execute(insert(ReturnRequestCollection.__table__), counted)
    return settled
