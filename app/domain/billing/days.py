"""Billing months and the day-counting rule: which days a customer held an asset.

THE RULE. A day of hire is a calendar day in the customer's time zone (IANA name, via
zoneinfo) at whose close the customer holds the asset. A custody period that begins at
instant t0 and ends at t1 therefore bills the local dates from date(t0) inclusive to
date(t1) exclusive, where date(t) is the calendar date of t on the customer's clock; a
period still open bills every day to the end of the billing month.

- Same-day issue and return: no day of hire (the issue fee is the charge for such a trip).
- Transfer between customers: the transfer day belongs to the receiver, who holds the
  asset at its close; the sender's hire ends the day before. Each customer is billed for
  its own days, on its own clock; customers in one zone never share a day of one asset.
- No day is billed twice to one customer: its periods of one asset follow each other, so
  their date ranges cannot overlap (and overlapping input is merged, not double-counted).
  Splitting a period at any instant (a transfer back to the same customer) leaves the
  days unchanged, since [date(t0), date(t)) and [date(t), date(t1)) join seamlessly.
- Month boundaries: a period spanning months bills each month its own days. Free days and
  the demurrage threshold count the customer's holding days on the trip from its first
  one, not from the month's start: `HoldingSpan.days_before` carries the earlier days.
  Days held by other customers in between do not count (each holder's own allowance).
- Late scans: an event at instant t changes who holds the asset only from t on, so it can
  change the days (and day numbers on the trip) of dates >= date(t) only: the months from
  `first_affected_month(t, zone)` on. Earlier months stay as billed.
- DST: a day is a calendar date, whatever its length (23 or 25 hours in Europe/Berlin on
  changeover days, always 24 in Asia/Shanghai); only the instant -> date mapping uses the
  zone's offsets, so one UTC instant may fall on different dates for different customers.

Why the close of the day: it reads "from the day of issue to the day of return" the way
hotel nights are counted (issue day in, return day out), gives each asset-day of a
transfer chain to exactly one holder where a "part of a day counts" rule would bill the
transfer day to both, and stays invariant under splitting. The same close-of-day reading
makes demurrage agree with "overdue" (app.balances: held since a day more than
`overdue_days` days before today): holding day number k, judged at its close, is overdue
exactly when k > overdue_days (balances judges on UTC days, billing on the customer's).

The rule assumes a zone's local date never runs backwards. Over 1970-2040 the tz database
has five zones whose clocks were once set back across midnight, the last in 2010
(Antarctica/Casey); a period spanning such a moment may bill one day less.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from app.domain.errors import DomainError
from app.domain.inputs import zone_problem

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, order=True)
class BillingMonth:
    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9998:
            raise DomainError("month", f"{self.year}-{self.month} is not a month")

    @classmethod
    def containing(cls, day: date) -> "BillingMonth":
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> "BillingMonth":
        try:
            year, month = (int(part) for part in text.split("-"))
        except ValueError:
            raise DomainError("month", f"{text!r} is not YYYY-MM") from None
        return cls(year, month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end_day(self) -> date:
        """The first day of the next month (exclusive end)."""
        return self.next().first_day

    def next(self) -> "BillingMonth":
        return BillingMonth(self.year + self.month // 12, self.month % 12 + 1)

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range((self.end_day - self.first_day).days)]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class CustodyPeriod:
    """One stretch during which `customer_id` held an asset (from the custody moves)."""

    customer_id: str
    asset_id: str
    asset_type: str
    trip_ref: str  # the trip (issue -> return) it belongs to; free days count per trip
    start: datetime  # aware: the instant the customer became the holder
    end: datetime | None = None  # aware: the instant its custody ended; None = still held
    start_kind: str = "issued"  # issued | transfer_in | found (app.domain.trips.MOVE_KINDS_IN)
    end_kind: str | None = None  # returned | transfer_out | lost (MOVE_KINDS_OUT); None while held
    ref: str = ""  # the caller's reference (e.g. the custody move ids)


@dataclass(frozen=True)
class HoldingRun:
    """Consecutive holding days of a span: `first_day`..`end_day` (exclusive)."""

    first_day: date
    end_day: date
    first_number: int  # the day number on the trip of `first_day` (1 = first day the customer held it)

    @property
    def days(self) -> int:
        return (self.end_day - self.first_day).days


@dataclass(frozen=True)
class HoldingSpan:
    """A customer's holding days of one asset on one trip within one billing month."""

    asset_id: str
    asset_type: str
    trip_ref: str
    days_before: int  # holding days on this trip before the month
    runs: tuple[HoldingRun, ...]  # within the month, in date order
    refs: tuple[str, ...]  # the refs of the periods it comes from

    @property
    def days(self) -> int:
        return sum(r.days for r in self.runs)


