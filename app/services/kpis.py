"""Fleet KPIs over a trailing window."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ..db import get_session
from ..domain.states import AssetState
from ..models import Asset, Trip, utcnow


def fleet_kpis(window_days: int = 365) -> dict:
    session = get_session()
    now = utcnow()
    since = now - timedelta(days=window_days)
    by_state = {AssetState(s).label: n for s, n in session.execute(select(Asset.state, func.count()).group_by(Asset.state))}
    active = sum(n for s, n in by_state.items() if s != "retired")
    closed = session.execute(select(Trip.outcome, Trip.opened_at, Trip.closed_at, Trip.delivered_at, Trip.collected_at)
                             .where(Trip.closed_at >= since)).all()
    completed = [t for t in closed if t.outcome == "completed"]
    lost = sum(1 for t in closed if t.outcome == "lost")
    cycle_days = [(t.closed_at - t.opened_at).total_seconds() / 86400 for t in completed]
    dwell_days = [(t.collected_at - t.delivered_at).total_seconds() / 86400
                  for t in completed if t.collected_at and t.delivered_at]
    opened = session.scalar(select(func.count()).select_from(Trip).where(Trip.opened_at >= since)) or 0
    years = window_days / 365.0
    return {
        "window_days": window_days,
        "assets_total": sum(by_state.values()),
        "assets_by_state": by_state,
        "trips_completed": len(completed),
        "cycles_per_asset_per_year": round(len(completed) / active / years, 3) if active else 0.0,
        "avg_cycle_days": round(sum(cycle_days) / len(cycle_days), 2) if cycle_days else None,
        "avg_dwell_days_at_customer": round(sum(dwell_days) / len(dwell_days), 2) if dwell_days else None,
        "loss_rate": round(lost / (len(completed) + lost), 4) if completed or lost else 0.0,
        "return_rate": round(len(completed) / opened, 4) if opened else None,
        "as_of": now.isoformat(),
    }
