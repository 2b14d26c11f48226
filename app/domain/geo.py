"""Road distance between two sites of a trip (pure).

The formula is `routing.geo`'s, shared with the planner's offline matrix so a trip's km
and a planned route's km agree; see that module for why it lives there.
"""
from __future__ import annotations

from routing.geo import EARTH_RADIUS_KM, ROAD_CIRCUITY, haversine_km
from routing.geo import road_km as _road_km_between

__all__ = ["EARTH_RADIUS_KM", "ROAD_CIRCUITY", "haversine_km", "road_km"]


def road_km(a, b) -> float:
    """Estimated road distance between two points with `lat`/`lon` attributes."""
    if a is None or b is None:
        return 0.0
    return _road_km_between(a.lat, a.lon, b.lat, b.lon)
