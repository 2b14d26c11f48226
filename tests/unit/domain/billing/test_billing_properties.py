"""Property tests over random custody histories, against a naive day-by-day oracle.

The oracle is written differently from app.domain.billing.days on purpose: it walks every
local day and asks whether the customer held the asset at the instant that day closes
(the next local midnight, built with zoneinfo), instead of mapping period ends to dates.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.billing.charges import bill_month
from app.domain.billing.days import BillingMonth, CustodyPeriod, first_affected_month, holding_spans
from app.domain.billing.money import is_quantised
from app.domain.billing.tariffs import DAY_KINDS, ChargeKind, Contract, HireTerms, Price
from app.domain.billing.totals import invoice_totals

UTC = timezone.utc
# DST in spring and autumn, both hemispheres, half-hour shifts, clocks changed at midnight
# (America/Santiago), odd offsets, and none at all
ZONES = ["Europe/Berlin", "Asia/Shanghai", "America/New_York", "America/Santiago", "Australia/Lord_Howe",
         "Asia/Kolkata", "Pacific/Chatham", "UTC"]
CUSTOMERS = ("acme", "globex")
START = datetime(2026, 1, 1, tzinfo=UTC)
MONTHS = st.builds(lambda i: BillingMonth(2025 + (i + 11) // 12, (i + 11) % 12 + 1), st.integers(0, 9))
K = ChargeKind


@dataclass(frozen=True)
class Step:
    at: datetime  # UTC
    holder: str | None  # None: back at a depot (or lost)
    lost: bool = False  # when holder is None: the asset was lost rather than returned


@st.composite
def timelines(draw, zone: ZoneInfo) -> list[Step]:
    steps, at = [], START + timedelta(minutes=draw(st.integers(0, 40 * 1440)))
    for _ in range(draw(st.integers(1, 10))):
        previous = at
        at += timedelta(minutes=draw(st.integers(0, 20 * 1440)))
        if draw(st.integers(0, 4)) == 0:  # now and then exactly at a local midnight
            midnight = datetime.combine(at.astimezone(zone).date(), time(0), tzinfo=zone).astimezone(UTC)
            at = max(previous, midnight)
        steps.append(Step(at, draw(st.sampled_from((None, *CUSTOMERS))), draw(st.booleans())))
    return steps


@st.composite
def histories(draw):
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    assets = {f"a{i}": draw(timelines(zone)) for i in range(draw(st.integers(1, 3)))}
    return zone, assets


def periods_of(asset: str, steps: list[Step]) -> list[CustodyPeriod]:
    """Custody periods from a timeline: every step starts a new period (even to the same holder)."""
    periods, trip, before = [], 0, None
    for i, step in enumerate(steps):
        if step.holder is not None:
            trip += before is None
            nxt = steps[i + 1] if i + 1 < len(steps) else None
            end_kind = None if nxt is None else "transfer_out" if nxt.holder else "lost" if nxt.lost else "returned"
            periods.append(CustodyPeriod(step.holder, asset, "ibc" if asset == "a0" else "crate", f"{asset}/{trip}",
                                         step.at, nxt.at if nxt else None,
                                         "issued" if before is None else "transfer_in", end_kind,
                                         f"{asset}@{step.at.isoformat()}"))
        before = step.holder
    return periods


def all_periods(assets: dict[str, list[Step]], customer: str) -> list[CustodyPeriod]:
    return [p for asset, steps in assets.items() for p in periods_of(asset, steps) if p.customer_id == customer]


# --------------------------------------------------------------------------- the oracle

def closes(day: date, zone: ZoneInfo) -> datetime:
    """The instant `day` ends in `zone`: the next local midnight."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def holds_at_close(periods: list[CustodyPeriod], day: date, zone: ZoneInfo) -> bool:
    instant = closes(day, zone)
    return any(p.start < instant and (p.end is None or instant <= p.end) for p in periods)


