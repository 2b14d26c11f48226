import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from routing.errors import RoutingError
from routing.loads import LoadUnitTable
from routing.matrix import GeoPoint, HaversineMatrixProvider, TravelMatrix
from routing.rebalance import DepotStock, effective_targets, forecast_target, imbalances, rebalance_continuous
from routing.truckload import rebalance_truckloads

ASSETS = ("crate", "folded_ibc", "pallet_box")
PER_UNIT_KM = 1.5 / 33


def random_instance(n, seed, hi_target=300):
    rng = random.Random(seed)
    pts = [GeoPoint(f"D{i}", rng.uniform(45, 54), rng.uniform(0, 15)) for i in range(n)]
    depots = [DepotStock(p.location_id, {a: rng.randint(0, 300) for a in ASSETS},
                         {a: rng.randint(0, hi_target) for a in ASSETS}) for p in pts]
    return depots, HaversineMatrixProvider().build(pts)


def lp_value(depots, matrix):
    total = 0.0
    for a in ASSETS:
        lu = LoadUnitTable().load_units({a: 1})
        src, snk, _ = imbalances(depots, a)
        if not src or not snk:
            continue
        c = np.array([[matrix.distance_km[i][j] * lu * PER_UNIT_KM for j, _ in snk] for i, _ in src]).ravel()
        a_ub = np.kron(np.eye(len(src)), np.ones(len(snk)))
        a_eq = np.tile(np.eye(len(snk)), len(src))
        res = linprog(c, A_ub=a_ub, b_ub=[s for _, s in src], A_eq=a_eq, b_eq=[d for _, d in snk], method="highs")
        assert res.status == 0
        total += res.fun
    return total


def test_forecast_target_formula():
    hist = [10, 12, 8, 10, 10]
    std = np.std(hist, ddof=1)
    assert forecast_target(hist, 7, z=1.645) == math.ceil(10 * 7 + 1.645 * std * math.sqrt(7))
    assert forecast_target([5, 5, 5], 4) == 20
    assert forecast_target([], 7) == 0
    with pytest.raises(RoutingError):
        forecast_target([1, -2], 7)
    with pytest.raises(RoutingError):
        forecast_target([1], 0)


@pytest.mark.parametrize("seed", range(4))
def test_continuous_plan_equals_lp_optimum(seed):
    depots, matrix = random_instance(25, seed, hi_target=300 + 100 * (seed % 2))
    plan = rebalance_continuous(depots, matrix, cost_per_load_unit_km=PER_UNIT_KM)
    assert plan.proven_optimal
    assert plan.objective_value == pytest.approx(lp_value(depots, matrix), rel=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 8).flatmap(lambda n: st.tuples(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=n, max_size=n),
    st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1)), min_size=n, max_size=n))))
def test_continuous_matches_lp_property(data):
    stocks, coords = data
    pts = [GeoPoint(f"D{i}", 50 + y, 8 + x) for i, (x, y) in enumerate(coords)]
    matrix = HaversineMatrixProvider().build(pts)
    depots = [DepotStock(p.location_id, {"crate": s}, {"crate": t}) for p, (s, t) in zip(pts, stocks)]
    plan = rebalance_continuous(depots, matrix, cost_per_load_unit_km=PER_UNIT_KM)
    assert plan.objective_value == pytest.approx(lp_value(depots, matrix), rel=1e-6, abs=1e-6)
    final = {d.depot_id: d.clean_stock["crate"] for d in depots}
    for t in plan.transfers:
        final[t.from_depot_id] -= t.quantity
        final[t.to_depot_id] += t.quantity
    eff, _ = effective_targets(depots, "crate")
    short = sum(t for _, t in stocks) > sum(s for s, _ in stocks)
    for d in depots:
        assert final[d.depot_id] >= 0
        if short:
            assert final[d.depot_id] == eff[d.depot_id]
        else:
            assert final[d.depot_id] >= d.target["crate"]


def test_shortage_shared_in_proportion_and_reported():
    m = TravelMatrix(("A", "B", "C"), [[0, 10, 20], [10, 0, 10], [20, 10, 0]], [[0] * 3] * 3)
    depots = [DepotStock("A", {"crate": 60}, {"crate": 0}), DepotStock("B", {"crate": 0}, {"crate": 50}),
              DepotStock("C", {"crate": 0}, {"crate": 100})]
    plan = rebalance_continuous(depots, m)
    got = {t.to_depot_id: t.quantity for t in plan.transfers}
    assert got == {"B": 20, "C": 40}  # 60 of 150 wanted -> 40% fill rate for both
    assert {(s.depot_id, s.shortfall) for s in plan.shortages} == {("B", 30), ("C", 60)}


def test_truckload_status_and_feasibility():
    depots, matrix = random_instance(12, 5)
    plan = rebalance_truckloads(depots, matrix, truck_capacity_units=33, cost_per_truck_km=1.5, time_limit_s=10)
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    assert plan.proven_optimal == (plan.status == "OPTIMAL")
    lu = LoadUnitTable()
    loads = {}
    for t in plan.transfers:
        loads[t.from_depot_id, t.to_depot_id] = loads.get((t.from_depot_id, t.to_depot_id), 0) + t.quantity * lu.load_units({t.asset_type: 1})
    trips = {(a, b): n for a, b, n in plan.truck_trips}
    for lane, load in loads.items():
        assert load <= 33 * trips[lane] + 1e-9
    # Whole trucks never beat the pro-rata continuous optimum.
    cont = rebalance_continuous(depots, matrix, cost_per_load_unit_km=1.5 / 33)
    assert plan.objective_value >= cont.objective_value - 1e-6


def test_truckload_small_known_optimum():
    # One truck from A carries everything B needs; going to C would cost more.
    m = TravelMatrix(("A", "B", "C"), [[0, 10, 30], [10, 0, 25], [30, 25, 0]], [[0] * 3] * 3)
    depots = [DepotStock("A", {"crate": 100}, {"crate": 0}), DepotStock("B", {"crate": 0}, {"crate": 80}),
              DepotStock("C", {"crate": 100}, {"crate": 0})]
    plan = rebalance_truckloads(depots, m, truck_capacity_units=33, cost_per_truck_km=2.0, time_limit_s=5)
    assert plan.status == "OPTIMAL" and plan.proven_optimal
    assert plan.truck_trips == (("A", "B", 1),)
    assert plan.objective_value == pytest.approx(20.0)


def test_rebalance_bad_inputs():
    m = TravelMatrix(("A",), [[0]], [[0]])
    with pytest.raises(RoutingError) as err:
        rebalance_continuous([DepotStock("Z", {"crate": 1}, {})], m)
    assert err.value.field == "depots[0].depot_id"
    with pytest.raises(RoutingError):
        rebalance_continuous([], m)
    with pytest.raises(RoutingError):
        DepotStock("A", {"crate": -1}, {})
    with pytest.raises(RoutingError) as err:
        rebalance_truckloads([DepotStock("A", {"crate": 1}, {})], m, objective="time")
    assert err.value.field == "objective"
