"""Great-circle distance with a road circuity factor (pure)."""
from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0088
# Road distance is longer than the great circle. 1.3 is the usual European average
# detour index for regional freight (Boscoe et al. 2012 report 1.2-1.4 by country);
# a router replaces this estimate where the planning module has real road data.
ROAD_CIRCUITY = 1.3


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    a = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(a))


def road_km(a, b) -> float:
    """Estimated road distance between two points with `lat`/`lon` attributes."""
    if a is None or b is None:
        return 0.0
    return round(haversine_km(a.lat, a.lon, b.lat, b.lon) * ROAD_CIRCUITY, 3)
