"""A customer's charge lines for one billing month.

Day charges come from the holding days (app.domain.billing.days): for holding day number
k of a trip, priced by the contract valid on that local date,
- daily hire when k > the asset type's free days,
- demurrage, on top, when k > its demurrage threshold.
One line per asset, trip, kind and contract: quantity = the days, unit price the
contract's, `first_day`/`last_day` the first and last day charged.

Event charges fall in the month of their local date and are priced by the contract valid
that day: the issue fee and deposit for a period that began with an issue, the transfer
fee for a period that ended by passing the asset on (the sender pays: its instruction
moves the asset off its account), the lost-asset charge (replacement value) for a period
that ended with a loss (hire runs until then), and each `ChargeEvent` the caller
attributes to the customer (cleaning, damage after a failed inspection).

Each line's amount is quantity x unit price rounded half-up to the currency's minor unit;
totals are summed from these rounded amounts (app.domain.billing.totals). A kind without a
price in the contract is not charged; a holding day or charge event on a day that neither
a contract of the customer nor the default tariff covers is an error (field `tariff`).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from app.domain.billing.days import BillingMonth, CustodyPeriod, HoldingSpan, check_periods, holding_spans, local_date
from app.domain.billing.money import round_half_up
from app.domain.billing.tariffs import DAY_KINDS, ChargeKind, Contract, contract_for
from app.domain.errors import DomainError

KIND_ORDER = {kind: i for i, kind in enumerate(ChargeKind)}


@dataclass(frozen=True)
class ChargeEvent:
    """A chargeable occurrence attributed to the customer (e.g. a cleaning, a failed inspection)."""

    kind: str  # a ChargeKind other than daily_hire and demurrage
    asset_id: str
    asset_type: str
    occurred_at: datetime  # aware
    trip_ref: str = ""
    ref: str = ""
    quantity: int = 1


@dataclass(frozen=True)
class ChargeLine:
    kind: str
    asset_type: str
    quantity: int  # days for daily hire and demurrage, occurrences otherwise
    unit_price: Decimal
    amount: Decimal  # quantity x unit_price, rounded half-up to the minor unit
    currency: str
    tax_category: str
    tax_rate: Decimal
    contract_id: str
    asset_id: str
    trip_ref: str
    first_day: date  # local dates (customer's zone) the line covers
    last_day: date
    refs: tuple[str, ...] = ()  # the periods or events it comes from


class MonthTariff:
    """The contract valid on each local date of a month, for one customer."""

    def __init__(self, contracts: Sequence[Contract], customer_id: str, month: BillingMonth):
        self.customer_id = customer_id
        self.segments: list[tuple[date, date, Contract | None]] = []  # [first, end) with one contract
        for day in month.days():
            c = contract_for(contracts, customer_id, day)
            if self.segments and self.segments[-1][2] is c:
                self.segments[-1] = (self.segments[-1][0], day + timedelta(days=1), c)
            else:
                self.segments.append((day, day + timedelta(days=1), c))

    def on(self, day: date) -> Contract:
        c = next(c for a, b, c in self.segments if a <= day < b)
        if c is None:
            raise DomainError("tariff", f"no contract and no default tariff for customer {self.customer_id!r} "
                                        f"on {day}")
        return c

    def pieces(self, first: date, end: date) -> Iterator[tuple[date, date, Contract]]:
        """[first, end) cut where the contract changes."""
        for a, b, _c in self.segments:
            lo, hi = max(a, first), min(b, end)
            if lo < hi:
                yield lo, hi, self.on(lo)


def bill_month(customer_id: str, zone: tzinfo, month: BillingMonth, periods: Sequence[CustodyPeriod],
               contracts: Sequence[Contract], events: Sequence[ChargeEvent] = ()) -> tuple[ChargeLine, ...]:
    """Every charge line of `customer_id` for `month`, in a stable order.

    `periods`: the customer's custody periods of every asset it held in the month, with
    the earlier periods of the same trips (free days count from the trip's first day);
    periods of other months are harmless. `events`: charge events attributed to it."""
    check_periods(periods, customer_id)
    _check_events(events)
    tariff = MonthTariff(contracts, customer_id, month)
    lines = [line for span in holding_spans(periods, zone, month) for line in _day_lines(span, tariff)]
    for kind, at, period in _period_events(periods):
        if month.first_day <= local_date(at, zone) < month.end_day:
            lines += _event_line(kind, period.asset_id, period.asset_type, period.trip_ref, local_date(at, zone),
                                 (period.ref,), 1, tariff)
    for e in events:
        day = local_date(e.occurred_at, zone)
        if month.first_day <= day < month.end_day:
            lines += _event_line(e.kind, e.asset_id, e.asset_type, e.trip_ref, day, (e.ref,), e.quantity, tariff)
    return tuple(sorted(lines, key=lambda x: (x.asset_id, x.trip_ref, KIND_ORDER[x.kind], x.first_day, x.refs)))


def _check_events(events: Sequence[ChargeEvent]) -> None:
    for i, e in enumerate(events):
        if e.kind not in KIND_ORDER or e.kind in DAY_KINDS:
            raise DomainError(f"events[{i}].kind", f"{e.kind!r} is not an event charge kind")
        if e.occurred_at.tzinfo is None or e.occurred_at.utcoffset() is None:
            raise DomainError(f"events[{i}].occurred_at", "an instant needs a time zone")
        if isinstance(e.quantity, bool) or not isinstance(e.quantity, int) or e.quantity < 1:
            raise DomainError(f"events[{i}].quantity", f"{e.quantity!r} is not a positive whole number")


def _period_events(periods: Iterable[CustodyPeriod]) -> Iterator[tuple[ChargeKind, datetime, CustodyPeriod]]:
    for p in periods:
        if p.start_kind == "issued":
            yield ChargeKind.ISSUE_FEE, p.start, p
            yield ChargeKind.DEPOSIT, p.start, p
        if p.end is not None and p.end_kind == "transfer_out":
            yield ChargeKind.TRANSFER_FEE, p.end, p
        if p.end is not None and p.end_kind == "lost":
            yield ChargeKind.LOST_ASSET, p.end, p


def _day_lines(span: HoldingSpan, tariff: MonthTariff) -> list[ChargeLine]:
    """Daily hire and demurrage of one span: day number k is charged when k > the threshold."""
    charged: dict[tuple[ChargeKind, str], list] = {}  # (kind, contract id) -> [contract, days, first, last]
    for run in span.runs:
        for lo, hi, contract in tariff.pieces(run.first_day, run.end_day):
            first_number = run.first_number + (lo - run.first_day).days
            terms = contract.terms_for(span.asset_type)
            for kind, threshold in ((ChargeKind.DAILY_HIRE, terms.free_days),
                                    (ChargeKind.DEMURRAGE, terms.demurrage_after_days)):
                if threshold is None or contract.price_for(kind, span.asset_type) is None:
                    continue
                skipped = max(0, threshold + 1 - first_number)  # days of this piece not yet past it
                first = lo + timedelta(days=skipped)
                if first >= hi:
                    continue
                entry = charged.setdefault((kind, contract.contract_id), [contract, 0, first, first])
                entry[1] += (hi - first).days
                entry[3] = hi - timedelta(days=1)
    return [_line(kind, contract, span.asset_type, days, span.asset_id, span.trip_ref, first, last, span.refs)
            for (kind, _cid), (contract, days, first, last) in charged.items()]


def _event_line(kind: str, asset_id: str, asset_type: str, trip_ref: str, day: date, refs: tuple[str, ...],
                quantity: int, tariff: MonthTariff) -> list[ChargeLine]:
    contract = tariff.on(day)
    if contract.price_for(kind, asset_type) is None:
        return []
    return [_line(kind, contract, asset_type, quantity, asset_id, trip_ref, day, day, refs)]


def _line(kind: str, contract: Contract, asset_type: str, quantity: int, asset_id: str, trip_ref: str,
          first: date, last: date, refs: tuple[str, ...]) -> ChargeLine:
    unit_price = contract.price_for(kind, asset_type)
    assert unit_price is not None  # callers skip kinds the contract does not price
    return ChargeLine(kind=str(kind), asset_type=asset_type, quantity=quantity, unit_price=unit_price,
                      amount=round_half_up(quantity * unit_price, contract.minor_units), currency=contract.currency,
                      tax_category=contract.tax_category, tax_rate=contract.tax_rate,
                      contract_id=contract.contract_id, asset_id=asset_id, trip_ref=trip_ref,
                      first_day=first, last_day=last, refs=refs)
