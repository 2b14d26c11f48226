"""Fleet KPIs over a trailing window, aggregated in the database."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, func, select

from app.assets.models import Asset, Trip
from app.domain.policy import Caller, authorize
from app.domain.states import AssetState
from app.platform.base import utcnow
from app.platform.db import get_session, is_postgres


def _days_between(start, end, postgres: bool):
    """SQL expression for end - start in days, on PostgreSQL and SQLite."""
    if postgres:
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def fleet_kpis(viewer: Caller, window_days: int = 365) -> dict:
    authorize(viewer, "kpi.read")
    session = get_session()
    now = utcnow()
    since = now - timedelta(days=window_days)
    pg = is_postgres(session)
    by_state = {AssetState(s).label: n for s, n in session.execute(select(Asset.state, func.count()).group_by(Asset.state))}
    active = sum(n for s, n in by_state.items() if s != "retired")
    completed = Trip.outcome == "completed"
    dwell_known = completed & Trip.collected_at.is_not(None) & Trip.delivered_at.is_not(None)
    row = session.execute(
        select(
            func.count().filter(completed),
            func.count().filter(Trip.outcome == "lost"),
            func.avg(case((completed, _days_between(Trip.opened_at, Trip.closed_at, pg)))),
            func.avg(case((dwell_known, _days_between(Trip.delivered_at, Trip.collected_at, pg)))),
        ).where(Trip.closed_at >= since)
    ).one()
    n_completed, lost, avg_cycle, avg_dwell = int(row[0] or 0), int(row[1] or 0), row[2], row[3]
    opened = session.scalar(select(func.count()).select_from(Trip).where(Trip.opened_at >= since)) or 0
    years = window_days / 365.0
    return {
        "window_days": window_days,
        "assets_total": sum(by_state.values()),
        "assets_by_state": by_state,
        "trips_completed": n_completed,
        "cycles_per_asset_per_year": round(n_completed / active / years, 3) if active else 0.0,
        "avg_cycle_days": round(float(avg_cycle), 2) if avg_cycle is not None else None,
        "avg_dwell_days_at_customer": round(float(avg_dwell), 2) if avg_dwell is not None else None,
        "loss_rate": round(lost / (n_completed + lost), 4) if n_completed or lost else 0.0,
        "return_rate": round(n_completed / opened, 4) if opened else None,
        "as_of": now.isoformat(),
    }
