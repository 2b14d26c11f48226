"""Credit notes: the correction of an issued invoice, which itself never changes.

A credit note credits whole lines of one issued invoice, all of those not credited yet or
the ones named: each becomes a line with the quantity and amount negated (same unit
price, tax category and rate, days and asset), and the note references the invoice's
number. Its totals follow EN 16931 like the invoice's, over the negated lines, so
crediting every line gives exactly the invoice's totals negated. An invoice line is
credited at most once (a unique constraint; the invoice row is locked meanwhile).
Numbers come from their own gapless series (CN-2026-000001).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.billing import numbers
from app.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from app.domain.billing.charges import ChargeLine
from app.domain.billing.money import round_half_up
from app.domain.billing.totals import invoice_totals
from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.policy import Caller, authorize
from app.platform.base import utcnow
from app.platform.db import get_session, unit_of_work

COPIED = ("kind", "asset_type", "asset_code", "trip_ref", "unit_price", "tax_category", "tax_rate", "contract_id",
          "first_day", "last_day")


def as_charge_line(line, currency: str, minor_units: int) -> ChargeLine:
    """A stored line as the billing rules take it (amount written with the currency's decimals)."""
    return ChargeLine(kind=line.kind, asset_type=line.asset_type, quantity=line.quantity, unit_price=line.unit_price,
                      amount=round_half_up(line.amount, minor_units), currency=currency,
                      tax_category=line.tax_category, tax_rate=line.tax_rate, contract_id=line.contract_id,
                      asset_id=line.asset_code, trip_ref=line.trip_ref, first_day=line.first_day,
                      last_day=line.last_day)


def issue(caller: Caller, invoice_id: int, reason: str, line_ids: list[int] | None) -> CreditNote:
    """Credit lines of an issued invoice (every line not credited yet when `line_ids` is None)."""
    authorize(caller, "credit_note.issue")
    with unit_of_work() as session:
        invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id).with_for_update())
        if invoice is None:
            raise NotFound("invoice_id", f"unknown invoice {invoice_id}")
        if invoice.status != "issued":
            raise Conflict("status", "a draft is not credited: discard it or issue it first")
        lines = _chosen(session, invoice, line_ids)
        now = utcnow()
        credited = [CreditNoteLine(position=i, invoice_line_id=line.id, quantity=-line.quantity,
                                   amount=-line.amount, **{name: getattr(line, name) for name in COPIED})
                    for i, line in enumerate(lines, start=1)]
        totals = invoice_totals([as_charge_line(x, invoice.currency, invoice.minor_units) for x in credited],
                                invoice.currency, invoice.minor_units)
        note = CreditNote(number=numbers.take(session, numbers.CREDIT_NOTE_SERIES, now.year), invoice=invoice,
                          customer_id=invoice.customer_id, currency=invoice.currency,
                          minor_units=invoice.minor_units, reason=reason, status="issued",
                          line_count=len(credited), net_total=totals.net_total, tax_total=totals.tax_total,
                          gross_total=totals.gross_total, created_by=getattr(caller, "user_id", None),
                          issued_at=now, lines=credited)
        session.add(note)
    return note


def _chosen(session: Session, invoice: Invoice, line_ids: list[int] | None) -> list[InvoiceLine]:
    done = set(session.scalars(select(CreditNoteLine.invoice_line_id).join(CreditNote)
                               .where(CreditNote.invoice_id == invoice.id)))
    by_id = {line.id: line for line in invoice.lines}
    if line_ids is None:
        chosen = [line for line in invoice.lines if line.id not in done]
        if not chosen:
            raise Conflict("lines", f"every line of invoice {invoice.number} is credited already")
        return chosen
    for i, line_id in enumerate(line_ids):
        if line_id not in by_id:
            raise DomainError(f"lines[{i}]", f"{line_id} is not a line of invoice {invoice.number}")
        if line_id in done:
            raise Conflict(f"lines[{i}]", f"line {line_id} of invoice {invoice.number} is credited already")
        if line_id in line_ids[:i]:
            raise DomainError(f"lines[{i}]", f"line {line_id} is named twice")
    return sorted((by_id[i] for i in line_ids), key=lambda line: line.position)


def list_credit_notes(caller: Caller, customer: str | None, invoice_id: int | None, limit: int,
                      offset: int) -> list[CreditNote]:
    own = authorize(caller, "invoice.read", customer)
    stmt = select(CreditNote)
    if own or customer:
        stmt = stmt.where(CreditNote.customer_id == (own or customer))
    if invoice_id is not None:
        stmt = stmt.where(CreditNote.invoice_id == invoice_id)
    stmt = stmt.order_by(CreditNote.issued_at.desc(), CreditNote.id.desc()).limit(limit).offset(offset)
    return list(get_session().scalars(stmt))


def get(caller: Caller, credit_note_id: int) -> CreditNote:
    own = authorize(caller, "invoice.read", field="credit_note_id")
    note = get_session().get(CreditNote, credit_note_id)
    if note is None or (own is not None and note.customer_id != own):
        raise NotFound("credit_note_id", f"unknown credit note {credit_note_id}")
    return note
