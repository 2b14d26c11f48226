"""Customer balances and movement statements.

A balance is the number of assets a customer is accountable for (issued to it and not
yet collected). Statements count the custody moves by kind and add them up with each
kind's sign (CustodyKind.sign), so by construction closing = opening + in - out, and the
current closing equals the live balance; `statement_moves` lists those moves asset by
asset.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from app.assets.models import Asset
from app.assets.queries import site_filter
from app.balances.models import CustodyMove, CustomerBalance
from app.catalog.models import AssetType, Customer
from app.domain.custody import CustodyKind
from app.domain.errors import DomainError
from app.domain.policy import Caller, authorize
from app.platform.base import utcnow
from app.platform.db import get_or_404, get_session


def _customer(viewer: Caller, operation: str, customer_id: str) -> Customer:
    """The customer, once the policy lets `viewer` use `operation` on its data."""
    authorize(viewer, operation, customer_id)
    return get_or_404(Customer, customer_id, "customer", "customer")


def overdue_cutoff(now: datetime, overdue_days: int) -> datetime:
    """Held since before this instant = overdue: the start of the UTC day `overdue_days`
    ago. Whole days make the counter (by day) and the asset listing agree exactly."""
    day = (now - timedelta(days=overdue_days)).date()
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def balance(viewer: Caller, customer_id: str) -> dict:
    _customer(viewer, "customer.balance", customer_id)
    session = get_session()
    # Counters kept by the scan service (see CustomerBalance): no asset is counted here.
    rows = session.execute(
        select(CustomerBalance.asset_type_id, CustomerBalance.site_id, CustomerBalance.since_day,
               CustomerBalance.count)
        .where(CustomerBalance.customer_id == customer_id, CustomerBalance.count != 0)
    ).all()
    now = utcnow()
    limits = dict(session.execute(select(AssetType.id, AssetType.overdue_days)).all())
    by_type: dict[str, int] = defaultdict(int)
    by_site: dict[str, int] = defaultdict(int)
    # An asset passed on at the giving customer's site is there until delivered: to the
    # new holder that site is another customer's, so it counts as in transit.
    shown = site_filter(viewer, [r[1] for r in rows])
    overdue = 0
    for type_id, site_id, since_day, n in rows:
        by_type[type_id] += n
        by_site[shown(site_id or None) or "in_transit"] += n
        if since_day < overdue_cutoff(now, limits[type_id]).date():
            overdue += n
    return {"customer": customer_id, "total": sum(by_type.values()), "by_type": dict(by_type),
            "by_site": dict(by_site), "overdue": overdue, "as_of": now}


def overdue_assets(viewer: Caller, customer_id: str, limit: int = 500) -> list[dict]:
    _customer(viewer, "customer.overdue", customer_id)
    now = utcnow()
    session = get_session()
    out = []
    for type_id, days in session.execute(select(AssetType.id, AssetType.overdue_days)):
        rows = session.execute(select(Asset.code, Asset.site_id, Asset.holder_since).where(
            Asset.holder_customer_id == customer_id, Asset.asset_type_id == type_id,
            Asset.holder_since < overdue_cutoff(now, days)).order_by(Asset.holder_since).limit(limit))
        out += [{"code": c, "asset_type": type_id, "site": s, "holder_since": since,
                 "days_held": (now - since).days, "overdue_after_days": days} for c, s, since in rows]
    out = sorted(out, key=lambda r: r["holder_since"])[:limit]
    shown = site_filter(viewer, [r["site"] for r in out])
    return [{**r, "site": shown(r["site"])} for r in out]


def statement(viewer: Caller, customer_id: str, start: datetime, end: datetime) -> dict:
    _customer(viewer, "customer.statement", customer_id)
    if end <= start:
        raise DomainError("to", "must be after 'from'")
    session = get_session()
    # Opening = current balance minus every move since `start`: this reads only the
    # moves after the period start, not the customer's whole history.
    current = dict(session.execute(select(CustomerBalance.asset_type_id, func.sum(CustomerBalance.count))
                                   .where(CustomerBalance.customer_id == customer_id)
                                   .group_by(CustomerBalance.asset_type_id)).all())
    since_start = session.execute(
        select(CustodyMove.asset_type_id, CustodyMove.kind,
               func.count(), (CustodyMove.occurred_at < end).label("in_period"))
        .where(CustodyMove.customer_id == customer_id, CustodyMove.occurred_at >= start)
        .group_by(CustodyMove.asset_type_id, CustodyMove.kind, "in_period")
    ).all()
    types = set(current) | {r[0] for r in since_start}
    per_type = {t: {"opening": 0, **{k.value: 0 for k in CustodyKind}, "closing": 0} for t in types}
    after_end: dict[str, int] = defaultdict(int)
    in_period: dict[str, int] = defaultdict(int)
    for type_id, kind, n, inside in since_start:
        if inside:
            per_type[type_id][kind] += n
            in_period[type_id] += CustodyKind(kind).sign * n
        else:
            after_end[type_id] += CustodyKind(kind).sign * n
    for t, row in per_type.items():
        row["closing"] = current.get(t, 0) - after_end[t]
        row["opening"] = row["closing"] - in_period[t]
    columns = ("opening", *(k.value for k in CustodyKind), "closing")
    totals = {k: sum(r[k] for r in per_type.values()) for k in columns}
    return {"customer": customer_id, "from": start, "to": end, "by_type": per_type, "total": totals}


def statement_moves(viewer: Caller, customer_id: str, start: datetime, end: datetime,
                    limit: int = 500) -> list[dict]:
    """The custody moves a statement adds up, one line per asset and move, oldest first
    (the first `limit`); `held_now` says whether the customer still holds the asset."""
    _customer(viewer, "customer.statement", customer_id)
    if end <= start:
        raise DomainError("to", "must be after 'from'")
    rows = get_session().execute(
        select(CustodyMove.occurred_at, CustodyMove.kind, CustodyMove.asset_type_id, Asset.code,
               Asset.holder_customer_id)
        .join(Asset, Asset.id == CustodyMove.asset_id)
        .where(CustodyMove.customer_id == customer_id, CustodyMove.occurred_at >= start, CustodyMove.occurred_at < end)
        .order_by(CustodyMove.occurred_at, CustodyMove.id).limit(limit)).all()
    return [{"occurred_at": at, "kind": kind, "asset_type": type_id, "code": code, "held_now": holder == customer_id}
            for at, kind, type_id, code, holder in rows]


def daily_moves(viewer: Caller, customer_id: str, since: datetime) -> tuple[dict[str, int], dict]:
    """(current balance by nothing but total, {utc day: {kind: count}}) since `since`, in
    one aggregate query: what the portal's charts need without a statement per point.
    A day's net change is the sum of each count times its kind's CustodyKind.sign."""
    _customer(viewer, "customer.statement", customer_id)
    session = get_session()
    current = session.scalar(select(func.coalesce(func.sum(CustomerBalance.count), 0))
                             .where(CustomerBalance.customer_id == customer_id))
    day = func.date(CustodyMove.occurred_at)
    rows = session.execute(
        select(day, CustodyMove.kind, func.count())
        .where(CustodyMove.customer_id == customer_id, CustodyMove.occurred_at >= since)
        .group_by(day, CustodyMove.kind)
    ).all()
    by_day: dict = defaultdict(dict)
    for d, kind, n in rows:
        d = d if not isinstance(d, str) else datetime.fromisoformat(d).date()
        by_day[d][kind] = int(n)
    return int(current), dict(by_day)
