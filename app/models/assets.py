"""Assets (the projection), the append-only scan log and what is derived from it."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, UtcDateTime, utcnow


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (
        # also serves overdue counts: a range scan over holder_since per customer and type
        Index("ix_assets_holder_type_since", "holder_customer_id", "asset_type_id", "holder_since"),
        Index("ix_assets_state_site", "state", "site_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # GRAI: 14 digits + serial
    alias: Mapped[str | None] = mapped_column(String(40), unique=True)
    asset_type_id: Mapped[str] = mapped_column(ForeignKey("asset_types.id"), index=True)
    serial: Mapped[str] = mapped_column(String(16))
    state: Mapped[int] = mapped_column(SmallInteger, default=10)
    holder_customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))
    holder_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    home_site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))  # where it was registered
    open_trip_seq: Mapped[int | None] = mapped_column(Integer)
    trip_count: Mapped[int] = mapped_column(Integer, default=0)
    trips_opened: Mapped[int] = mapped_column(Integer, default=0)
    last_event_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    label_prints: Mapped[int] = mapped_column(Integer, default=0)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScanEvent(Base):
    """Append-only: a stored scan is never deleted; only its derived status changes."""

    __tablename__ = "scan_events"
    __table_args__ = (Index("ix_scan_events_asset_time", "asset_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scan_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)  # the client's id
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    event: Mapped[int] = mapped_column(SmallInteger)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    raw_code: Mapped[str] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(SmallInteger, default=1)  # 1 applied, 2 anomaly
    anomaly_reason: Mapped[str | None] = mapped_column(Text)


class Trip(Base):
    __tablename__ = "trips"
    __table_args__ = (
        UniqueConstraint("asset_id", "seq", name="uq_trips_asset_seq"),
        Index("ix_trips_closed", "closed_at"),
        Index("ix_trips_customer_closed", "customer_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    asset_type_id: Mapped[str] = mapped_column(ForeignKey("asset_types.id"))
    seq: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    collected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(20))
    origin_site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    return_site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))  # the last holder
    # [{"customer_id", "site_id" (or null), "arrived_at" (ISO)}]: enough to resume the fold
    legs: Mapped[list] = mapped_column(JSON, default=list)
    outbound_km: Mapped[float] = mapped_column(Float, default=0.0)
    transfer_km: Mapped[float] = mapped_column(Float, default=0.0)
    return_km: Mapped[float] = mapped_column(Float, default=0.0)


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


class Anomaly(Base):
    __tablename__ = "anomalies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scan_event_id: Mapped[int] = mapped_column(ForeignKey("scan_events.id"), unique=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # set when a later or late scan made the sequence possible after all
    cleared_by_replay: Mapped[bool] = mapped_column(default=False)


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
