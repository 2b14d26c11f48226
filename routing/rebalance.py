"""Rebalancing clean empties between depots ("collect far away, reuse locally").

Targets come from forecast demand (``forecast_target``).  Each depot with
more clean stock than its target is a source, each one below is a sink; we
ship from sources to sinks at minimum transport cost or CO2e.

Continuous (unit-level) plan: per asset type a transportation problem solved
exactly by OR-Tools SimpleMinCostFlow (network simplex on integers; supplies
are integers, so the LP optimum is integral and this *is* the LP optimum).
A part-load is charged pro rata: cost per asset-km = load units of the asset
x cost per load-unit-km (a truck's cost per km / its capacity in load units).

When an asset type's total stock is below its total target, the shortage is
shared in proportion to targets: every depot ends at the same fill rate
(largest-remainder rounding, ties by depot id), and the uncovered amount per
depot is reported instead of being pushed silently onto whichever depot is
most expensive to reach.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Sequence

from routing.errors import RoutingError
from routing.loads import LoadUnitTable
from routing.matrix import TravelMatrix

# Integer costs for the network simplex: 1e-6 currency (or kg) resolution.
COST_SCALE = 1_000_000


def forecast_target(daily_issues: Sequence[float], horizon_days: int, z: float = 1.645) -> int:
    """Clean stock to hold for the next ``horizon_days``.

    mean daily issues x horizon + z x sample std x sqrt(horizon): expected
    demand plus safety stock for independent daily demand; z = 1.645 covers
    95% of horizons under a normal approximation.  Rounded up to whole assets.
    """
    if horizon_days <= 0:
        raise RoutingError("horizon_days", "must be > 0")
    if z < 0:
        raise RoutingError("z", "must be >= 0")
    if not daily_issues:
        return 0
    if any((not math.isfinite(x)) or x < 0 for x in daily_issues):
        raise RoutingError("daily_issues", "issues must be finite and non-negative")
    mean = statistics.fmean(daily_issues)
    std = statistics.stdev(daily_issues) if len(daily_issues) > 1 else 0.0
    return math.ceil(mean * horizon_days + z * std * math.sqrt(horizon_days) - 1e-9)


@dataclass(frozen=True)
class DepotStock:
    depot_id: str
    clean_stock: Mapping[str, int]
    target: Mapping[str, int]

    def __post_init__(self) -> None:
        for name in ("clean_stock", "target"):
            counts = dict(getattr(self, name))
            for asset, n in counts.items():
                if not isinstance(n, int) or n < 0:
                    raise RoutingError(f"{self.depot_id}.{name}.{asset}", f"must be a non-negative integer, got {n!r}")
            object.__setattr__(self, name, MappingProxyType(counts))


@dataclass(frozen=True)
class Transfer:
    from_depot_id: str
    to_depot_id: str
    asset_type: str
    quantity: int
    distance_km: float


@dataclass(frozen=True)
class Shortage:
    depot_id: str
    asset_type: str
    target: int
    planned: int  # stock the depot will hold after transfers

    @property
    def shortfall(self) -> int:
        return self.target - self.planned


@dataclass(frozen=True)
class RebalancePlan:
    transfers: tuple[Transfer, ...]
    shortages: tuple[Shortage, ...]
    objective: str
    objective_value: float  # currency or kg CO2e
    status: str  # solver status, e.g. OPTIMAL / FEASIBLE
    proven_optimal: bool
    truck_trips: tuple[tuple[str, str, int], ...] = ()  # (from, to, trips) for truckload plans


def effective_targets(depots: Sequence[DepotStock], asset: str) -> tuple[dict[str, int], list[Shortage]]:
    """Targets after sharing any shortage in proportion to the original targets."""
    stock = sum(d.clean_stock.get(asset, 0) for d in depots)
    want = {d.depot_id: d.target.get(asset, 0) for d in depots}
    total = sum(want.values())
    if total <= stock:
        return want, []
    quota = {k: v * stock / total for k, v in want.items()}
    eff = {k: math.floor(q) for k, q in quota.items()}
    left = stock - sum(eff.values())
    for k in sorted(quota, key=lambda k: (-(quota[k] - eff[k]), k))[:left]:
        eff[k] += 1
    shortages = [Shortage(k, asset, want[k], eff[k]) for k in sorted(want) if eff[k] < want[k]]
    return eff, shortages


def validate_inputs(depots: Sequence[DepotStock], matrix: TravelMatrix) -> dict[str, int]:
    if not depots:
        raise RoutingError("depots", "no depots given")
    index = matrix.index_of()
    seen = set()
    for i, d in enumerate(depots):
        if d.depot_id in seen:
            raise RoutingError(f"depots[{i}].depot_id", f"duplicate id {d.depot_id!r}")
        seen.add(d.depot_id)
        if d.depot_id not in index:
            raise RoutingError(f"depots[{i}].depot_id", f"unknown depot id {d.depot_id!r} (not in matrix)")
    return index


def imbalances(depots: Sequence[DepotStock], asset: str):
    """(sources, sinks, shortages): lists of (depot position, amount)."""
    eff, shortages = effective_targets(depots, asset)
    sources, sinks = [], []
    for i, d in enumerate(depots):
        delta = d.clean_stock.get(asset, 0) - eff[d.depot_id]
        if delta > 0:
            sources.append((i, delta))
        elif delta < 0:
            sinks.append((i, -delta))
    return sources, sinks, shortages


def rebalance_continuous(
    depots: Sequence[DepotStock],
    matrix: TravelMatrix,
    *,
    objective: str = "cost",
    cost_per_load_unit_km: float = 1.5 / 33,
    kg_co2e_per_load_unit_km: float = 0.9 / 33,
    load_units: LoadUnitTable = LoadUnitTable(),
) -> RebalancePlan:
    """Unit-level transfer plan at the LP optimum (defaults: 1.5/km, 0.9 kg/km, 33 ppe truck)."""
    import numpy as np
    from ortools.graph.python import min_cost_flow

    if objective not in ("cost", "co2e"):
        raise RoutingError("objective", f"unknown objective {objective!r}; use cost or co2e")
    index = validate_inputs(depots, matrix)
    per_unit_km = cost_per_load_unit_km if objective == "cost" else kg_co2e_per_load_unit_km
    assets = sorted({a for d in depots for a in (*d.clean_stock, *d.target)})
    dist_km = np.asarray(matrix.distance_km, dtype=float)
    pos = np.array([index[d.depot_id] for d in depots], dtype=np.int64)
    transfers, shortages, total = [], [], 0.0
    for asset in assets:
        lu = load_units.load_units({asset: 1}, f"asset_types.{asset}")
        sources, sinks, short = imbalances(depots, asset)
        shortages.extend(short)
        if not sources or not sinks:
            continue
        n_src = len(sources)
        tails = np.repeat(np.arange(n_src, dtype=np.int32), len(sinks))
        heads = np.tile(np.arange(n_src, n_src + len(sinks), dtype=np.int32), n_src)
        src_pos = pos[[i for i, _ in sources]]
        sink_pos = pos[[j for j, _ in sinks]]
        km = dist_km[np.ix_(src_pos, sink_pos)].ravel()
        unit_cost = np.rint(km * lu * per_unit_km * COST_SCALE).astype(np.int64)
        caps = np.minimum.outer(np.array([s for _, s in sources]), np.array([s for _, s in sinks])).ravel().astype(np.int64)
        flow = min_cost_flow.SimpleMinCostFlow()
        arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, unit_cost)
        supplies = np.array([s for _, s in sources] + [-s for _, s in sinks], dtype=np.int64)
        flow.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
        status = flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min cost flow failed with status {status}")
        flows = flow.flows(arcs)
        for a in np.nonzero(flows)[0]:
            i, j = sources[a // len(sinks)][0], sinks[a % len(sinks)][0]
            transfers.append(Transfer(depots[i].depot_id, depots[j].depot_id, asset, int(flows[a]), float(km[a])))
            total += int(flows[a]) * km[a] * lu * per_unit_km
    return RebalancePlan(tuple(transfers), tuple(shortages), objective, round(float(total), 6), "OPTIMAL", True)
