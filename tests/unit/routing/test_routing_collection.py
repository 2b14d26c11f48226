import random
from datetime import datetime, timedelta

import pytest

from routing.collection import plan_collections
from routing.errors import RoutingError
from routing.loads import LoadUnitTable
from routing.matrix import TravelMatrix
from routing.model import (
    CollectionProblem,
    CollectionRequest,
    Depot,
    Site,
    TimeWindow,
    UnservedReason,
    Vehicle,
)
from tests.helpers.routes import brute_force_optimum

ENGINES = ["pyvrp", "ortools"]
DAY = TimeWindow(0, 10 * 3600)
UNIT = LoadUnitTable({"box": 1.0, "crate": 0.025})


def grid_problem(n_sites, seed, capacity=4.0, n_vehicles=3, windows=False, deliveries=False):
    rng = random.Random(seed)
    depot = Depot("D", 50.0, 8.0)
    sites = tuple(Site(f"S{i}", 50.0 + rng.uniform(-0.3, 0.3), 8.0 + rng.uniform(-0.4, 0.4)) for i in range(n_sites))
    reqs = []
    for i in range(n_sites):
        tw = None
        if windows:
            start = rng.randrange(0, 6 * 3600, 900)
            tw = TimeWindow(start, start + 2 * 3600)
        reqs.append(CollectionRequest(f"R{i}", f"S{i}", {"box": rng.randint(1, 2)},
                                      {"box": rng.randint(0, 2)} if deliveries else {}, tw, 300))
    vehicles = tuple(Vehicle(f"V{k}", capacity, "D", "D", DAY, 1.0, "rigid") for k in range(n_vehicles))
    return CollectionProblem((depot,), sites, tuple(reqs), vehicles, UNIT)


def brute_force_km(problem, matrix):
    """Optimal total km for pickup-only requests without windows (all permutations x all splits)."""
    idx = matrix.index_of()
    cap = problem.vehicles[0].capacity_units
    reqs = problem.requests

    def km(route):
        seq = ["D"] + [reqs[r].site_id for r in route] + ["D"]
        return sum(matrix.distance_km[idx[a]][idx[b]] for a, b in zip(seq, seq[1:]))

    return brute_force_optimum(range(len(reqs)), route_cost=km, max_routes=len(problem.vehicles),
                               route_ok=lambda route: sum(sum(reqs[r].pickup_assets.values()) for r in route) <= cap)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", [1, 2])
def test_matches_brute_force_optimum(engine, seed):
    from routing.matrix import HaversineMatrixProvider, GeoPoint

    problem = grid_problem(6, seed, capacity=4.0, n_vehicles=3)
    pts = [GeoPoint("D", 50.0, 8.0)] + [GeoPoint(s.site_id, s.lat, s.lon) for s in problem.sites]
    matrix = HaversineMatrixProvider().build(pts)
    plan = plan_collections(problem, matrix=matrix, time_limit_s=2, seed=0, engine=engine, max_iterations=3000)
    assert plan.feasible and not plan.unserved
    assert plan.total_distance_km == pytest.approx(brute_force_km(problem, matrix), abs=0.01)


@pytest.mark.parametrize("engine", ENGINES)
def test_time_windows_and_shifts_respected(engine):
    problem = grid_problem(15, 7, capacity=10.0, n_vehicles=4, windows=True)
    plan = plan_collections(problem, time_limit_s=1, engine=engine, max_iterations=2000)
    assert plan.feasible
    windows = {r.request_id: r.time_window for r in problem.requests}
    served = 0
    for route in plan.routes:
        assert route.start_s >= DAY.start_s and route.end_s <= DAY.end_s
        for stop in route.stops:
            w = windows[stop.request_id]
            assert w.start_s <= stop.service_start_s <= w.end_s
            assert stop.arrival_s <= stop.service_start_s
            served += 1
    assert served + len(plan.unserved) == 15
    assert all(u.reason is not UnservedReason.LEFT_OUT_BY_SEARCH for u in plan.unserved)


