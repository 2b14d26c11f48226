"""Contracts (tariffs), billing runs, invoices, credit notes and their number counters.

Money is `Numeric` in the database and `Decimal` in Python, never a float: amounts carry
up to four decimals (ISO 4217 has no currency with more minor units), unit prices six
(a daily hire of 0.0375 EUR), VAT rates four (0.0775 for 7.75 %).

Issued invoices and credit notes never change: `guard_issued_documents` refuses any
update or delete of an issued row or its lines in the session, whatever code tries it.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.domain.errors import Conflict
from app.platform.base import Base, BigId, UtcDateTime, utcnow

Amount = Numeric(18, 4)
UnitPrice = Numeric(18, 6)
Rate = Numeric(6, 4)


class Contract(Base):
    """A customer's tariff for a validity period; `customer_id` None: the default tariff."""

    __tablename__ = "contracts"
    __table_args__ = (Index("ix_contracts_customer_from", "customer_id", "valid_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))
    valid_from: Mapped[date] = mapped_column(Date)  # local dates in the customer's zone
    valid_until: Mapped[date | None] = mapped_column(Date)  # exclusive; None: open-ended
    currency: Mapped[str] = mapped_column(String(3))
    tax_rate: Mapped[Decimal] = mapped_column(Rate)
    tax_category: Mapped[str] = mapped_column(String(2), default="S")
    reference: Mapped[str | None] = mapped_column(String(120))  # the contract's name or number on paper
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    prices: Mapped[list[ContractPrice]] = relationship(order_by="ContractPrice.id", cascade="all, delete-orphan",
                                                       lazy="selectin")
    hire_terms: Mapped[list[ContractHireTerms]] = relationship(order_by="ContractHireTerms.id",
                                                               cascade="all, delete-orphan", lazy="selectin")


class ContractPrice(Base):
    __tablename__ = "contract_prices"
    __table_args__ = (UniqueConstraint("contract_id", "kind", "asset_type", name="uq_contract_prices_kind_type"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    kind: Mapped[str] = mapped_column(String(16))  # app.domain.billing.tariffs.ChargeKind
    asset_type: Mapped[str] = mapped_column(String(40))  # an asset type id, or "*"
    unit_price: Mapped[Decimal] = mapped_column(UnitPrice)


class ContractHireTerms(Base):
    __tablename__ = "contract_hire_terms"
    __table_args__ = (UniqueConstraint("contract_id", "asset_type", name="uq_contract_hire_terms_type"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    asset_type: Mapped[str] = mapped_column(String(40))
    free_days: Mapped[int] = mapped_column(Integer, default=0)
    demurrage_after_days: Mapped[int | None] = mapped_column(Integer)


class BillingRun(Base):
    """One run over a month: queued -> running -> done | failed, progress 0..1."""

    __tablename__ = "billing_runs"
    __table_args__ = (Index("ix_billing_runs_month", "month"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    issue: Mapped[bool] = mapped_column(Boolean, default=True)  # False: leave drafts
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    customers_total: Mapped[int] = mapped_column(Integer, default=0)
    customers_done: Mapped[int] = mapped_column(Integer, default=0)
    invoices_created: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # [{"customer", "field", "message"}]
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DocumentCounter(Base):
    """The last number handed out in a series and year, taken FOR UPDATE by the transaction
    that issues the document: a rolled-back issue hands its number back (a sequence would not)."""

    __tablename__ = "document_counters"

    series: Mapped[str] = mapped_column(String(20), primary_key=True)  # the prefix: INV, CN
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        # one invoice per customer, period and kind: concurrent or repeated runs meet here
        UniqueConstraint("customer_id", "period", "kind", name="uq_invoices_customer_period_kind"),
        Index("ix_invoices_period", "period"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(40), unique=True)  # None while a draft
    kind: Mapped[str] = mapped_column(String(16), default="rental")
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    time_zone: Mapped[str] = mapped_column(String(64))  # the zone its days were counted in
    currency: Mapped[str] = mapped_column(String(3))
    minor_units: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | issued
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    net_total: Mapped[Decimal] = mapped_column(Amount)
    tax_total: Mapped[Decimal] = mapped_column(Amount)
    gross_total: Mapped[Decimal] = mapped_column(Amount)
    billing_run_id: Mapped[str | None] = mapped_column(ForeignKey("billing_runs.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # loaded when read (one query for one document); listings never touch them
    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.position", cascade="all, delete-orphan",
                                                    back_populates="invoice")


class _LineColumns:
    """What an invoice line and a credit-note line both carry."""

    position: Mapped[int] = mapped_column(Integer)  # 1-based line number on the document
    kind: Mapped[str] = mapped_column(String(16))
    asset_type: Mapped[str] = mapped_column(String(40))
    asset_code: Mapped[str] = mapped_column(String(40))
    trip_ref: Mapped[str] = mapped_column(String(40), default="")
    quantity: Mapped[int] = mapped_column(Integer)  # days or occurrences; negative on a credit note
    unit_price: Mapped[Decimal] = mapped_column(UnitPrice)
    amount: Mapped[Decimal] = mapped_column(Amount)  # quantity x unit price, rounded half-up per line
    tax_category: Mapped[str] = mapped_column(String(2))
    tax_rate: Mapped[Decimal] = mapped_column(Rate)
    contract_id: Mapped[str] = mapped_column(String(40))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)


class InvoiceLine(_LineColumns, Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    refs: Mapped[list] = mapped_column(JSON, default=list)  # the custody periods or scans it comes from
    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    @property
    def document(self) -> Invoice:
        return self.invoice


class CreditNote(Base):
    """Corrects an issued invoice: the credited lines, negated, referencing its number."""

    __tablename__ = "credit_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    minor_units: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="issued")
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    net_total: Mapped[Decimal] = mapped_column(Amount)
    tax_total: Mapped[Decimal] = mapped_column(Amount)
    gross_total: Mapped[Decimal] = mapped_column(Amount)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    invoice: Mapped[Invoice] = relationship(lazy="joined")
    lines: Mapped[list[CreditNoteLine]] = relationship(order_by="CreditNoteLine.position",
                                                       cascade="all, delete-orphan", back_populates="credit_note")


class CreditNoteLine(_LineColumns, Base):
    __tablename__ = "credit_note_lines"
    __table_args__ = (UniqueConstraint("credit_note_id", "position", name="uq_credit_note_lines_position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_notes.id"))
    # each invoice line is credited at most once, whichever credit note does it
    invoice_line_id: Mapped[int] = mapped_column(ForeignKey("invoice_lines.id"), unique=True)
    credit_note: Mapped[CreditNote] = relationship(back_populates="lines")

    @property
    def document(self) -> CreditNote:
        return self.credit_note


def _stored_as_issued(obj) -> bool:
    """Whether `obj` is an invoice or credit note the database holds as issued. Issuing a
    draft (status draft -> issued) is the one change an invoice may still take."""
    state = inspect(obj)
    if not (state.persistent or state.deleted) or not isinstance(obj, (Invoice, CreditNote)):
        return False
    history = state.attrs.status.history
    return (history.deleted[0] if history.deleted else obj.status) == "issued"


def _parent(session: Session, obj):
    if isinstance(obj, InvoiceLine) and obj.invoice_id is not None:
        return session.get(Invoice, obj.invoice_id)
    if isinstance(obj, CreditNoteLine) and obj.credit_note_id is not None:
        return session.get(CreditNote, obj.credit_note_id)
    return obj


@event.listens_for(Session, "before_flush")
def guard_issued_documents(session: Session, _context, _instances) -> None:
    """Refuse to change or delete an issued invoice or credit note, or to add, change or
    delete any of their lines, whichever code tries."""
    changed = [o for o in session.dirty if session.is_modified(o)] + list(session.deleted)
    changed += [o for o in session.new if isinstance(o, (InvoiceLine, CreditNoteLine))]
    for obj in changed:
        parent = _parent(session, obj)
        if parent is not None and _stored_as_issued(parent):
            what = "credit note" if isinstance(parent, CreditNote) else "invoice"
            raise Conflict("status", f"issued {what} {parent.number} never changes; correct it with a credit note")
