"""What a month's charge lines are computed from: custody periods and charge events.

Custody periods come from the custody moves (app/balances), which the scan fold writes
in physical order: per customer and asset, a move into its custody (+1: issued,
transfer_in, found) opens a period and its next move out (-1: returned, transfer_out,
lost) closes it. A period belongs to the trip the asset was on when it began (the latest
trip opened at or before that instant), so free days count per trip.

Which moves are read for a month: those of every asset with a trip overlapping the month
widened by a day on each side (every time zone's month lies inside), from the start of
the earliest such trip, or from the asset's last move before it when a custody ran
across that start (an asset issued again to the customer holding it), to the window's
end. That covers every period with days in the month and the earlier periods of the same
trips; `bill_month` counts the local days.

Charge events: a cleaning or a failed inspection is attributed to the customer whose
custody ended last before it by a return (the customer the asset came back from), once
per return: only the first cleaning, and the first inspection, after that return count (a
passed first inspection charges nothing). Scans after a loss or a transfer, and scans
recorded as anomalies, charge nobody.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.assets.models import Asset, Trip
from app.balances.models import CustodyMove
from app.domain.billing.charges import ChargeEvent
from app.domain.billing.days import BillingMonth, CustodyPeriod
from app.domain.billing.tariffs import ChargeKind
from app.domain.states import EventType
from app.scanning.models import ScanEvent

APPLIED = 1  # scan_events.status of a scan the fold applied without an anomaly
CLEAN, PASS, FAIL = EventType.CLEAN, EventType.INSPECT_PASS, EventType.INSPECT_FAIL


def window(month: BillingMonth) -> tuple[datetime, datetime]:
    """UTC instants around the month wide enough for every time zone (UTC-12 to UTC+14)."""
    lo = datetime.combine(month.first_day - timedelta(days=1), time(0), timezone.utc)
    return lo, datetime.combine(month.end_day + timedelta(days=1), time(0), timezone.utc)


def read_periods(session: Session, month: BillingMonth, customer_id: str | None = None
                 ) -> dict[str, list[CustodyPeriod]]:
    """Custody periods per customer (one customer's only, when given)."""
    lo, hi = window(month)
    m = CustodyMove
    relevant = (select(Trip.asset_id, func.min(Trip.opened_at).label("first_opened"))
                .where(Trip.opened_at < hi, or_(Trip.closed_at.is_(None), Trip.closed_at >= lo)))
    if customer_id is not None:
        relevant = relevant.where(Trip.asset_id.in_(select(m.asset_id).where(m.customer_id == customer_id)))
    relevant = relevant.group_by(Trip.asset_id).cte("relevant")
    before = (select(func.max(m.occurred_at)).where(m.asset_id == relevant.c.asset_id,
                                                    m.occurred_at <= relevant.c.first_opened).scalar_subquery())
    since = select(relevant.c.asset_id, func.coalesce(before, relevant.c.first_opened).label("since")).cte("since")
    moves = select(m.id, m.asset_id, m.customer_id, m.kind, m.delta, m.occurred_at, m.asset_type_id, Asset.code) \
        .join(since, since.c.asset_id == m.asset_id).join(Asset, Asset.id == m.asset_id) \
        .where(m.occurred_at >= since.c.since, m.occurred_at < hi)
    if customer_id is not None:
        moves = moves.where(m.customer_id == customer_id)
    trips = session.execute(
        select(Trip.id, Trip.asset_id, Trip.opened_at).join(since, since.c.asset_id == Trip.asset_id)
        .where(Trip.opened_at < hi, or_(Trip.closed_at.is_(None), Trip.closed_at >= since.c.since))
        .order_by(Trip.asset_id, Trip.opened_at, Trip.seq))
    return _pair(session.execute(moves.order_by(m.asset_id, m.occurred_at, m.id)), _TripIndex(trips))


class _TripIndex:
    """Which trip an asset was on at an instant: the latest opened at or before it."""

    def __init__(self, rows):
        self.by_asset: dict[int, tuple[list[datetime], list[int]]] = {}
        for trip_id, asset_id, opened_at in rows:
            starts, ids = self.by_asset.setdefault(asset_id, ([], []))
            starts.append(opened_at)
            ids.append(trip_id)

    def trip_ref(self, asset_id: int, at: datetime) -> str:
        starts, ids = self.by_asset.get(asset_id, ([], []))
        i = bisect_right(starts, at)
        return f"trip-{ids[i - 1]}" if i else f"asset-{asset_id}"


def _pair(moves, trips: _TripIndex) -> dict[str, list[CustodyPeriod]]:
    """Periods from moves in physical order per asset: +1 opens, the customer's next -1 closes."""
    open_moves: dict[tuple[str, int], object] = {}
    periods: dict[str, list[CustodyPeriod]] = defaultdict(list)
    for move in moves:
        key = (move.customer_id, move.asset_id)
        if move.delta > 0:
            open_moves.setdefault(key, move)
        elif key in open_moves:
            periods[move.customer_id].append(_period(open_moves.pop(key), move, trips))
    for (customer_id, _asset), start in open_moves.items():
        periods[customer_id].append(_period(start, None, trips))
    return dict(periods)


def _period(start, end, trips: _TripIndex) -> CustodyPeriod:
    return CustodyPeriod(
        customer_id=start.customer_id, asset_id=start.code, asset_type=start.asset_type_id,
        trip_ref=trips.trip_ref(start.asset_id, start.occurred_at), start=start.occurred_at,
        end=end.occurred_at if end is not None else None, start_kind=start.kind,
        end_kind=end.kind if end is not None else None,
        ref=f"moves {start.id}-{end.id}" if end is not None else f"move {start.id}")


def read_charge_events(session: Session, month: BillingMonth, customer_id: str | None = None
                       ) -> dict[str, list[ChargeEvent]]:
    """Cleaning fees and damage charges per customer, by the attribution rule above."""
    lo, hi = window(month)
    s, earlier_scan, m = ScanEvent, aliased(ScanEvent), CustodyMove
    last = aliased(CustodyMove)
    last_move = (select(m.id).where(m.asset_id == s.asset_id, m.occurred_at <= s.occurred_at)
                 .order_by(m.occurred_at.desc(), m.id.desc()).limit(1).correlate(s).scalar_subquery())
    same_step = or_(and_(s.event == CLEAN, earlier_scan.event == CLEAN),
                    and_(s.event != CLEAN, earlier_scan.event.in_((PASS, FAIL))))
    counted_before = exists().where(
        earlier_scan.asset_id == s.asset_id, earlier_scan.status == APPLIED, same_step,
        earlier_scan.occurred_at >= last.occurred_at,
        or_(earlier_scan.occurred_at < s.occurred_at, and_(earlier_scan.occurred_at == s.occurred_at,
                                                           earlier_scan.id < s.id)))
    stmt = (select(s.id, s.event, s.occurred_at, Asset.code, Asset.asset_type_id, last.customer_id)
            .join(Asset, Asset.id == s.asset_id).join(last, last.id == last_move)
            .where(s.event.in_((CLEAN, FAIL)), s.status == APPLIED, s.occurred_at >= lo, s.occurred_at < hi,
                   last.kind == "returned", ~counted_before))
    if customer_id is not None:
        stmt = stmt.where(last.customer_id == customer_id)
    events: dict[str, list[ChargeEvent]] = defaultdict(list)
    for row in session.execute(stmt.order_by(s.occurred_at, s.id)):
        kind = ChargeKind.CLEANING_FEE if row.event == CLEAN else ChargeKind.DAMAGE_CHARGE
        events[row.customer_id].append(ChargeEvent(str(kind), row.code, row.asset_type_id, row.occurred_at,
                                                   ref=f"scan {row.id}"))
    return dict(events)
