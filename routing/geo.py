"""Great-circle and estimated road distances: the project's one implementation (pure).

Trips (app/domain/geo.py) and the planner's offline matrix (routing/matrix.py) both
call these functions, so a trip's km and a planned route's km are the same number for
the same two points. The code lives here, not in app/domain, because `routing` is a
top-level library that must not depend on the service: importing anything under app/
runs app/__init__.py, which imports Flask. The dependency goes the other way: the
domain imports this stdlib-only module (routing/__init__.py loads its solvers lazily,
so importing `routing.geo` loads nothing but the standard library).
"""
from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius
# Road distance is longer than the great circle. 1.3 is the usual European average
# detour index for regional freight (Boscoe et al. 2012 report 1.2-1.4 by country);
# a router (OSRM) replaces this estimate where real road data is configured.
ROAD_CIRCUITY = 1.3
# Road km are kept to the metre: finer digits are noise in an estimate, and a sum of
# legs rounded the same way gives the same total wherever it is computed.
KM_DECIMALS = 3


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    # Rounding can push `a` a hair above 1 for (near-)antipodal points, where asin
    # would raise: clamp to half the circumference instead.
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def road_km(lat1: float, lon1: float, lat2: float, lon2: float, circuity_factor: float = ROAD_CIRCUITY) -> float:
    """Estimated road km: great circle x circuity factor, rounded to the metre."""
    return round(haversine_km(lat1, lon1, lat2, lon2) * circuity_factor, KM_DECIMALS)
