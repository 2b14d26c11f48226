"""An invoice or a credit note as every rendering sees it (PDF, CSV, CII XML, JSON).

The totals are computed again from the stored lines by the EN 16931 rules, so a document
always shows the exact sum of its lines and the VAT per category and rate, whatever it
is rendered as.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from app.billing.credit_notes import as_charge_line
from app.billing.models import CreditNote, Invoice
from app.catalog.models import Customer
from app.domain.billing.days import BillingMonth
from app.domain.billing.money import round_half_up
from app.domain.billing.tariffs import DAY_KINDS, ChargeKind
from app.domain.billing.totals import InvoiceTotals, invoice_totals

INVOICE, CREDIT_NOTE = "380", "381"  # UNTDID 1001 document type codes (EN 16931 BT-3)
PAYMENT_DAYS = 30
KIND_LABELS = {
    ChargeKind.ISSUE_FEE: "Issue fee", ChargeKind.DAILY_HIRE: "Daily hire", ChargeKind.DEMURRAGE: "Demurrage",
    ChargeKind.TRANSFER_FEE: "Transfer fee", ChargeKind.CLEANING_FEE: "Cleaning fee",
    ChargeKind.DAMAGE_CHARGE: "Damage charge", ChargeKind.LOST_ASSET: "Lost asset (replacement value)",
    ChargeKind.DEPOSIT: "Deposit",
}


@dataclass(frozen=True)
class DocumentLine:
    position: int
    kind: str
    asset_type: str
    asset_code: str
    quantity: int  # negative on a credit note
    unit_price: Decimal
    amount: Decimal  # with the currency's decimals
    tax_category: str
    tax_rate: Decimal
    first_day: date
    last_day: date

    @property
    def per_day(self) -> bool:
        return self.kind in DAY_KINDS

    @property
    def description(self) -> str:
        label = KIND_LABELS.get(self.kind, self.kind)
        days = f"{self.first_day}" if self.first_day == self.last_day else f"{self.first_day} to {self.last_day}"
        return f"{label}, {self.asset_type} {self.asset_code}, {days}"


@dataclass(frozen=True)
class Document:
    type_code: str  # INVOICE | CREDIT_NOTE
    number: str | None  # None: a draft
    status: str
    issued_on: date | None
    customer_id: str
    customer_name: str
    period_start: date
    period_end: date  # inclusive
    time_zone: str
    currency: str
    minor_units: int
    lines: tuple[DocumentLine, ...]
    totals: InvoiceTotals
    corrects: str | None = None  # the number of the invoice a credit note corrects
    note: str | None = None  # a credit note's reason

    @property
    def title(self) -> str:
        return "Credit note" if self.type_code == CREDIT_NOTE else "Invoice"

    @property
    def due_on(self) -> date | None:
        return self.issued_on + timedelta(days=PAYMENT_DAYS) if self.issued_on else None

    def money(self, amount: Decimal) -> Decimal:
        return round_half_up(amount, self.minor_units)


def plain(value: Decimal) -> Decimal:
    """`value` without trailing zeros, never in exponent form (100, not 1E+2)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


def unit_price(value: Decimal, minor_units: int) -> Decimal:
    """A unit price with at least the currency's decimals and no trailing zeros beyond (5.00, 0.0375)."""
    value = plain(value)
    return value if -value.as_tuple().exponent >= minor_units else value.quantize(Decimal(1).scaleb(-minor_units))


def percent(rate: Decimal) -> Decimal:
    """A VAT rate as EN 16931 writes it: 19 for 0.19, 7.75 for 0.0775."""
    return plain(rate * 100)


def of_invoice(session: Session, invoice: Invoice) -> Document:
    month = BillingMonth.parse(invoice.period)
    return _document(session, INVOICE, invoice, invoice.number, invoice.status, month.first_day,
                     month.end_day - timedelta(days=1), invoice.time_zone)


def of_credit_note(session: Session, note: CreditNote) -> Document:
    invoice = note.invoice
    month = BillingMonth.parse(invoice.period)
    return _document(session, CREDIT_NOTE, note, note.number, note.status, month.first_day,
                     month.end_day - timedelta(days=1), invoice.time_zone, corrects=invoice.number, note=note.reason)


def _document(session: Session, type_code: str, row, number, status, start, end, zone, **extra) -> Document:
    customer = session.get(Customer, row.customer_id)
    lines = tuple(DocumentLine(line.position, line.kind, line.asset_type, line.asset_code, line.quantity,
                               unit_price(line.unit_price, row.minor_units),
                               round_half_up(line.amount, row.minor_units), line.tax_category, plain(line.tax_rate),
                               line.first_day, line.last_day) for line in row.lines)
    totals = invoice_totals([as_charge_line(line, row.currency, row.minor_units) for line in row.lines],
                            row.currency, row.minor_units)
    issued_at = getattr(row, "issued_at", None)
    return Document(type_code, number, status, issued_at.date() if issued_at else None, row.customer_id,
                    customer.name if customer else row.customer_id, start, end, zone, row.currency,
                    row.minor_units, lines, totals, **extra)
