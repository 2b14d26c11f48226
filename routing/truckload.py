"""Whole-truckload rebalancing with CP-SAT.

A truck trip between two depots costs the same whether it carries one crate
or a full load, so the unit-level plan can be far from what a dispatcher
books.  Here every lane (source depot -> sink depot) gets an integer number of
trips; assets of all types share each truck's capacity (in milli-load-units).
Sinks receive exactly their (shortage-adjusted) need, sources ship at most
their surplus.  The solver's status says whether the plan is proven optimal
(OPTIMAL) or only the best found within the time limit (FEASIBLE).

``max_lanes_per_sink`` keeps only the nearest sources of each sink (plus
the lanes the unit-level optimum uses, so a plan always exists), which keeps
large instances tractable; optimality is then proven within those lanes.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

from ortools.sat.python import cp_model

from routing.errors import RoutingError
from routing.loads import LoadUnitTable, to_milli
from routing.matrix import TravelMatrix
from routing.rebalance import (
    COST_SCALE,
    DepotStock,
    RebalancePlan,
    Transfer,
    imbalances,
    rebalance_continuous,
    validate_inputs,
)

Key = tuple[int, int, str]  # (source depot index, sink depot index, asset type)


def rebalance_truckloads(
    depots: Sequence[DepotStock],
    matrix: TravelMatrix,
    *,
    truck_capacity_units: float = 33.0,
    objective: str = "cost",
    cost_per_truck_km: float = 1.5,
    cost_per_trip: float = 0.0,
    kg_co2e_per_truck_km: float = 0.9,
    load_units: LoadUnitTable = LoadUnitTable(),
    time_limit_s: float = 10.0,
    seed: int = 0,
    num_workers: int = 1,
    max_lanes_per_sink: int | None = None,
) -> RebalancePlan:
    _check_options(objective, truck_capacity_units, time_limit_s)
    index = validate_inputs(depots, matrix)
    cap = to_milli(truck_capacity_units)
    assets, size = _asset_sizes(depots, load_units, cap)

    def km(i: int, j: int) -> float:
        return matrix.distance_km[index[depots[i].depot_id]][index[depots[j].depot_id]]

    # The unit-level optimum (pro-rata truck cost) is always a feasible plan:
    # its lanes are kept even when lanes are thinned, so the model can never
    # become infeasible, and it seeds CP-SAT as a hint (trips = ceil(load/cap)).
    per_km = cost_per_truck_km if objective == "cost" else kg_co2e_per_truck_km
    relaxed = rebalance_continuous(depots, matrix, objective="cost", cost_per_load_unit_km=per_km / truck_capacity_units,
                                   load_units=load_units)
    pos = {d.depot_id: i for i, d in enumerate(depots)}
    hint = {(pos[t.from_depot_id], pos[t.to_depot_id], t.asset_type): t.quantity for t in relaxed.transfers}

    model = cp_model.CpModel()
    flows, upper, shortages = _add_flows(model, depots, assets, km, hint, max_lanes_per_sink)
    lanes = _lanes(flows, upper)
    per_trip_cost = cost_per_trip if objective == "cost" else 0.0
    trips, cost_terms = _add_trips(model, lanes, size, cap, lambda i, j: km(i, j) * per_km + per_trip_cost)
    for key, v in flows.items():
        model.AddHint(v, hint.get(key, 0))
    for (i, j), t in trips.items():
        model.AddHint(t, math.ceil(sum(size[a] * hint.get((i, j, a), 0) for a, _, _ in lanes[i, j]) / cap))
    model.Minimize(sum(cost_terms))
    solver, status = _solve(model, time_limit_s, seed, num_workers)
    transfers = [Transfer(depots[i].depot_id, depots[j].depot_id, a, solver.Value(v), km(i, j))
                 for (i, j, a), v in flows.items() if solver.Value(v) > 0]
    trip_list = tuple((depots[i].depot_id, depots[j].depot_id, solver.Value(t)) for (i, j), t in trips.items() if solver.Value(t) > 0)
    return RebalancePlan(tuple(transfers), tuple(shortages), objective, round(solver.ObjectiveValue() / COST_SCALE, 6),
                         solver.StatusName(status), status == cp_model.OPTIMAL, trip_list)


def _check_options(objective: str, truck_capacity_units: float, time_limit_s: float) -> None:
    if objective not in ("cost", "co2e"):
        raise RoutingError("objective", f"unknown objective {objective!r}; use cost or co2e")
    if not truck_capacity_units > 0:
        raise RoutingError("truck_capacity_units", "must be > 0")
    if not time_limit_s > 0:
        raise RoutingError("time_limit_s", "must be > 0")


def _asset_sizes(depots: Sequence[DepotStock], load_units: LoadUnitTable, cap: int) -> tuple[list[str], dict[str, int]]:
    """(asset types in sorted order, milli-load-units of one asset of each)."""
    assets = sorted({a for d in depots for a in (*d.clean_stock, *d.target)})
    size = {a: load_units.milli_units({a: 1}, f"asset_types.{a}") for a in assets}
    for a in assets:
        if size[a] > cap:
            raise RoutingError(f"asset_types.{a}", "one asset is larger than the truck")
    return assets, size


def _solve(model: cp_model.CpModel, time_limit_s: float, seed: int, num_workers: int) -> tuple[cp_model.CpSolver, int]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = num_workers
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # The hinted plan is feasible, so this can only be a time-out before CP-SAT read it.
        raise RuntimeError(f"CP-SAT found no truckload plan within {time_limit_s}s (status {solver.StatusName(status)})")
    return solver, status


def _add_flows(model: cp_model.CpModel, depots: Sequence[DepotStock], assets: list[str], km: Callable[[int, int], float],
               hint: dict[Key, int], max_lanes_per_sink: int | None):
    """One integer flow per kept lane and asset type; sinks get exactly their need, sources ship at most their surplus.

    Returns (flows, their upper bounds, shortages).
    """
    flows: dict[Key, cp_model.IntVar] = {}
    upper: dict[Key, int] = {}
    shortages, src_of, sink_of = [], {}, {}
    for a in assets:
        sources, sinks, short = imbalances(depots, a)
        shortages.extend(short)
        for j, need in sinks:
            cands = sorted(sources, key=lambda s: (km(s[0], j), s[0]))
            if max_lanes_per_sink:
                cands = cands[:max_lanes_per_sink]
            cands += [s for s in sources if (s[0], j, a) in hint and s not in cands]
            for i, have in cands:
                upper[i, j, a] = min(have, need)
                flows[i, j, a] = model.NewIntVar(0, upper[i, j, a], f"x_{i}_{j}_{a}")
            sink_of.setdefault((j, a), need)
        for i, have in sources:
            src_of[i, a] = have
    for (j, a), need in sink_of.items():
        model.Add(sum(v for (i, jj, aa), v in flows.items() if jj == j and aa == a) == need)
    out: dict[tuple[int, str], list] = {}
    for (i, j, a), v in flows.items():
        out.setdefault((i, a), []).append(v)
    for (i, a), vs in out.items():
        model.Add(sum(vs) <= src_of[i, a])
    return flows, upper, shortages


def _lanes(flows: dict[Key, cp_model.IntVar], upper: dict[Key, int]) -> dict[tuple[int, int], list]:
    """(source, sink) -> [(asset type, flow, its upper bound)], in flow order."""
    lanes: dict[tuple[int, int], list] = {}
    for (i, j, a), v in flows.items():
        lanes.setdefault((i, j), []).append((a, v, upper[i, j, a]))
    return lanes


def _add_trips(model: cp_model.CpModel, lanes: dict[tuple[int, int], list], size: dict[str, int], cap: int,
               trip_cost: Callable[[int, int], float]):
    """Whole trucks per lane carrying the lane's flows; returns (trips, objective terms)."""
    trips, cost_terms = {}, []
    for (i, j), items in lanes.items():
        ub = math.ceil(sum(size[a] * hi for a, _, hi in items) / cap)
        t = model.NewIntVar(0, ub, f"trips_{i}_{j}")
        model.Add(sum(size[a] * v for a, v, _ in items) <= cap * t)
        trips[i, j] = t
        cost_terms.append(round(trip_cost(i, j) * COST_SCALE) * t)
    return trips, cost_terms