def oracle_days(periods: list[CustodyPeriod], zone: ZoneInfo, month: BillingMonth) -> set[tuple[str, date]]:
    out = set()
    for asset in {p.asset_id for p in periods}:
        mine = [p for p in periods if p.asset_id == asset]
        out |= {(asset, day) for day in month.days() if holds_at_close(mine, day, zone)}
    return out


def oracle_numbered_days(periods: list[CustodyPeriod], zone: ZoneInfo, month: BillingMonth):
    """(asset, trip, day, number of the day on the trip) for every held day of the month."""
    out = []
    for key in {(p.asset_id, p.trip_ref) for p in periods}:
        trip = [p for p in periods if (p.asset_id, p.trip_ref) == key]
        day, number = min(p.start for p in trip).astimezone(UTC).date() - timedelta(days=2), 0
        while day < month.end_day:
            if holds_at_close(trip, day, zone):
                number += 1
                if day >= month.first_day:
                    out.append((*key, day, number))
            day += timedelta(days=1)
    return out


def billed_days(periods, zone, month) -> set[tuple[str, date]]:
    return {(s.asset_id, r.first_day + timedelta(days=i))
            for s in holding_spans(periods, zone, month) for r in s.runs for i in range(r.days)}


# --------------------------------------------------------------------------- contracts

@st.composite
def contracts(draw):
    """acme: two contracts switching on a random day of 2026; everybody else: the default tariff."""
    minor = draw(st.sampled_from([0, 2, 3]))
    currency = {0: "JPY", 2: "EUR", 3: "KWD"}[minor]

    def prices():
        places = draw(st.integers(0, 4))
        # some prices end in half a minor unit, so that odd quantities land exactly on a tie
        half_units = st.integers(0, 10**5).map(lambda n: Decimal(2 * n + 1) / (2 * 10**minor))
        amount = st.decimals(0, 500, places=places, allow_nan=False, allow_infinity=False) | half_units
        return tuple(Price(kind, "*", draw(amount)) for kind in ChargeKind)

    def terms():
        return (HireTerms("*", draw(st.integers(0, 20)), draw(st.none() | st.integers(0, 40))),)

    rate = st.sampled_from([Decimal("0"), Decimal("0.07"), Decimal("0.19"), Decimal("0.13"), Decimal("0.2")])
    switch = date(2026, 1, 1) + timedelta(days=draw(st.integers(1, 250)))
    a = Contract("acme-a", "acme", date(2025, 1, 1), switch, currency, minor, draw(rate), "S", prices(), terms())
    b = replace(a, contract_id="acme-b", valid_from=switch, valid_until=None, tax_rate=draw(rate),
                prices=prices(), hire_terms=terms())
    default = replace(a, contract_id="default", customer_id=None, valid_until=None, prices=prices(),
                      hire_terms=terms())
    return [a, b, default]


def contract_on(contract_set: list[Contract], customer: str, day: date) -> Contract:
    if customer != "acme":
        return contract_set[2]
    return contract_set[0] if day < contract_set[1].valid_from else contract_set[1]


def day_charges(lines) -> Counter:
    return Counter({(x.asset_id, x.trip_ref, x.kind, x.contract_id): x.quantity for x in lines if x.kind in DAY_KINDS})


# --------------------------------------------------------------------------- properties

@settings(max_examples=300, deadline=None)
@given(histories(), MONTHS)
def test_billed_holding_days_equal_a_day_by_day_count(history, month):
    zone, assets = history
    for customer in CUSTOMERS:
        periods = all_periods(assets, customer)
        assert billed_days(periods, zone, month) == oracle_days(periods, zone, month)


@settings(max_examples=200, deadline=None)
@given(histories(), MONTHS, contracts())
def test_hire_and_demurrage_days_follow_the_day_numbers_on_the_trip(history, month, contract_set):
    zone, assets = history
    for customer in CUSTOMERS:
        periods = all_periods(assets, customer)
        expected = Counter()
        for asset, trip, day, number in oracle_numbered_days(periods, zone, month):
            c = contract_on(contract_set, customer, day)
            terms = c.hire_terms[0]
            if number > terms.free_days:
                expected[(asset, trip, K.DAILY_HIRE, c.contract_id)] += 1
            if terms.demurrage_after_days is not None and number > terms.demurrage_after_days:
                expected[(asset, trip, K.DEMURRAGE, c.contract_id)] += 1
        assert day_charges(bill_month(customer, zone, month, periods, contract_set)) == expected


