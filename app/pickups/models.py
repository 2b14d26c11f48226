"""Return requests and the collect scans counted towards them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.return_requests import ReturnRequestStatus
from app.platform.base import Base, BigId, UtcDateTime, utcnow


class ReturnRequest(Base):
    __tablename__ = "return_requests"
    __table_args__ = (Index("ix_return_requests_status", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    counts: Mapped[dict] = mapped_column(JSON)  # {asset_type_id: number of assets}
    window_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # a ReturnRequestStatus; cancelled and unserved ones carry a reason
    status: Mapped[str] = mapped_column(String(12), default=ReturnRequestStatus.OPEN)
    status_reason: Mapped[str | None] = mapped_column(Text)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ReturnRequestCollection(Base):
    """A collect scan counted toward a return request. The scan is the key: one scan
    counts toward one request at most, however often it is sent or its asset replayed."""

    __tablename__ = "return_request_collections"

    scan_event_id: Mapped[int] = mapped_column(ForeignKey("scan_events.id"), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    asset_type_id: Mapped[str] = mapped_column(ForeignKey("asset_types.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
