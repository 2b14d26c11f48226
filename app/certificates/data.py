"""What a certificate run reads: the month's trips, aggregated in SQL and hashed in a stream.

Attribution: a trip counts for the month in which it closed (`closed_at` in
[start of month, start of next month), UTC) with outcome "completed", and is credited
to the trip's `customer_id`, its last holder (the customer who had the asset when the
collection was scanned). Distances: outbound = outbound_km + transfer_km (transfers
between customers carry content too), return = return_km; both rounded to the metre.

The inputs hash is the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of
the list of per-trip inputs sorted by trip id; it is computed while streaming rows, so a
month of a million trips is never held in memory.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Float, Numeric, and_, cast, func, select
from sqlalchemy.engine import Connection

from app.assets.models import Trip
from app.catalog.models import AssetType
from app.domain.errors import DomainError
from app.platform.config import timestamp_bounds

MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
LOSS_WINDOW_MONTHS = 12
EMBED_TRIPS_MAX = 1000  # documents list their trips up to this many; above, the hash alone
OPERATOR = "operator"


@dataclass(frozen=True)
class Month:
    text: str  # YYYY-MM
    start: datetime
    end: datetime  # exclusive: start of the next month

    def shifted(self, months: int) -> "Month":
        y, m = divmod(self.start.year * 12 + self.start.month - 1 + months, 12)
        return month_of(y, m + 1)


def month_of(year: int, month: int) -> Month:
    start = datetime(year, month, 1, tzinfo=timezone.utc)
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    return Month(f"{year:04d}-{month:02d}", start, datetime(ny, nm, 1, tzinfo=timezone.utc))


def parse_month(text, now: datetime | None = None, complete: bool = True) -> Month:
    """A calendar month (UTC) starting within TIMESTAMP_MIN..TIMESTAMP_MAX, by default one
    that has ended; errors name the `month` field."""
    m = MONTH_RE.fullmatch(text) if isinstance(text, str) else None
    if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
        raise DomainError("month", f"expected a month as YYYY-MM (e.g. 2026-10), got {text!r}")
    earliest, latest = timestamp_bounds()
    if not earliest <= datetime(int(m.group(1)), int(m.group(2)), 1, tzinfo=timezone.utc) <= latest:
        raise DomainError("month", f"{text} is outside the accepted range "
                                   f"{earliest.astimezone(timezone.utc):%Y-%m} to {latest.astimezone(timezone.utc):%Y-%m}")
    month = month_of(int(m.group(1)), int(m.group(2)))
    if not complete:
        return month
    now = now or datetime.now(timezone.utc)
    if month.end > now:
        when = "is in the future" if month.start > now else "has not ended yet"
        raise DomainError("month", f"{month.text} {when}; certificates cover complete months only")
    return month


@dataclass
class ScopeInputs:
    """Everything one certificate (a customer's month, or the operator's) is computed from."""

    scope: str
    # asset type id -> [trip count, outbound km, return km], summed in SQL
    by_asset_type: dict[str, list] = field(default_factory=dict)
    trip_count: int = 0
    inputs_sha256: str = ""
    trips: list[tuple] | None = None  # per-trip input rows when at most EMBED_TRIPS_MAX


@dataclass
class MonthInputs:
    month: Month
    asset_types: dict[str, tuple[str, str | None]]  # id -> (name, lca profile)
    loss_counts: dict[str, tuple[int, int]]  # asset type id -> (completed, lost) in the loss window
    scopes: dict[str, ScopeInputs]


def _km_sql(conn: Connection, expr, aggregate: bool):
    """Metre-rounded km; on PostgreSQL summed as exact numerics, so the totals do not
    depend on the order rows are scanned in (parallel plans) and runs are repeatable."""
    if conn.dialect.name == "postgresql":
        rounded = func.round(cast(expr, Numeric), 3)
        return cast(func.sum(rounded) if aggregate else rounded, Float)
    rounded = func.round(expr, 3)
    return func.sum(rounded) if aggregate else rounded


def _month_filter(month: Month, customer_id: str | None):
    t = Trip.__table__.c
    cond = and_(t.outcome == "completed", t.closed_at >= month.start, t.closed_at < month.end)
    return and_(cond, t.customer_id == customer_id) if customer_id else cond


def read_month(conn: Connection, month: Month, customer_id: str | None, with_operator: bool) -> MonthInputs:
    """Read one month's inputs on `conn` (one snapshot): aggregates, loss counts, hashes."""
    t = Trip.__table__.c
    at = AssetType.__table__.c
    asset_types = {r.id: (r.name, r.lca_profile) for r in conn.execute(select(at.id, at.name, at.lca_profile))}

    window_start = month.shifted(-(LOSS_WINDOW_MONTHS - 1)).start
    loss_counts: dict[str, list[int]] = {}
    for type_id, outcome, n in conn.execute(
            select(t.asset_type_id, t.outcome, func.count())
            .where(t.outcome.in_(("completed", "lost")), t.closed_at >= window_start, t.closed_at < month.end)
            .group_by(t.asset_type_id, t.outcome)):
        loss_counts.setdefault(type_id, [0, 0])[0 if outcome == "completed" else 1] += n

    outbound = t.outbound_km + t.transfer_km
    scopes: dict[str, ScopeInputs] = {}
    if customer_id:
        scopes[customer_id] = ScopeInputs(customer_id)
    operator = ScopeInputs(OPERATOR) if with_operator else None
    rows = conn.execute(
        select(t.customer_id, t.asset_type_id, func.count(), _km_sql(conn, outbound, True), _km_sql(conn, t.return_km, True))
        .where(_month_filter(month, customer_id)).group_by(t.customer_id, t.asset_type_id))
    for cust, type_id, n, out_km, ret_km in rows:
        targets = [operator] if operator else []
        if cust is not None:
            targets.append(scopes.setdefault(cust, ScopeInputs(cust)))
        for s in targets:
            acc = s.by_asset_type.setdefault(type_id, [0, 0.0, 0.0])
            acc[0] += n
            acc[1] += float(out_km or 0.0)
            acc[2] += float(ret_km or 0.0)
            s.trip_count += n
    if operator:
        scopes[OPERATOR] = operator
    _hash_trips(conn, month, customer_id, asset_types, scopes)
    return MonthInputs(month, asset_types, {k: tuple(v) for k, v in loss_counts.items()}, scopes)


