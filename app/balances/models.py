"""Custody moves and the per-customer balance they add up to."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.base import Base, BigId, UtcDateTime


class CustodyMove(Base):
    """+1/-1 changes of a customer's balance; statements sum these."""

    __tablename__ = "custody_moves"
    __table_args__ = (Index("ix_custody_customer_time", "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    asset_type_id: Mapped[str] = mapped_column(ForeignKey("asset_types.id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(16))
    delta: Mapped[int] = mapped_column(SmallInteger)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    scan_event_id: Mapped[int] = mapped_column(ForeignKey("scan_events.id"))


class CustomerBalance(Base):
    """Live count of assets a customer holds, by type and site, kept in the same
    transaction as the scans that change it, so reading a balance never counts assets."""

    __tablename__ = "customer_balances"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    asset_type_id: Mapped[str] = mapped_column(ForeignKey("asset_types.id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" while not at a site
    # UTC day the customer became accountable: overdue counts sum days before a cutoff
    since_day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
