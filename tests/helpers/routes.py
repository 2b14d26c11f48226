"""Exhaustive search over tiny routing instances: the optimum that solvers are held to."""
from __future__ import annotations

import itertools
from typing import Callable, Sequence

Route = list  # the stops of one vehicle, in visiting order


def splits(order: Sequence[int]):
    """Every way to cut one visiting order into consecutive routes."""
    for cuts in itertools.product((False, True), repeat=len(order) - 1):
        routes, current = [], [order[0]]
        for cut, stop in zip(cuts, order[1:]):
            if cut:
                routes.append(current)
                current = []
            current.append(stop)
        routes.append(current)
        yield routes


def brute_force_optimum(stops: Sequence[int], route_cost: Callable[[Route], float],
                        route_ok: Callable[[Route], bool] = lambda _route: True,
                        max_routes: int | None = None) -> float:
    """Least total `route_cost` over all orders of `stops` and all cuts into feasible routes
    (at most `max_routes` of them). Exponential: for a handful of stops only."""
    best = float("inf")
    for order in itertools.permutations(stops):
        for routes in splits(order):
            if max_routes is not None and len(routes) > max_routes:
                continue
            if all(route_ok(r) for r in routes):
                best = min(best, sum(route_cost(r) for r in routes))
    return best