@pytest.mark.parametrize("engine", ENGINES)
def test_pickup_and_delivery_capacity_holds_at_every_point(engine):
    problem = grid_problem(12, 3, capacity=5.0, n_vehicles=6, deliveries=True)
    plan = plan_collections(problem, time_limit_s=1, engine=engine, max_iterations=2000)
    assert plan.feasible and not plan.unserved
    for route in plan.routes:
        delivered = sum(s.delivered_assets.get("box", 0) for s in route.stops)
        assert route.start_load_units == delivered <= 5.0
        load = route.start_load_units
        for stop in route.stops:
            load += stop.picked_up_assets.get("box", 0) - stop.delivered_assets.get("box", 0)
            assert stop.load_after_units == pytest.approx(load)
            assert load <= 5.0 + 1e-9


def test_order_matters_for_simultaneous_pickup_delivery():
    # Capacity 2: deliver 2 at A (truck leaves full), then pick 2 at A and 1 at B is fine only
    # if B's pickup comes after A has unloaded; B before A would overflow.
    depot = Depot("D", 0.0, 0.0)
    sites = (Site("A", 0.0, 0.1), Site("B", 0.0, 0.2))
    reqs = (CollectionRequest("RA", "A", {"box": 1}, {"box": 2}), CollectionRequest("RB", "B", {"box": 1}))
    problem = CollectionProblem((depot,), sites, reqs, (Vehicle("V", 2.0, "D", "D", DAY),), UNIT)
    plan = plan_collections(problem, time_limit_s=1, max_iterations=500)
    assert not plan.unserved
    assert [s.request_id for s in plan.routes[0].stops] == ["RA", "RB"]
    assert [s.load_after_units for s in plan.routes[0].stops] == [1.0, 2.0]


def test_unserved_requests_get_reasons():
    depot = Depot("D", 50.0, 8.0)
    sites = tuple(Site(f"S{i}", 50.0 + 0.01 * i, 8.0) for i in range(4)) + (
        Site("FAR", 50.0, 8.0, opening_hours=TimeWindow(50 * 3600, 51 * 3600)),
    )
    reqs = (
        CollectionRequest("TOO_BIG", "S0", {"box": 9}),
        CollectionRequest("CLOSED", "FAR", {"box": 1}),
        CollectionRequest("NO_OVERLAP", "S1", {"box": 1}, time_window=TimeWindow(0, 10)),
        CollectionRequest("A", "S2", {"box": 2}),
        CollectionRequest("B", "S3", {"box": 2}),
        CollectionRequest("C", "S3", {"box": 2}),
    )
    problem = CollectionProblem(
        (depot,), sites, reqs, (Vehicle("V", 4.0, "D", "D", DAY),), UNIT
    )
    sites_nooverlap = tuple(s if s.site_id != "S1" else Site("S1", s.lat, s.lon, TimeWindow(3600, 7200)) for s in sites)
    problem = CollectionProblem((depot,), sites_nooverlap, reqs, problem.vehicles, UNIT)
    plan = plan_collections(problem, time_limit_s=1, max_iterations=500)
    reasons = {u.request_id: u.reason for u in plan.unserved}
    assert reasons["TOO_BIG"] is UnservedReason.LARGER_THAN_ANY_VEHICLE
    assert reasons["CLOSED"] is UnservedReason.WINDOW_UNREACHABLE_WITHIN_SHIFTS
    assert reasons["NO_OVERLAP"] is UnservedReason.WINDOW_UNREACHABLE_WITHIN_SHIFTS
    # Three requests of 2 units, one 4-unit truck: exactly one is left for lack of fleet.
    assert list(reasons.values()).count(UnservedReason.NOT_ENOUGH_FLEET) == 1
    assert all(u.detail for u in plan.unserved)
    assert sum(len(r.stops) for r in plan.routes) == 2


