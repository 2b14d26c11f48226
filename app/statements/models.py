"""Monthly packaging-account statements, their disputes and the audit log.

A statement and its lines are frozen when the month is closed: only the status columns
of a statement change afterwards (confirmed, disputed, resolved). Corrections and late
scans become lines of a later statement (app/domain/statements.py).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.base import Base, BigId, UtcDateTime, utcnow


class StatementCounter(Base):
    """The last statement number handed out in a year; locked FOR UPDATE while numbering."""

    __tablename__ = "statement_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Statement(Base):
    __tablename__ = "statements"
    # One statement per customer and month: two closes at once cannot both store one.
    __table_args__ = (UniqueConstraint("customer_id", "month", name="uq_statements_customer_month"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    status: Mapped[str] = mapped_column(String(12), default="published")
    opening: Mapped[list] = mapped_column(JSON)  # [{asset_type, site, quantity}]
    closing: Mapped[list] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: at the deadline


class StatementLine(Base):
    __tablename__ = "statement_lines"
    __table_args__ = (Index("ix_statement_lines_statement", "statement_id", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"))
    seq: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(80))
    asset_code: Mapped[str] = mapped_column(String(200), default="")
    asset_type_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    adjustment_for: Mapped[str | None] = mapped_column(String(7))
    dispute_id: Mapped[int | None] = mapped_column(Integer)


class Dispute(Base):
    __tablename__ = "statement_disputes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    line_ids: Mapped[list] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | accepted | rejected
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_reason: Mapped[str | None] = mapped_column(Text)
    # The statement whose correction lines reverse the disputed ones (accepted disputes).
    correction_statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id"))


class DisputeComment(Base):
    __tablename__ = "statement_dispute_comments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("statement_disputes.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_role: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DisputeEvidence(Base):
    __tablename__ = "statement_dispute_evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("statement_disputes.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class StatementAudit(Base):
    """Who did what to which statement or dispute, and when; rows are only ever added."""

    __tablename__ = "statement_audit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the service itself
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"), index=True)
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("statement_disputes.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
