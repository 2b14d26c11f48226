"""Distance and travel-time matrices.

The default provider needs no network: great-circle (haversine) distance
multiplied by a circuity factor, driven at a constant average speed.
A circuity factor of 1.3 is the usual road-network detour ratio reported for
European road freight (road distance / straight-line distance is typically
1.2-1.4); 60 km/h is a plausible mixed urban/rural average for a collection
truck including junctions.  Both are parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from routing.errors import RoutingError
from routing.geo import EARTH_RADIUS_KM, ROAD_CIRCUITY, haversine_km, road_km

DEFAULT_CIRCUITY_FACTOR = ROAD_CIRCUITY
DEFAULT_SPEED_KMH = 60.0


@dataclass(frozen=True)
class GeoPoint:
    """A named location. ``location_id`` is the depot or site id."""

    location_id: str
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0) or not math.isfinite(self.lat):
            raise RoutingError(f"{self.location_id}.lat", f"latitude {self.lat} outside [-90, 90]")
        if not (-180.0 <= self.lon <= 180.0) or not math.isfinite(self.lon):
            raise RoutingError(f"{self.location_id}.lon", f"longitude {self.lon} outside [-180, 180]")


@dataclass(frozen=True)
class TravelMatrix:
    """Square matrices over ``location_ids``: road km and driving seconds."""

    location_ids: tuple[str, ...]
    distance_km: tuple[tuple[float, ...], ...]
    duration_s: tuple[tuple[float, ...], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "location_ids", tuple(self.location_ids))
        object.__setattr__(self, "distance_km", _as_square(self.distance_km, "distance_km", len(self.location_ids)))
        object.__setattr__(self, "duration_s", _as_square(self.duration_s, "duration_s", len(self.location_ids)))
        if len(set(self.location_ids)) != len(self.location_ids):
            raise RoutingError("location_ids", "duplicate location ids in matrix")

    def index_of(self) -> dict[str, int]:
        return {loc: i for i, loc in enumerate(self.location_ids)}


def _as_square(rows: Sequence[Sequence[float]], field: str, size: int) -> tuple[tuple[float, ...], ...]:
    """Validate a matrix: non-empty, square, of the expected size, finite and non-negative."""
    if rows is None or len(rows) == 0:
        raise RoutingError(field, "matrix is empty")
    out = []
    for i, row in enumerate(rows):
        if row is None or len(row) != len(rows):
            got = "missing" if row is None else len(row)
            raise RoutingError(field, f"matrix is not square: row {i} has {got} entries, expected {len(rows)}")
        vals = []
        for j, v in enumerate(row):
            if v is None or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise RoutingError(field, f"entry [{i}][{j}] = {v!r} is not a finite non-negative number")
            vals.append(float(v))
        out.append(tuple(vals))
    if size and len(out) != size:
        raise RoutingError(field, f"matrix has {len(out)} rows but there are {size} location ids")
    return tuple(out)


@dataclass(frozen=True)
class HaversineMatrixProvider:
    """Offline estimate: straight-line km x circuity factor, at a constant speed."""

    circuity_factor: float = DEFAULT_CIRCUITY_FACTOR
    speed_kmh: float = DEFAULT_SPEED_KMH

    def __post_init__(self) -> None:
        if not self.circuity_factor >= 1.0:
            raise RoutingError("circuity_factor", "must be >= 1 (roads are never shorter than the straight line)")
        if not self.speed_kmh > 0:
            raise RoutingError("speed_kmh", "must be > 0")

    def build(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        if not points:
            raise RoutingError("points", "no locations given")
        dist = []
        for a in points:
            # road_km, as for a trip's km, so a planned route and the trip it becomes agree
            dist.append(tuple(road_km(a.lat, a.lon, b.lat, b.lon, self.circuity_factor) for b in points))
        dur = tuple(tuple(d / self.speed_kmh * 3600.0 for d in row) for row in dist)
        return TravelMatrix(tuple(p.location_id for p in points), tuple(dist), dur)


__all__ = ["DEFAULT_CIRCUITY_FACTOR", "DEFAULT_SPEED_KMH", "EARTH_RADIUS_KM", "GeoPoint", "HaversineMatrixProvider",
           "TravelMatrix", "haversine_km"]
