"""A month's bills: each customer's charge lines and totals, computed by app.domain.billing.

Nothing is stored here: the preview shows these, and a billing run stores them as
invoices. A customer whose month cannot be billed (no contract and no default tariff on a
day it held an asset, lines in two currencies) gets a `problem` naming the field instead
of lines; the run reports it and bills everyone else.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.billing import history
from app.billing.contracts import all_contracts
from app.billing.currencies import minor_units
from app.billing.zones import customer_zones
from app.domain.billing.charges import ChargeLine, bill_month
from app.domain.billing.days import BillingMonth
from app.domain.billing.problems import Problem
from app.domain.billing.totals import InvoiceTotals, invoice_totals
from app.domain.errors import DomainError
from app.platform.base import utcnow
from app.platform.config import timestamp_bounds


@dataclass(frozen=True)
class Bill:
    customer_id: str
    time_zone: str  # IANA name the days were counted in
    lines: tuple[ChargeLine, ...] = ()
    totals: InvoiceTotals | None = None
    minor_units: int = 2
    problem: Problem | None = None


def parse_month(text: str, complete: bool) -> BillingMonth:
    """A month inside the accepted range; `complete`: one that has ended in every time
    zone (from the second day of the next month, UTC), as a billing run needs."""
    month = BillingMonth.parse(text)
    earliest, latest = timestamp_bounds()
    if not earliest.date() <= month.first_day <= latest.date():
        raise DomainError("month", f"{month} is outside the accepted range {earliest.date()} to {latest.date()}")
    billable_from = datetime.combine(month.end_day + timedelta(days=1), time(0), timezone.utc)
    if complete and utcnow() < billable_from:
        raise DomainError("month", f"{month} has not ended in every time zone yet; it can be billed from "
                                   f"{billable_from.date()} (UTC)")
    return month


def bills(session: Session, month: BillingMonth, customer_id: str | None = None) -> list[Bill]:
    """Every customer's bill for `month` (one customer's, when given), by customer id.
    Customers with nothing to charge are left out."""
    contracts = all_contracts(session)
    periods = history.read_periods(session, month, customer_id)
    events = history.read_charge_events(session, month, customer_id)
    customers = sorted(set(periods) | set(events))
    zones = customer_zones(session, customers)
    out = []
    for customer in customers:
        bill = _bill(customer, zones[customer], month, periods.get(customer, []), contracts, events.get(customer, []))
        if bill.lines or bill.problem:
            out.append(bill)
    return out


def _bill(customer: str, zone: str, month: BillingMonth, periods, contracts, events) -> Bill:
    try:
        lines = bill_month(customer, ZoneInfo(zone), month, periods, contracts, events)
        if not lines:
            return Bill(customer, zone)
        currency = lines[0].currency
        minor = minor_units(currency)
        return Bill(customer, zone, lines, invoice_totals(lines, currency, minor), minor)
    except DomainError as err:
        field = "currency" if err.field.endswith(".currency") else err.field
        return Bill(customer, zone, problem=Problem(field, err.message))
