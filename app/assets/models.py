"""Assets (the projection) and their trips."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.base import Base, BigId, UtcDateTime, utcnow


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
