"""The exhaustive route search the solver tests compare against."""
from __future__ import annotations

from tests.helpers.routes import brute_force_optimum, splits


def test_splits_are_every_cut_of_the_order():
    assert sorted(splits([1, 2, 3])) == [[[1], [2], [3]], [[1], [2, 3]], [[1, 2], [3]], [[1, 2, 3]]]


def test_optimum_on_a_line_with_capacity_and_vehicle_limits():
    # depot at 0, stops at 1, 2 and 10 on a line; a route costs twice its farthest stop
    where = {1: 1, 2: 2, 3: 10}

    def cost(route):
        return 2 * max(where[s] for s in route)

    assert brute_force_optimum([1, 2, 3], cost) == 20  # one route visits all
    assert brute_force_optimum([1, 2, 3], cost, route_ok=lambda r: len(r) <= 2) == 22  # {2, 3} and {1}
    assert brute_force_optimum([1, 2, 3], cost, route_ok=lambda r: len(r) <= 1) == 26
    assert brute_force_optimum([1, 2, 3], cost, route_ok=lambda r: len(r) <= 1, max_routes=2) == float("inf")
