"""Rebalancing clean empties of one asset type between depots.

Stock: assets `available` at each depot. Target: `routing.forecast_target` over the
depot's daily issue scans of the last 8 weeks (UTC days before `as_of`, days without
issues count as 0). Then a min-cost-flow (continuous) or CP-SAT (whole truckloads) plan.
"""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select

from app.assets.models import Asset
from app.catalog.models import AssetType, Site
from app.domain.errors import DomainError
from app.domain.states import AssetState, EventType
from app.planning import inputs
from app.platform.db import get_or_404, get_session
from app.scanning.models import ScanEvent
from routing import DepotStock, GeoPoint, RoutingError, forecast_target, rebalance_continuous, rebalance_truckloads

HISTORY_DAYS = 56  # 8 weeks: two of every weekday's cycle per month, recent enough to follow a trend


def validate(body: dict) -> dict:
    session = get_session()
    asset_type = get_or_404(AssetType, body["asset_type"], "asset_type", "asset type")
    depots = body.get("depots")
    if depots is None:
        depots = list(session.scalars(select(Site.id).where(Site.kind == "depot", Site.active.is_(True)).order_by(Site.id)))
        if not depots:
            raise DomainError("depots", "there are no active depots")
    else:
        inputs.check_depots(depots)
    if body["truck_class"] not in inputs.truck_factors():
        raise DomainError("truck_class", f"unknown truck class {body['truck_class']!r}; use one of "
                                         f"{', '.join(sorted(inputs.truck_factors()))}")
    if asset_type.load_units > body["truck_capacity_units"]:
        raise DomainError("truck_capacity_units", f"one {asset_type.id} takes {asset_type.load_units:g} load units, "
                                                  "more than the truck holds")
    as_of = body.get("as_of") or datetime.now(timezone.utc).date()
    return {**{k: v for k, v in body.items() if k != "as_of"}, "depots": depots, "as_of": as_of.isoformat()}


def daily_issues(asset_type: str, depots: list[str], as_of: date) -> dict[str, list[int]]:
    """Issue scans per depot and UTC day over the HISTORY_DAYS days before `as_of`."""
    first = as_of - timedelta(days=HISTORY_DAYS)
    since = datetime.combine(first, time(0), timezone.utc)
    until = datetime.combine(as_of, time(0), timezone.utc)
    rows = get_session().execute(
        select(ScanEvent.site_id, ScanEvent.occurred_at)
        .join(Asset, Asset.id == ScanEvent.asset_id)
        .where(ScanEvent.event == int(EventType.ISSUE), ScanEvent.site_id.in_(depots), Asset.asset_type_id == asset_type,
               ScanEvent.occurred_at >= since, ScanEvent.occurred_at < until))
    series = {d: [0] * HISTORY_DAYS for d in depots}
    for site_id, at in rows:
        series[site_id][(at.astimezone(timezone.utc).date() - first).days] += 1
    return series


def clean_stock(asset_type: str, depots: list[str]) -> dict[str, int]:
    rows = get_session().execute(
        select(Asset.site_id, func.count()).where(Asset.state == int(AssetState.AVAILABLE), Asset.asset_type_id == asset_type,
                                                  Asset.site_id.in_(depots)).group_by(Asset.site_id))
    stock = {d: 0 for d in depots}
    stock.update({site_id: n for site_id, n in rows})
    return stock


