"""The append-only scan log and the anomalies ingestion raises."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.states import EventStatus
from app.platform.base import Base, BigId, UtcDateTime, utcnow


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
    status: Mapped[int] = mapped_column(SmallInteger, default=int(EventStatus.APPLIED))  # an EventStatus code
    anomaly_reason: Mapped[str | None] = mapped_column(Text)


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
    # set when a later or late scan made the sequence possible after all (the API's
    # `cleared_by_later_scan`); the column keeps its first name, cleared_by_replay
    cleared_by_later_scan: Mapped[bool] = mapped_column("cleared_by_replay", default=False)
