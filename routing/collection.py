"""Collection planning: return pickups (+ optional clean deliveries) on shared tours.

Pipeline: validate ids and windows -> build or check the travel matrix ->
lower to integers (metres, seconds, milli-load-units) -> set aside requests no
vehicle could ever serve -> search (every remaining request optional with a
prize far above any detour, so serving wins over dropping) -> verify with the
independent checker -> explain every request that is not on a route.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Mapping

from routing.checker import evaluate_route
from routing.core import IndexedClient, IndexedProblem, IndexedVehicleType
from routing.errors import RoutingError
from routing.explain import explain_dropped, prescreen
from routing.loads import MILLI, to_milli
from routing.matrix import GeoPoint, HaversineMatrixProvider, TravelMatrix
from routing.model import (
    CollectionPlan,
    CollectionProblem,
    CollectionRequest,
    Objective,
    Route,
    Stop,
    TimeWindow,
    UnservedReason,
    UnservedRequest,
    Vehicle,
)
from routing.solver import solve_indexed

# Unit costs are scaled to integers per metre: x1000 keeps 0.001/km resolution.
COST_SCALE = 1000


def _check_unique(items, attr: str, field: str) -> None:
    seen = set()
    for i, item in enumerate(items):
        key = getattr(item, attr)
        if key in seen:
            raise RoutingError(f"{field}[{i}].{attr}", f"duplicate id {key!r}")
        seen.add(key)


def _validate(problem: CollectionProblem, objective: Objective, kg_co2e_per_km: Mapping[str, float]) -> None:
    if not problem.vehicles:
        raise RoutingError("vehicles", "no vehicles given")
    if not problem.depots:
        raise RoutingError("depots", "no depots given")
    _check_unique(problem.depots, "depot_id", "depots")
    _check_unique(problem.sites, "site_id", "sites")
    _check_unique(problem.requests, "request_id", "requests")
    _check_unique(problem.vehicles, "vehicle_id", "vehicles")
    depot_ids = {d.depot_id for d in problem.depots}
    site_ids = {s.site_id for s in problem.sites}
    for i, v in enumerate(problem.vehicles):
        for attr in ("start_depot_id", "end_depot_id"):
            if getattr(v, attr) not in depot_ids:
                raise RoutingError(f"vehicles[{i}].{attr}", f"unknown depot id {getattr(v, attr)!r}")
        if objective is Objective.CO2E and v.truck_class not in kg_co2e_per_km:
            raise RoutingError(f"kg_co2e_per_km.{v.truck_class}", "no emission factor for this truck class")
    for i, r in enumerate(problem.requests):
        if r.site_id not in site_ids:
            raise RoutingError(f"requests[{i}].site_id", f"unknown site id {r.site_id!r}")
        problem.load_units.milli_units(r.pickup_assets, f"requests[{i}].pickup_assets")
        problem.load_units.milli_units(r.delivery_assets, f"requests[{i}].delivery_assets")
        if not r.pickup_assets and not r.delivery_assets:
            raise RoutingError(f"requests[{i}]", "request has neither pickups nor deliveries")


def _matrix_for(problem: CollectionProblem, matrix: TravelMatrix | None, provider) -> tuple[TravelMatrix, dict[str, int]]:
    points = [GeoPoint(d.depot_id, d.lat, d.lon) for d in problem.depots]
    points += [GeoPoint(s.site_id, s.lat, s.lon) for s in problem.sites]
    if matrix is None:
        matrix = (provider or HaversineMatrixProvider()).build(points)
    index = matrix.index_of()
    for p in points:
        if p.location_id not in index:
            raise RoutingError("matrix.location_ids", f"matrix has no row for {p.location_id!r}")
    return matrix, index


def _window(request, site_windows: dict) -> TimeWindow | None:
    """Intersect the request's window with the site's opening hours; None means empty."""
    lo, hi = 0, 2**62
    for w in (request.time_window, site_windows.get(request.site_id)):
        if w is not None:
            lo, hi = max(lo, w.start_s), min(hi, w.end_s)
    return TimeWindow(lo, hi) if lo <= hi else None


def plan_collections(
    problem: CollectionProblem,
    *,
    objective: Objective | str = Objective.DISTANCE,
    kg_co2e_per_km: Mapping[str, float] | None = None,
    matrix: TravelMatrix | None = None,
    matrix_provider=None,
    time_limit_s: float = 5.0,
    seed: int = 0,
    engine: str = "auto",
    max_iterations: int | None = None,
) -> CollectionPlan:
    """Plan collection tours.  ``max_iterations`` makes the result reproducible for a seed."""
    try:
        objective = Objective(objective)
    except ValueError:
        raise RoutingError("objective", f"unknown objective {objective!r}; use distance, cost or co2e") from None
    factors = dict(kg_co2e_per_km or {})
    _validate(problem, objective, factors)
    matrix, index = _matrix_for(problem, matrix, matrix_provider)
    n = len(matrix.location_ids)
    dist_m = tuple(tuple(round(matrix.distance_km[i][j] * 1000) for j in range(n)) for i in range(n))
    dur_s = tuple(tuple(round(matrix.duration_s[i][j]) for j in range(n)) for i in range(n))
    vtypes = tuple(_vehicle_type(v, objective, factors, index) for v in problem.vehicles)
    clients, client_req, unserved = _screen_requests(problem, IndexedProblem(dist_m, dur_s, (), vtypes), index)
    indexed = IndexedProblem(dist_m, dur_s, _optional_with_prize(clients, dist_m, vtypes), vtypes)
    solution = solve_indexed(indexed, time_limit_s, seed, engine, max_iterations)

    routes, served = [], set()
    for ir in solution.routes:
        routes.append(_route_output(problem, indexed, ir, client_req, matrix, index, factors))
        served.update(ir.clients)
    for ci, r in enumerate(client_req):
        if ci not in served:
            unserved.append(UnservedRequest(r.request_id, *explain_dropped(indexed, ci, solution.routes)))
    co2 = [rt.kg_co2e for rt in routes]
    return CollectionPlan(
        routes=tuple(routes),
        unserved=tuple(unserved),
        objective=objective,
        engine=solution.engine,
        feasible=solution.feasible,
        total_distance_km=round(sum(rt.distance_km for rt in routes), 3),
        total_cost=round(sum(rt.cost for rt in routes), 2),
        total_kg_co2e=None if any(c is None for c in co2) else round(sum(co2), 3),
    )


def _vehicle_type(v: Vehicle, objective: Objective, factors: Mapping[str, float], index: dict[str, int]) -> IndexedVehicleType:
    unit = {Objective.DISTANCE: COST_SCALE, Objective.COST: round(v.cost_per_km * COST_SCALE),
            Objective.CO2E: round(factors.get(v.truck_class, 0.0) * COST_SCALE)}[objective]
    fixed = round(v.fixed_cost * COST_SCALE * 1000) if objective is Objective.COST else 0
    return IndexedVehicleType(1, to_milli(v.capacity_units), index[v.start_depot_id], index[v.end_depot_id],
                              v.shift.start_s, v.shift.end_s, unit, fixed)


def _screen_requests(
    problem: CollectionProblem, base: IndexedProblem, index: dict[str, int]
) -> tuple[list[IndexedClient], list[CollectionRequest], list[UnservedRequest]]:
    """(clients, their requests, unserved): set aside requests no vehicle could ever serve."""
    site_windows = {s.site_id: s.opening_hours for s in problem.sites}
    unserved: list[UnservedRequest] = []
    clients, client_req = [], []
    for r in problem.requests:
        w = _window(r, site_windows)
        if w is None:
            unserved.append(UnservedRequest(r.request_id, UnservedReason.WINDOW_UNREACHABLE_WITHIN_SHIFTS,
                                            "requested window does not overlap the site's opening hours"))
            continue
        c = IndexedClient(index[r.site_id], problem.load_units.milli_units(r.pickup_assets),
                          problem.load_units.milli_units(r.delivery_assets), r.service_duration_s, w.start_s, w.end_s)
        why = prescreen(base, c)
        if why:
            unserved.append(UnservedRequest(r.request_id, *why))
            continue
        clients.append(c)
        client_req.append(r)
    return clients, client_req, unserved


def _optional_with_prize(
    clients: list[IndexedClient], dist_m: tuple[tuple[int, ...], ...], vtypes: tuple[IndexedVehicleType, ...]
) -> tuple[IndexedClient, ...]:
    """Every client made optional, with a prize above the worst detour plus opening a vehicle,
    so that serving always pays."""
    max_leg = max((max(row) for row in dist_m), default=0)
    worst = max(vt.unit_distance_cost * 2 * max_leg + vt.fixed_cost for vt in vtypes)
    prize = 2 * worst + 1
    return tuple(IndexedClient(c.location, c.pickup, c.delivery, c.service_duration, c.tw_early, c.tw_late, False, prize)
                 for c in clients)


def _route_output(problem, indexed, ir, client_req, matrix, index, factors) -> Route:
    v = problem.vehicles[ir.vehicle_type]
    ev = evaluate_route(indexed, ir)
    start = problem.plan_start

    def at(seconds: int):
        return start + timedelta(seconds=seconds) if start else None

    stops, prev, km = [], index[v.start_depot_id], 0.0
    for st in ev.stops:
        req = client_req[st.client]
        loc = index[req.site_id]
        km += matrix.distance_km[prev][loc]
        prev = loc
        stops.append(Stop(req.request_id, req.site_id, st.arrival, st.service_start, st.departure,
                          st.load_after / MILLI, req.pickup_assets, req.delivery_assets, at(st.arrival)))
    km += matrix.distance_km[prev][index[v.end_depot_id]]
    factor = factors.get(v.truck_class)
    return Route(v.vehicle_id, v.truck_class, v.start_depot_id, v.end_depot_id, ev.start_time, ev.end_time,
                 ev.start_load / MILLI, tuple(stops), round(km, 3), ev.end_time - ev.start_time,
                 round(km * v.cost_per_km + v.fixed_cost, 2), None if factor is None else round(km * factor, 3),
                 at(ev.end_time))