def month_totals(conn: Connection, month: Month, customer_id: str | None, profiles) -> dict[str, tuple]:
    """profile id -> (trip count, outbound km, return km) of credited trips, for charts."""
    t = Trip.__table__.c
    at = AssetType.__table__.c
    rows = conn.execute(
        select(at.lca_profile, func.count(), _km_sql(conn, t.outbound_km + t.transfer_km, True),
               _km_sql(conn, t.return_km, True))
        .join_from(Trip.__table__, AssetType.__table__, at.id == t.asset_type_id)
        .where(_month_filter(month, customer_id)).group_by(at.lca_profile))
    return {p: (n, float(o or 0.0), float(r or 0.0)) for p, n, o, r in rows if p in profiles.profiles}


def trip_input(trip_id: int, customer_id: str | None, asset_type_id: str, profile: str | None, closed_at: str,
               outbound_km: float, return_km: float) -> dict:
    """One trip's inputs as they enter the hash (and the document, for small months)."""
    return {"trip": trip_id, "customer": customer_id, "asset_type": asset_type_id, "profile": profile,
            "closed_at": closed_at, "outbound_km": outbound_km, "return_km": return_km}


def _json_str(cache: dict, value: str | None) -> str:
    hit = cache.get(value)
    if hit is None:
        hit = cache[value] = json.dumps(value, ensure_ascii=False)
    return hit


def _hash_trips(conn: Connection, month: Month, customer_id: str | None, asset_types: dict, scopes: dict) -> None:
    t = Trip.__table__.c
    hashers = {scope: hashlib.sha256(b"[") for scope in scopes}
    started: set = set()
    kept = {scope: [] for scope, s in scopes.items() if s.trip_count <= EMBED_TRIPS_MAX}
    operator = hashers.get(OPERATOR)
    strs: dict = {}
    profile_of = {k: _json_str(strs, v[1]) for k, v in asset_types.items()}
    outbound = t.outbound_km + t.transfer_km
    stmt = (select(t.id, t.customer_id, t.asset_type_id, t.closed_at, _km_sql(conn, outbound, False),
                   _km_sql(conn, t.return_km, False))
            .where(_month_filter(month, customer_id)).order_by(t.id))
    result = conn.execution_options(stream_results=True, yield_per=20000).execute(stmt)
    line = '{"asset_type":%s,"closed_at":"%s","customer":%s,"outbound_km":%r,"profile":%s,"return_km":%r,"trip":%d}'
    # Written out by hand (keys in sorted order) because json.dumps with sort_keys per
    # row is the slowest part of a million-trip run; a test holds it equal to
    # canonical_json(trip_input(...)).
    for trip_id, cust, type_id, closed_at, out_km, ret_km in result:
        iso = closed_at.isoformat()
        out_km, ret_km = float(out_km), float(ret_km)
        item = (line % (_json_str(strs, type_id), iso, _json_str(strs, cust), out_km, profile_of.get(type_id, "null"),
                        ret_km, trip_id)).encode("utf-8")
        for scope in (OPERATOR, cust) if operator is not None else (cust,):
            sha = hashers.get(scope)
            if sha is None:
                continue
            if scope in started:
                sha.update(b",")
            else:
                started.add(scope)
            sha.update(item)
            trips = kept.get(scope)
            if trips is not None:
                trips.append((trip_id, cust, type_id, iso, out_km, ret_km))
    for scope, sha in hashers.items():
        sha.update(b"]")
        scopes[scope].inputs_sha256 = sha.hexdigest()
        if scope in kept:
            scopes[scope].trips = kept[scope]


def embedded_trips(scope: ScopeInputs, asset_types: dict) -> list[dict] | None:
    """The per-trip inputs of a small scope, built when its document is written."""
    if scope.trips is None:
        return None
    return [trip_input(i, c, a, asset_types.get(a, (None, None))[1], iso, o, r) for i, c, a, iso, o, r in scope.trips]
