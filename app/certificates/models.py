"""Signed monthly avoided-CO2e certificates. Rows are never updated except to mark a
revision superseded or revoked: re-issuing a month adds a new revision."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.base import Base, BigId, UtcDateTime, utcnow


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("scope", "month", "revision", name="uq_certificates_scope_month_rev"),
        Index("ix_certificates_customer_month", "customer_id", "month"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    serial: Mapped[str] = mapped_column(String(80), unique=True)
    scope: Mapped[str] = mapped_column(String(40))  # customer id, or "operator" for the summary
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="valid")  # valid | superseded | revoked
    superseded_by: Mapped[str | None] = mapped_column(String(80))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    factor_set: Mapped[str] = mapped_column(String(60))
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    trip_count: Mapped[int] = mapped_column(Integer, default=0)
    avoided_kg_co2e: Mapped[float] = mapped_column(Float)
    low_kg_co2e: Mapped[float] = mapped_column(Float)
    high_kg_co2e: Mapped[float] = mapped_column(Float)
    document: Mapped[dict] = mapped_column(JSON)  # the signed JSON document, as signed
    signature: Mapped[str] = mapped_column(Text)  # base64 Ed25519 over the canonical document
    key_id: Mapped[str] = mapped_column(String(64))
