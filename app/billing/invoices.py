"""Invoices: written from a customer's bill, issued (numbered, frozen), read, discarded as drafts.

One invoice per customer, period and kind: the unique constraint decides between runs
that meet, so running a month twice, or twice at once, leaves one invoice per customer.
An issued invoice never changes (models.guard_issued_documents); a draft has no number
yet and may be issued or discarded. A customer user reads only its own issued invoices;
another customer's, or a draft, answers 404 like an unknown one.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.billing import numbers
from app.billing.compute import Bill
from app.billing.models import Invoice, InvoiceLine
from app.domain.billing.days import BillingMonth
from app.domain.errors import Conflict, NotFound
from app.domain.policy import Caller, authorize
from app.platform.base import utcnow
from app.platform.db import get_session, unit_of_work
from app.webhooks import events

RENTAL = "rental"


def exists(session: Session, customer_id: str, month: BillingMonth, kind: str = RENTAL) -> bool:
    return session.scalar(select(Invoice.id).where(Invoice.customer_id == customer_id,
                                                   Invoice.period == str(month), Invoice.kind == kind)) is not None


def write(session: Session, bill: Bill, month: BillingMonth, run_id: str | None, issue: bool) -> Invoice | None:
    """Store `bill` as the customer's invoice for `month` (issued when `issue`), inside the
    caller's transaction; None when that invoice exists already (written by another run)."""
    totals = bill.totals
    invoice = Invoice(kind=RENTAL, customer_id=bill.customer_id, period=str(month), time_zone=bill.time_zone,
                      currency=totals.currency, minor_units=bill.minor_units, status="draft",
                      line_count=totals.line_count, net_total=totals.net_total, tax_total=totals.tax_total,
                      gross_total=totals.gross_total, billing_run_id=run_id, created_at=utcnow(),
                      lines=[_line(i, line) for i, line in enumerate(bill.lines, start=1)])
    try:
        with session.begin_nested():  # a clash rolls back this invoice only
            session.add(invoice)
            session.flush()  # waits here while another run holds the same (customer, period, kind)
            if issue:
                freeze(session, invoice, utcnow())
    except IntegrityError:
        return None
    return invoice


def _line(position: int, line) -> InvoiceLine:
    return InvoiceLine(position=position, kind=line.kind, asset_type=line.asset_type, asset_code=line.asset_id,
                       trip_ref=line.trip_ref, quantity=line.quantity, unit_price=line.unit_price,
                       amount=line.amount, tax_category=line.tax_category, tax_rate=line.tax_rate,
                       contract_id=line.contract_id, first_day=line.first_day, last_day=line.last_day,
                       refs=list(line.refs))


def freeze(session: Session, invoice: Invoice, now: datetime) -> None:
    """Give a draft its number and make it issued: from here on it never changes."""
    invoice.number = numbers.take(session, numbers.INVOICE_SERIES, now.year)
    invoice.status, invoice.issued_at = "issued", now
    session.flush()
    events.emit("invoice.issued", _event_data(invoice), invoice.customer_id, session)


def _event_data(invoice: Invoice) -> dict:
    """An issued invoice in a webhook: its identity and totals (lines and documents: the API)."""
    return {"id": invoice.id, "number": invoice.number, "kind": invoice.kind, "customer": invoice.customer_id,
            "period": invoice.period, "currency": invoice.currency, "net_total": invoice.net_total,
            "tax_total": invoice.tax_total, "gross_total": invoice.gross_total, "issued_at": invoice.issued_at}


def list_invoices(caller: Caller, customer: str | None, period: str | None, status: str | None, limit: int,
                  offset: int) -> list[Invoice]:
    """Invoices, newest period first. A customer user sees its own issued ones only."""
    own = authorize(caller, "invoice.read", customer)
    stmt = select(Invoice)
    if own is not None:
        stmt = stmt.where(Invoice.customer_id == own, Invoice.status == "issued")
    elif customer:
        stmt = stmt.where(Invoice.customer_id == customer)
    if period:
        stmt = stmt.where(Invoice.period == period)
    if status:
        stmt = stmt.where(Invoice.status == status)
    stmt = stmt.order_by(Invoice.period.desc(), Invoice.customer_id, Invoice.id).limit(limit).offset(offset)
    return list(get_session().scalars(stmt))


def get(caller: Caller, invoice_id: int) -> Invoice:
    own = authorize(caller, "invoice.read", field="invoice_id")
    invoice = get_session().get(Invoice, invoice_id)
    if invoice is None or (own is not None and (invoice.customer_id != own or invoice.status != "issued")):
        raise NotFound("invoice_id", f"unknown invoice {invoice_id}")
    return invoice


def issue_draft(caller: Caller, invoice_id: int) -> Invoice:
    """Number and freeze a draft (409 if it is issued already)."""
    authorize(caller, "invoice.issue")
    with unit_of_work() as session:
        invoice = _locked(session, invoice_id)
        freeze(session, invoice, utcnow())
    return invoice


def discard_draft(caller: Caller, invoice_id: int) -> None:
    """Delete a draft, so that a later run computes it again (409 for an issued invoice)."""
    authorize(caller, "invoice.issue")
    with unit_of_work() as session:
        session.delete(_locked(session, invoice_id))


def _locked(session: Session, invoice_id: int) -> Invoice:
    invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id).with_for_update())
    if invoice is None:
        raise NotFound("invoice_id", f"unknown invoice {invoice_id}")
    if invoice.status != "draft":
        raise Conflict("status", f"invoice {invoice.number} is issued: it never changes; correct it with a "
                                 "credit note")
    return invoice
