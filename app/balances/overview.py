"""What a customer's balance page shows: the balance, the held assets by site and asset
type, and the balance and trips over time.

Both series come from one aggregate of the custody moves by day (`daily_moves`), not a
statement per point: the balance at the end of a week is today's balance minus every
move after that week.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from app.assets import queries
from app.balances import services
from app.domain.custody import CustodyKind
from app.domain.policy import Caller

WEEKS = 26
MONTHS = 12
# The site x type table reads the customer's asset listing page by page: up to 40 pages
# of 500 (20,000 assets); beyond that the page shows the two separate breakdowns.
MATRIX_PAGE_SIZE, MATRIX_PAGES = 500, 40


@dataclass(frozen=True)
class Overview:
    balance: dict  # as `services.balance`
    matrix: dict  # cells {(site or "in_transit", type): n}, sites, types; cells None when too many assets
    weekly: list[tuple[str, int]]  # (week ending "%d %b", assets held at its end), oldest first
    monthly: list[dict]  # {"label": "%b %Y", "issued": received, "returned": sent back}, oldest first


def utc_midnight(d: date) -> datetime:
    return datetime.combine(d, time(0), timezone.utc)


def month_start(d: date, back: int = 0) -> date:
    """First day of the month `back` months before d's (negative: later)."""
    months = d.year * 12 + d.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def overview(viewer: Caller, customer_id: str, today: date | None = None) -> Overview:
    """The balance page of `customer_id` as `viewer` may see it, for the UTC day `today`."""
    balance = services.balance(viewer, customer_id)
    today = today or datetime.now(timezone.utc).date()
    months = [month_start(today, back) for back in range(MONTHS - 1, -1, -1)]
    since = utc_midnight(min(months[0], today - timedelta(weeks=WEEKS)))
    current, by_day = services.daily_moves(viewer, customer_id, since)
    return Overview(balance, _held_matrix(viewer, customer_id, balance), weekly_closings(current, by_day, today),
                    monthly_trips(by_day, months))


# Trips in and out of the customer's hands; found and lost assets are no trips.
_RECEIVED = (CustodyKind.ISSUED, CustodyKind.TRANSFER_IN)
_SENT_BACK = (CustodyKind.RETURNED, CustodyKind.TRANSFER_OUT)


def weekly_closings(current: int, by_day: dict[date, dict[str, int]], today: date) -> list[tuple[str, int]]:
    """The balance at the end of each of the last WEEKS weeks (the last ends with today)."""
    def net(d: date) -> int:
        return sum(CustodyKind(kind).sign * n for kind, n in by_day.get(d, {}).items())

    week_ends = [today + timedelta(days=1) - timedelta(weeks=k) for k in range(WEEKS - 1, -1, -1)]
    return [((end - timedelta(days=1)).strftime("%d %b"), current - sum(net(d) for d in by_day if d >= end))
            for end in week_ends]


def monthly_trips(by_day: dict[date, dict[str, int]], months: list[date]) -> list[dict]:
    """Per month: assets received (issued or passed on to the customer) and sent back
    (returned or passed on by it); found and lost assets are no trips."""
    rows = []
    for start in months:
        end = month_start(start, -1)
        days = [d for d in by_day if start <= d < end]
        rows.append({"label": start.strftime("%b %Y"),
                     "issued": sum(by_day[d].get(k, 0) for d in days for k in _RECEIVED),
                     "returned": sum(by_day[d].get(k, 0) for d in days for k in _SENT_BACK)})
    return rows


def _held_matrix(viewer: Caller, customer_id: str, balance: dict) -> dict:
    """Held assets by (site, asset type), read from the customer's asset listing."""
    cells: dict[tuple[str, str], int] = {}
    cursor = None
    for _page in range(MATRIX_PAGES):
        items, cursor = queries.list_assets(viewer, customer=customer_id, limit=MATRIX_PAGE_SIZE, cursor=cursor)
        for a in items:
            key = (a["site"] or "in_transit", a["asset_type"])
            cells[key] = cells.get(key, 0) + 1
        if cursor is None:
            return {"cells": cells, "sites": sorted({s for s, _t in cells}), "types": sorted(balance["by_type"])}
    return {"cells": None, "sites": [], "types": []}
