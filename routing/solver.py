"""Engine dispatch: search with the best available engine, verify, fall back.

``auto`` searches with PyVRP when it is installed (it wins clearly on solution
quality at equal time, see docs/benchmarks/routing.md).  Whatever it returns is
re-checked by ``routing.checker``; if a plan fails the check, or PyVRP is not
installed, the OR-Tools model solves it, warm-started from any PyVRP routes.
"""

from __future__ import annotations

from routing import checker, engine_ortools, engine_pyvrp
from routing.core import IndexedProblem, IndexedRoute, IndexedSolution
from routing.errors import RoutingError

ENGINES = ("auto", "pyvrp", "ortools")


def solve_indexed(
    problem: IndexedProblem,
    time_limit_s: float,
    seed: int = 0,
    engine: str = "auto",
    max_iterations: int | None = None,
) -> IndexedSolution:
    if engine not in ENGINES:
        raise RoutingError("engine", f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if not time_limit_s > 0:
        raise RoutingError("time_limit_s", "must be > 0")
    if not problem.vehicle_types or all(vt.count <= 0 for vt in problem.vehicle_types):
        raise RoutingError("vehicles", "no vehicles available")
    if not problem.clients:
        return IndexedSolution((), engine if engine != "auto" else "none", 0, True)

    routes: tuple[IndexedRoute, ...] = ()
    if engine in ("auto", "pyvrp"):
        if not engine_pyvrp.is_available():
            if engine == "pyvrp":
                raise RoutingError("engine", "pyvrp is not installed")
        else:
            routes = engine_pyvrp.solve(problem, time_limit_s, seed, max_iterations)
            objective, violations = checker.check_solution(problem, routes)
            if not violations or engine == "pyvrp":
                return IndexedSolution(routes, "pyvrp", objective, not violations, violations)
    used = "ortools" if not routes else "pyvrp+ortools"
    feasible_start = tuple(r for r in routes if not checker.evaluate_route(problem, r).violations)
    routes = engine_ortools.solve(problem, time_limit_s, seed, max_iterations, feasible_start)
    objective, violations = checker.check_solution(problem, routes)
    return IndexedSolution(routes, used, objective, not violations, violations)
