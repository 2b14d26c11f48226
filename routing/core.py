"""Integer problem representation shared by the search engines and the checker.

Both engines (PyVRP and OR-Tools) work on integers, so every domain problem
(collection plans, CVRPLIB/Solomon instances) is first lowered to this form:
distances in integer units (metres for real plans), durations in integer
seconds, loads in integer milli-load-units.  Keeping one form means one
feasibility checker verifies whatever any engine returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INT_INF = 2**62  # "unbounded" that still leaves head-room for int64 sums


@dataclass(frozen=True)
class IndexedClient:
    location: int
    pickup: int = 0
    delivery: int = 0
    service_duration: int = 0
    tw_early: int = 0
    tw_late: int = INT_INF
    required: bool = True
    prize: int = 0


@dataclass(frozen=True)
class IndexedVehicleType:
    count: int
    capacity: int
    start_location: int
    end_location: int
    tw_early: int = 0
    tw_late: int = INT_INF
    unit_distance_cost: int = 1
    fixed_cost: int = 0


@dataclass(frozen=True)
class IndexedProblem:
    """Locations 0..n-1 with integer matrices; depots are locations used by vehicles."""

    distance: tuple[tuple[int, ...], ...]
    duration: tuple[tuple[int, ...], ...]
    clients: tuple[IndexedClient, ...]
    vehicle_types: tuple[IndexedVehicleType, ...]
    depot_locations: tuple[int, ...] = ()
    # Optional planar coordinates per location; engines may use them for neighbourhoods.
    coords: tuple[tuple[float, float], ...] = ()

    @property
    def num_locations(self) -> int:
        return len(self.distance)


@dataclass(frozen=True)
class IndexedRoute:
    vehicle_type: int
    clients: tuple[int, ...]  # indices into IndexedProblem.clients, in visiting order


@dataclass(frozen=True)
class IndexedSolution:
    routes: tuple[IndexedRoute, ...]
    engine: str
    objective: int  # routing cost incl. fixed costs, excluding prizes
    feasible: bool
    violations: tuple[str, ...] = field(default=())
