"""PyVRP (iterated local search) as the search engine for problems it models.

PyVRP covers everything ``IndexedProblem`` expresses: several depots,
heterogeneous vehicle types with shifts, time windows, simultaneous pickup
and delivery, and optional clients with prizes.  On the CVRPLIB X benchmark
it finds far better tours in a 10 s budget than OR-Tools' routing library
(see docs/benchmarks/routing.md), so it is the default search engine; its
output is always re-checked by ``routing.checker``.
"""

from __future__ import annotations

from routing.core import INT_INF, IndexedProblem, IndexedRoute

ENGINE_NAME = "pyvrp"


def is_available() -> bool:
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        return False
    return True


def _clip(value: int) -> int:
    # PyVRP's own "unbounded" is int64 max; our INT_INF is lower, keep it so.
    return min(value, INT_INF)


def solve(problem: IndexedProblem, time_limit_s: float, seed: int, max_iterations: int | None = None) -> tuple[IndexedRoute, ...]:
    import numpy as np
    import pyvrp
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    depot_locs = sorted({vt.start_location for vt in problem.vehicle_types} | {vt.end_location for vt in problem.vehicle_types})
    depot_index = {loc: i for i, loc in enumerate(depot_locs)}
    coords = problem.coords or tuple((0.0, 0.0) for _ in range(problem.num_locations))
    locations = [pyvrp.Location(x, y) for x, y in coords]
    depots = [pyvrp.Depot(location=loc) for loc in depot_locs]
    clients = [
        pyvrp.Client(
            location=c.location,
            delivery=[c.delivery],
            pickup=[c.pickup],
            service_duration=c.service_duration,
            tw_early=c.tw_early,
            tw_late=_clip(c.tw_late),
            prize=c.prize,
            required=c.required,
        )
        for c in problem.clients
    ]
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=vt.count,
            capacity=[vt.capacity],
            start_depot=depot_index[vt.start_location],
            end_depot=depot_index[vt.end_location],
            fixed_cost=vt.fixed_cost,
            tw_early=vt.tw_early,
            tw_late=_clip(vt.tw_late),
            unit_distance_cost=vt.unit_distance_cost,
        )
        for vt in problem.vehicle_types
    ]
    dist = np.asarray(problem.distance, dtype=np.int64)
    dur = np.asarray(problem.duration, dtype=np.int64)
    data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, [dist], [dur])
    stop = MaxRuntime(time_limit_s)
    if max_iterations is not None:
        # An iteration budget makes the run reproducible regardless of machine speed.
        stop = MultipleCriteria([MaxIterations(max_iterations), stop])
    # Prizes of optional clients are large; PyVRP's default penalty ceiling
    # (1e5 per unit of excess load or lateness) would then rather keep an
    # overloaded route than drop a client.  Lift the ceiling above any prize.
    max_prize = max((c.prize for c in problem.clients), default=0)
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=max(100_000.0, 10.0 * max_prize)))
    result = pyvrp.solve(data, stop, seed=seed, collect_stats=False, display=False, params=params)
    routes = []
    for r in result.best.routes():
        visits = tuple(a.idx for a in r if a.is_client())
        if visits:
            routes.append(IndexedRoute(r.vehicle_type(), visits))
    return tuple(routes)
