"""Independent feasibility checker and schedule evaluator.

Engines are trusted for search, not for correctness: every route they return
is re-evaluated here.  With simultaneous pickup and delivery the truck leaves
the depot carrying every delivery of the route, and the load after each stop
is load_before - delivery + pickup; capacity must hold at *every* point, not
just at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.core import IndexedProblem, IndexedRoute


@dataclass(frozen=True)
class StopTiming:
    client: int
    arrival: int
    service_start: int
    departure: int
    load_after: int


@dataclass(frozen=True)
class RouteEvaluation:
    stops: tuple[StopTiming, ...]
    start_time: int
    end_time: int
    start_load: int
    distance: int
    cost: int
    violations: tuple[str, ...]


def evaluate_route(problem: IndexedProblem, route: IndexedRoute) -> RouteEvaluation:
    """Forward schedule: leave at shift start, wait when early, never serve late."""
    vt = problem.vehicle_types[route.vehicle_type]
    clients = [problem.clients[c] for c in route.clients]
    violations: list[str] = []
    load = sum(c.delivery for c in clients)
    start_load = load
    if load > vt.capacity:
        violations.append(f"start load {load} exceeds capacity {vt.capacity}")
    t = vt.tw_early
    prev = vt.start_location
    dist = 0
    stops = []
    for idx, c in zip(route.clients, clients):
        arrival = t + problem.duration[prev][c.location]
        dist += problem.distance[prev][c.location]
        start = max(arrival, c.tw_early)
        if start > c.tw_late:
            violations.append(f"client {idx} served at {start} after window end {c.tw_late}")
        load += c.pickup - c.delivery
        if load > vt.capacity:
            violations.append(f"load {load} after client {idx} exceeds capacity {vt.capacity}")
        t = start + c.service_duration
        stops.append(StopTiming(idx, arrival, start, t, load))
        prev = c.location
    end = t + problem.duration[prev][vt.end_location]
    dist += problem.distance[prev][vt.end_location]
    if end > vt.tw_late:
        violations.append(f"route ends at {end} after shift end {vt.tw_late}")
    cost = dist * vt.unit_distance_cost + (vt.fixed_cost if clients else 0)
    return RouteEvaluation(tuple(stops), vt.tw_early, end, start_load, dist, cost, tuple(violations))


def check_solution(problem: IndexedProblem, routes: tuple[IndexedRoute, ...]) -> tuple[int, tuple[str, ...]]:
    """Return (objective, violations) of a set of routes; objective excludes prizes."""
    violations: list[str] = []
    seen: set[int] = set()
    used = [0] * len(problem.vehicle_types)
    objective = 0
    for r in routes:
        if not r.clients:
            continue
        used[r.vehicle_type] += 1
        ev = evaluate_route(problem, r)
        objective += ev.cost
        violations.extend(ev.violations)
        for c in r.clients:
            if c in seen:
                violations.append(f"client {c} visited twice")
            seen.add(c)
    for k, vt in enumerate(problem.vehicle_types):
        if used[k] > vt.count:
            violations.append(f"vehicle type {k} used {used[k]} times, only {vt.count} available")
    for i, c in enumerate(problem.clients):
        if c.required and i not in seen:
            violations.append(f"required client {i} not visited")
    return objective, tuple(violations)
