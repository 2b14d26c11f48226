"""Input and output dataclasses of collection planning (all frozen).

Times are integer seconds since the plan start (``plan_start`` turns them into
datetimes in the output).  Asset counts are per asset type; their space on
the truck comes from a ``LoadUnitTable``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Mapping

from routing.errors import RoutingError
from routing.loads import LoadUnitTable


def _frozen_counts(obj: object, name: str) -> None:
    object.__setattr__(obj, name, MappingProxyType(dict(getattr(obj, name))))


@dataclass(frozen=True)
class TimeWindow:
    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        if self.end_s < self.start_s:
            raise RoutingError("time_window", f"window ends ({self.end_s}) before it starts ({self.start_s})")


@dataclass(frozen=True)
class Depot:
    depot_id: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Site:
    """A customer site; ``opening_hours`` bounds every visit to it."""

    site_id: str
    lat: float
    lon: float
    opening_hours: TimeWindow | None = None


@dataclass(frozen=True)
class CollectionRequest:
    """Empties to collect at a site, optionally clean assets to drop on the same visit."""

    request_id: str
    site_id: str
    pickup_assets: Mapping[str, int]
    delivery_assets: Mapping[str, int] = field(default_factory=dict)
    time_window: TimeWindow | None = None
    service_duration_s: int = 600

    def __post_init__(self) -> None:
        _frozen_counts(self, "pickup_assets")
        _frozen_counts(self, "delivery_assets")
        if self.service_duration_s < 0:
            raise RoutingError(f"{self.request_id}.service_duration_s", "must be >= 0")


@dataclass(frozen=True)
class Vehicle:
    vehicle_id: str
    capacity_units: float  # pallet-place equivalents
    start_depot_id: str
    end_depot_id: str
    shift: TimeWindow
    cost_per_km: float = 1.0
    truck_class: str = "rigid_12t"
    fixed_cost: float = 0.0  # cost of using the vehicle at all (driver day, etc.)

    def __post_init__(self) -> None:
        if not self.capacity_units > 0:
            raise RoutingError(f"{self.vehicle_id}.capacity_units", "must be > 0")
        if self.cost_per_km < 0 or self.fixed_cost < 0:
            raise RoutingError(f"{self.vehicle_id}.cost_per_km", "costs must be >= 0")


class Objective(str, enum.Enum):
    DISTANCE = "distance"
    COST = "cost"
    CO2E = "co2e"


@dataclass(frozen=True)
class CollectionProblem:
    depots: tuple[Depot, ...]
    sites: tuple[Site, ...]
    requests: tuple[CollectionRequest, ...]
    vehicles: tuple[Vehicle, ...]
    load_units: LoadUnitTable = field(default_factory=LoadUnitTable)
    plan_start: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("depots", "sites", "requests", "vehicles"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


class UnservedReason(str, enum.Enum):
    LARGER_THAN_ANY_VEHICLE = "larger_than_any_vehicle"
    WINDOW_UNREACHABLE_WITHIN_SHIFTS = "window_unreachable_within_shifts"
    NOT_ENOUGH_FLEET = "not_enough_fleet"
    LEFT_OUT_BY_SEARCH = "left_out_by_search"


@dataclass(frozen=True)
class Stop:
    request_id: str
    site_id: str
    arrival_s: int
    service_start_s: int
    departure_s: int
    load_after_units: float
    picked_up_assets: Mapping[str, int]
    delivered_assets: Mapping[str, int]
    eta: datetime | None = None


@dataclass(frozen=True)
class Route:
    vehicle_id: str
    truck_class: str
    start_depot_id: str
    end_depot_id: str
    start_s: int
    end_s: int
    start_load_units: float  # clean assets loaded at the depot for delivery
    stops: tuple[Stop, ...]
    distance_km: float
    duration_s: int
    cost: float
    kg_co2e: float | None
    end_eta: datetime | None = None


@dataclass(frozen=True)
class UnservedRequest:
    request_id: str
    reason: UnservedReason
    detail: str


@dataclass(frozen=True)
class CollectionPlan:
    routes: tuple[Route, ...]
    unserved: tuple[UnservedRequest, ...]
    objective: Objective
    engine: str
    feasible: bool  # verdict of routing.checker on the returned routes
    total_distance_km: float
    total_cost: float
    total_kg_co2e: float | None  # None when a used truck class has no emission factor
