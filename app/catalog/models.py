"""Reference data: asset types, customers and sites."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.base import Base, UtcDateTime, utcnow


class AssetType(Base):
    __tablename__ = "asset_types"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    company_prefix: Mapped[str] = mapped_column(String(12))
    grai_asset_type: Mapped[str] = mapped_column(String(6))  # prefix + type = 12 digits
    tare_mass_kg: Mapped[float] = mapped_column(Float)
    volume_l: Mapped[float | None] = mapped_column(Float)
    load_units: Mapped[float] = mapped_column(Float, default=1.0)  # share of a pallet place
    lca_profile: Mapped[str | None] = mapped_column(String(60))
    overdue_days: Mapped[int] = mapped_column(Integer, default=60)
    # Serials are allocated from this counter under a row lock and never reused.
    next_serial: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The customer's choice: show its certificates' figures (its name, trips, kg CO2e) on
    # the public verification page and API. Off: only validity, issuer and month.
    publish_certificate_figures: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))  # depot | customer
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    # {"mon": ["07:00", "17:00"], ...}; a missing day means closed.
    opening_hours: Mapped[dict | None] = mapped_column(JSON)
    timezone: Mapped[str] = mapped_column(String(40), default="Europe/Berlin")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