@settings(max_examples=200, deadline=None)
@given(histories(), MONTHS, contracts())
def test_totals_are_exact_sums_of_half_up_rounded_lines(history, month, contract_set):
    zone, assets = history
    minor = contract_set[0].minor_units
    scale = 10 ** minor
    for customer in CUSTOMERS:
        lines = bill_month(customer, zone, month, all_periods(assets, customer), contract_set)
        for x in lines:
            assert is_quantised(x.amount, minor)
            assert x.amount * scale == math.floor(x.quantity * x.unit_price * scale + Decimal("0.5"))
        totals = invoice_totals(lines, contract_set[0].currency, minor)
        assert totals.net_total == sum(x.amount for x in lines)
        assert sum(v.taxable_amount for v in totals.vat) == totals.net_total
        for v in totals.vat:
            assert is_quantised(v.tax_amount, minor)
            assert v.tax_amount * scale == math.floor(v.taxable_amount * v.rate * scale + Decimal("0.5"))
        assert totals.gross_total == totals.net_total + totals.tax_total == totals.net_total + sum(
            v.tax_amount for v in totals.vat)


@settings(max_examples=300, deadline=None)
@given(histories(), MONTHS, contracts(), st.data())
def test_splitting_a_period_at_any_instant_changes_no_billed_day(history, month, contract_set, data):
    zone, assets = history
    periods = all_periods(assets, "acme") or all_periods(assets, "globex")
    if not periods:
        return
    customer = periods[0].customer_id
    i = data.draw(st.integers(0, len(periods) - 1))
    p = periods[i]
    length = (p.end or p.start + timedelta(days=90)) - p.start
    cut = p.start + length * data.draw(st.floats(0, 1))
    cut = min(max(cut, p.start), p.end or cut)
    halves = [replace(p, end=cut, end_kind="transfer_out"), replace(p, start=cut, start_kind="transfer_in")]
    split = periods[:i] + halves + periods[i + 1:]
    assert billed_days(split, zone, month) == billed_days(periods, zone, month)
    before, after = (bill_month(customer, zone, month, ps, contract_set) for ps in (periods, split))
    assert day_charges(after) == day_charges(before)
    assert [(x.first_day, x.last_day) for x in after if x.kind in DAY_KINDS] == [
        (x.first_day, x.last_day) for x in before if x.kind in DAY_KINDS]


@settings(max_examples=300, deadline=None)
@given(histories(), contracts(), st.data())
def test_a_late_scan_changes_no_month_before_its_own(history, contract_set, data):
    zone, assets = history
    asset = data.draw(st.sampled_from(sorted(assets)))
    steps = assets[asset]
    index = [first_affected_month(step.at, zone).year * 12 + first_affected_month(step.at, zone).month - 1
             for step in steps]
    later = [k for k in range(len(steps)) if index[k] > index[0]]  # a late scan with history before its month
    if not later:
        return
    k = data.draw(st.sampled_from(later))
    without = {**assets, asset: steps[:k] + steps[k + 1:]}  # before the late scan arrived
    earlier = data.draw(st.integers(index[0], index[k] - 1))
    month = BillingMonth(earlier // 12, earlier % 12 + 1)
    for customer in CUSTOMERS:
        bills = [bill_month(customer, zone, month, all_periods(h, customer), contract_set) for h in (assets, without)]
        assert bills[0] == bills[1]


@settings(max_examples=200, deadline=None)
@given(histories(), MONTHS)
def test_customers_in_one_zone_never_share_a_day_of_one_asset(history, month):
    zone, assets = history
    acme, globex = (billed_days(all_periods(assets, c), zone, month) for c in CUSTOMERS)
    assert not acme & globex
