"""Monthly packaging-account statements (pure): lines, balances, late-scan adjustments,
the dispute window and the status machine.

A statement covers one customer and one calendar month (UTC). Its opening balance is the
previous statement's closing (or, for a customer's first statement, what the custody
moves add up to before the month); its lines are the month's custody moves, one line per
move (+1 into the customer's custody, -1 out of it), followed by adjustment lines for
scans that arrived after an earlier month was closed and correction lines for accepted
disputes. Closing = opening + the sum of the lines, by asset type and site, so one
statement's closing is always the next one's opening.

Late scans never change a closed statement: when month n is closed, each closed month m
is compared as it would read now (the moves of m) with what was frozen for it (m's own
move lines plus the adjustments for m posted since); the difference is posted into n as
"adjustment for m". Everything before a customer's first statement counts as one period,
reconciled against that statement's opening.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from app.domain.errors import Conflict, DomainError

DEFAULT_DISPUTE_DAYS = 14
NUMBER_PREFIX = "STM"
MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])")

# Line kinds beyond the custody kinds (app/domain/custody.py CustodyKind).
ADJUSTMENT = "adjustment"  # a late scan for a closed month
CORRECTION = "correction"  # an accepted dispute reverses the lines it named

# (asset type, site) -> quantity; site "" while an asset is at no site.
Key = tuple[str, str]
Balance = dict[Key, int]


@dataclass(frozen=True)
class Line:
    day: date
    reference: str  # the scan id, "adjustment for YYYY-MM" or "dispute <id>"
    asset_type: str
    site: str
    kind: str
    quantity: int  # signed: + into the customer's custody, - out of it
    asset_code: str = ""
    adjustment_for: str | None = None  # the closed month an adjustment or correction belongs to
    dispute_id: int | None = None


# ---------------------------------------------------------------------------- months

def parse_month(text: str, field: str = "month") -> tuple[int, int]:
    m = MONTH.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise DomainError(field, f"{text!r} is not a month like 2026-09")
    return int(m["year"]), int(m["month"])


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[start, end) of the calendar month in UTC."""
    year, mon = parse_month(month)
    start = datetime(year, mon, 1, tzinfo=timezone.utc)
    return start, datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=timezone.utc)


def next_month(month: str) -> str:
    year, mon = parse_month(month)
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def previous_month(month: str) -> str:
    year, mon = parse_month(month)
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def month_of(at: datetime) -> str:
    at = at.astimezone(timezone.utc)
    return f"{at.year:04d}-{at.month:02d}"


# ---------------------------------------------------------------------------- balances

def add_up(opening: Mapping[Key, int], lines: Iterable[Line]) -> Balance:
    """Closing balance: opening plus every line, by (asset type, site); zero entries dropped."""
    out: dict[Key, int] = defaultdict(int, opening)
    for line in lines:
        out[(line.asset_type, line.site)] += line.quantity
    return {k: v for k, v in out.items() if v != 0}


def net(lines: Iterable[Line]) -> Balance:
    return add_up({}, lines)


def balance_rows(balance: Mapping[Key, int]) -> list[dict]:
    """The balance as stored and shown: [{asset_type, site, quantity}], sorted."""
    return [{"asset_type": t, "site": s, "quantity": q} for (t, s), q in sorted(balance.items()) if q != 0]


def balance_from_rows(rows: Iterable[Mapping]) -> Balance:
    out: dict[Key, int] = defaultdict(int)
    for row in rows:
        out[(row["asset_type"], row["site"])] += int(row["quantity"])
    return {k: v for k, v in out.items() if v != 0}


def adjustments(month: str, frozen: Mapping[str, Mapping[Key, int]],
                now: Mapping[str, Mapping[Key, int]]) -> list[Line]:
    """Adjustment lines for closing `month`: per earlier period, what its moves add up to
    now minus what was frozen for it (`frozen[m]`, `now[m]`: net by key; a period key is a
    closed month, or the month before a customer's first statement for all that precedes it)."""
    start, _end = month_bounds(month)
    out = []
    for period in sorted(set(frozen) | set(now)):
        if period >= month:
            continue
        was, is_ = frozen.get(period, {}), now.get(period, {})
        for key in sorted(set(was) | set(is_)):
            diff = is_.get(key, 0) - was.get(key, 0)
            if diff:
                out.append(Line(start.date(), f"adjustment for {period}", key[0], key[1], ADJUSTMENT, diff,
                                adjustment_for=period))
    return out


def correction_lines(month: str, dispute_id: int, disputed: Iterable[Line], for_month: str) -> list[Line]:
    """An accepted dispute reverses the lines it named, in the statement of `month`."""
    start, _end = month_bounds(month)
    reversed_ = net(disputed)
    return [Line(start.date(), f"dispute {dispute_id}", t, s, CORRECTION, -q, adjustment_for=for_month,
                 dispute_id=dispute_id) for (t, s), q in sorted(reversed_.items())]


# ---------------------------------------------------------------------------- window and status

def dispute_deadline(published_at: datetime, dispute_days: int = DEFAULT_DISPUTE_DAYS) -> datetime:
    if dispute_days < 1:
        raise DomainError("dispute_days", f"{dispute_days}: the window is at least one day")
    return published_at + timedelta(days=dispute_days)


PUBLISHED, CONFIRMED, DISPUTED, RESOLVED = "published", "confirmed", "disputed", "resolved"
STATUSES = (PUBLISHED, CONFIRMED, DISPUTED, RESOLVED)

# status -> action -> next status. `resolve` is the last open dispute decided.
TRANSITIONS: dict[str, dict[str, str]] = {
    PUBLISHED: {"confirm": CONFIRMED, "dispute": DISPUTED, "auto_confirm": CONFIRMED},
    DISPUTED: {"dispute": DISPUTED, "resolve": RESOLVED},
    RESOLVED: {"confirm": CONFIRMED, "dispute": DISPUTED, "auto_confirm": CONFIRMED},
    CONFIRMED: {},
}


def transition(status: str, action: str) -> str:
    """The status after `action`; Conflict when the statement's status does not allow it."""
    nxt = TRANSITIONS.get(status, {}).get(action)
    if nxt is None:
        raise Conflict("status", f"a {status} statement does not allow {action.replace('_', '-')}")
    return nxt


def check_dispute_window(now: datetime, deadline: datetime) -> None:
    if now >= deadline:
        raise DomainError("statement", f"the dispute window closed at {deadline.isoformat()}")


def due_for_auto_confirm(status: str, deadline: datetime, open_disputes: int, now: datetime) -> bool:
    return now >= deadline and open_disputes == 0 and "auto_confirm" in TRANSITIONS.get(status, {})