def test_multi_depot_cost_and_co2e_outputs():
    depots = (Depot("D1", 50.0, 8.0), Depot("D2", 51.0, 9.0))
    sites = (Site("S1", 50.05, 8.05), Site("S2", 50.95, 8.95))
    reqs = (CollectionRequest("R1", "S1", {"crate": 40}), CollectionRequest("R2", "S2", {"crate": 40}))
    vehicles = (Vehicle("V1", 2.0, "D1", "D1", DAY, 2.0, "rigid"), Vehicle("V2", 2.0, "D2", "D2", DAY, 1.0, "artic"))
    start = datetime(2026, 3, 2, 6, 0)
    problem = CollectionProblem(depots, sites, reqs, vehicles, UNIT, plan_start=start)
    plan = plan_collections(problem, objective="co2e", kg_co2e_per_km={"rigid": 0.5, "artic": 1.0},
                            time_limit_s=1, max_iterations=500)
    by_vehicle = {r.vehicle_id: r for r in plan.routes}
    assert [s.request_id for s in by_vehicle["V1"].stops] == ["R1"]
    assert [s.request_id for s in by_vehicle["V2"].stops] == ["R2"]
    r1 = by_vehicle["V1"]
    assert r1.kg_co2e == pytest.approx(0.5 * r1.distance_km, abs=1e-3)
    assert r1.cost == pytest.approx(2.0 * r1.distance_km, abs=0.01)
    assert r1.stops[0].eta == start + timedelta(seconds=r1.stops[0].arrival_s)
    assert plan.total_kg_co2e == pytest.approx(sum(r.kg_co2e for r in plan.routes), abs=1e-3)


def test_deterministic_for_seed_and_iteration_budget():
    problem = grid_problem(25, 11, capacity=6.0, n_vehicles=6, windows=True, deliveries=True)
    a = plan_collections(problem, time_limit_s=5, seed=3, max_iterations=1500)
    b = plan_collections(problem, time_limit_s=5, seed=3, max_iterations=1500)
    assert a == b


def _base():
    return grid_problem(3, 1)


@pytest.mark.parametrize(
    "mutate,field",
    [
        (lambda p: CollectionProblem(p.depots, p.sites, p.requests, (), p.load_units), "vehicles"),
        (lambda p: CollectionProblem(p.depots, p.sites, p.requests + (CollectionRequest("X", "NOPE", {"box": 1}),),
                                     p.vehicles, p.load_units), "requests[3].site_id"),
        (lambda p: CollectionProblem(p.depots, p.sites, (CollectionRequest("X", "S0", {"pallet": 1}),), p.vehicles,
                                     p.load_units), "requests[0].pickup_assets.pallet"),
        (lambda p: CollectionProblem(p.depots, p.sites, p.requests,
                                     (Vehicle("V", 1.0, "NOPE", "D", DAY),), p.load_units), "vehicles[0].start_depot_id"),
    ],
    ids=["no-vehicles", "unknown-site", "unknown-asset", "unknown-depot"],
)
def test_bad_inputs_raise_routing_error(mutate, field):
    with pytest.raises(RoutingError) as err:
        plan_collections(mutate(_base()), time_limit_s=1)
    assert err.value.field == field
    assert isinstance(err.value, ValueError)


def test_window_ending_before_start_and_missing_factor():
    with pytest.raises(RoutingError, match="before it starts"):
        TimeWindow(100, 50)
    with pytest.raises(RoutingError) as err:
        plan_collections(_base(), objective="co2e", kg_co2e_per_km={}, time_limit_s=1)
    assert err.value.field == "kg_co2e_per_km.rigid"
    with pytest.raises(RoutingError) as err:
        plan_collections(_base(), objective="speed", time_limit_s=1)
    assert err.value.field == "objective"


def test_matrix_missing_a_site_is_reported():
    p = _base()
    m = TravelMatrix(("D", "S0"), [[0, 1], [1, 0]], [[0, 60], [60, 0]])
    with pytest.raises(RoutingError) as err:
        plan_collections(p, matrix=m, time_limit_s=1)
    assert err.value.field == "matrix.location_ids"