def solve(params: dict, progress=None) -> tuple[dict, dict]:
    session = get_session()
    asset_type, depots = params["asset_type"], params["depots"]
    as_of = date.fromisoformat(params["as_of"])
    sites = {s.id: s for s in session.scalars(select(Site).where(Site.id.in_(depots)))}
    issues = daily_issues(asset_type, depots, as_of)
    stock = clean_stock(asset_type, depots)
    try:
        targets = {d: forecast_target(issues[d], params["horizon_days"], params["z"]) for d in depots}
        stocks = [DepotStock(d, {asset_type: stock[d]}, {asset_type: targets[d]}) for d in depots]
    except RoutingError as err:
        raise DomainError(err.field, err.message) from err
    if progress:
        progress(0.2)
    table = inputs.load_unit_table()
    factor = inputs.kg_co2e_per_km()[params["truck_class"]]
    cap = params["truck_capacity_units"]
    points = [GeoPoint(d, sites[d].lat, sites[d].lon) for d in depots]

    def run(provider):
        matrix = provider.build(points)
        if params["mode"] == "continuous":
            return rebalance_continuous(stocks, matrix, objective=params["objective"],
                                        cost_per_load_unit_km=params["cost_per_truck_km"] / cap,
                                        kg_co2e_per_load_unit_km=factor / cap, load_units=table)
        return rebalance_truckloads(stocks, matrix, truck_capacity_units=cap, objective=params["objective"],
                                    cost_per_truck_km=params["cost_per_truck_km"], kg_co2e_per_truck_km=factor,
                                    load_units=table, time_limit_s=params["time_limit_s"])

    try:
        plan, matrix_name, warnings = inputs.with_matrix(run)
    except RoutingError as err:
        raise DomainError(err.field, err.message) from err
    transfers, moved = _transfers(plan, depots, table.load_units({asset_type: 1}), cap, factor)
    rows = [{"depot": d, "name": sites[d].name, "clean_stock": stock[d], "target": targets[d],
             "planned_stock": stock[d] + moved[d], "issues_last_8_weeks": sum(issues[d]),
             "mean_daily_issues": round(sum(issues[d]) / HISTORY_DAYS, 3)} for d in depots]
    result = {
        "asset_type": asset_type, "mode": params["mode"], "objective": plan.objective,
        "objective_value": plan.objective_value, "status": plan.status, "proven_optimal": plan.proven_optimal,
        "demand_window": {"from": (as_of - timedelta(days=HISTORY_DAYS)).isoformat(), "until": as_of.isoformat()},
        "depots": rows, "transfers": transfers,
        "shortages": [{"depot": s.depot_id, "asset_type": s.asset_type, "target": s.target, "planned": s.planned,
                       "shortfall": s.shortfall} for s in plan.shortages],
        "totals": {"stock": sum(stock.values()), "target": sum(targets.values()),
                   "moved": sum(t["quantity"] for t in transfers), "truckloads": sum(t["truckloads"] for t in transfers),
                   "truck_km": round(sum(t["truckloads"] * t["distance_km"] for t in transfers), 3),
                   "kg_co2e": round(sum(t["kg_co2e"] for t in transfers), 3)},
        "matrix": matrix_name, "warnings": warnings,
        "emission_factor": {params["truck_class"]: inputs.truck_factors()[params["truck_class"]]},
    }
    if not transfers:
        result["message"] = ("every depot holds its target already" if not plan.shortages
                             else "stock is short everywhere; nothing to move")
    return result, {}


def _transfers(plan, depots: list[str], unit: float, cap: float, factor: float) -> tuple[list[dict], dict[str, int]]:
    """The plan's transfers as the result lists them (truckloads, km, kg CO2e), and the net
    number of assets each depot gains (negative: gives away)."""
    trips = {(a, b): n for a, b, n in plan.truck_trips}
    transfers, moved = [], {d: 0 for d in depots}
    for t in sorted(plan.transfers, key=lambda t: (t.from_depot_id, t.to_depot_id)):
        loads = trips.get((t.from_depot_id, t.to_depot_id)) or math.ceil(t.quantity * unit / cap - 1e-9)
        transfers.append({"from": t.from_depot_id, "to": t.to_depot_id, "asset_type": t.asset_type,
                          "quantity": t.quantity, "load_units": round(t.quantity * unit, 3),
                          "distance_km": round(t.distance_km, 3), "truckloads": loads,
                          "kg_co2e": round(loads * t.distance_km * factor, 3)})
        moved[t.from_depot_id] -= t.quantity
        moved[t.to_depot_id] += t.quantity
    return transfers, moved