def customer_zone(name: str) -> ZoneInfo:
    """The customer's zone from its IANA name; DomainError on `time_zone` for an unknown name."""
    problem = zone_problem(name)
    if problem:
        raise DomainError("time_zone", problem)
    return ZoneInfo(name)


def local_date(at: datetime, zone: tzinfo) -> date:
    return at.astimezone(zone).date()


def first_affected_month(at: datetime, zone: tzinfo) -> BillingMonth:
    """The earliest month whose billing an event at instant `at` (arriving late) can change."""
    return BillingMonth.containing(local_date(at, zone))


def check_periods(periods: Sequence[CustodyPeriod], customer_id: str) -> None:
    for i, p in enumerate(periods):
        if p.customer_id != customer_id:
            raise DomainError(f"periods[{i}].customer_id", f"{p.customer_id!r} is not {customer_id!r}")
        for name in ("start", "end"):
            at = getattr(p, name)
            if at is not None and (at.tzinfo is None or at.utcoffset() is None):
                raise DomainError(f"periods[{i}].{name}", "an instant needs a time zone")
        if p.end is not None and p.end < p.start:
            raise DomainError(f"periods[{i}].end", f"{p.end.isoformat()} is before the start")


def holding_spans(periods: Iterable[CustodyPeriod], zone: tzinfo, month: BillingMonth) -> list[HoldingSpan]:
    """The customer's holding days in `month`, one span per asset and trip (see the rule above)."""
    groups: dict[tuple[str, str], list[CustodyPeriod]] = {}
    for p in periods:
        groups.setdefault((p.asset_id, p.trip_ref), []).append(p)
    spans = (_span(group, zone, month) for group in groups.values())
    return sorted((s for s in spans if s is not None), key=lambda s: (s.asset_id, s.trip_ref))


def _span(group: list[CustodyPeriod], zone: tzinfo, month: BillingMonth) -> HoldingSpan | None:
    dated = sorted((_dates(p, zone, month.end_day), p.start, p.ref) for p in group)
    merged: list[tuple[date, date]] = []  # where the periods meet or overlap, joined
    for (a, b), _start, _ref in dated:
        if a < b and merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        elif a < b:
            merged.append((a, b))
    before = sum((min(b, month.first_day) - a).days for a, b in merged if a < month.first_day)
    runs, number = [], before + 1
    for a, b in merged:
        a = max(a, month.first_day)
        if a < b:
            runs.append(HoldingRun(a, b, number))
            number += (b - a).days
    if not runs:
        return None
    # only the periods holding days in this month: later ones must not change a closed month's lines
    refs = tuple(ref for (a, b), _start, ref in dated if max(a, month.first_day) < b)
    first = group[0]
    return HoldingSpan(first.asset_id, first.asset_type, first.trip_ref, before, tuple(runs), refs)


def _dates(p: CustodyPeriod, zone: tzinfo, until: date) -> tuple[date, date]:
    """The period's billed dates [date(start), date(end)), cut at `until`."""
    return local_date(p.start, zone), min(until, local_date(p.end, zone)) if p.end else until
