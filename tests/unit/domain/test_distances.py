"""A trip's km and the planner's km are one number for the same coordinates."""
from __future__ import annotations

import math
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from app.domain.geo import road_km
from app.domain.lifecycle import SitePoint
from app.domain.trips import Trip, TripLeg
from routing.collection import plan_collections
from routing.geo import EARTH_RADIUS_KM, ROAD_CIRCUITY, haversine_km
from routing.matrix import GeoPoint, HaversineMatrixProvider
from routing.model import CollectionProblem, CollectionRequest, Depot, Site, TimeWindow, Vehicle

ROOT = Path(__file__).resolve().parents[3]
AT = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM

PAIRS = {
    "cologne-duesseldorf": ((50.9413, 6.9583), (51.2200, 6.7942)),
    "identical": ((51.43, 6.76), (51.43, 6.76)),
    "near-identical": ((51.43, 6.76), (51.43 + 1e-9, 6.76 - 1e-9)),
    "antipodal on the equator": ((0.0, 0.0), (0.0, 180.0)),
    "antipodal poles": ((90.0, 0.0), (-90.0, 0.0)),
    "antipodal": ((30.3333, -162.5887), (-30.3333, 17.4113)),
    "near-antipodal": ((52.52, 13.405), (-52.52 + 1e-9, -166.595)),
    "across the date line": ((-17.7, 178.9), (-18.1, -179.8)),
}


def trip_between(a: SitePoint, b: SitePoint) -> Trip:
    """Issued at `a`, delivered at `b`, returned to `a`."""
    return Trip(1, AT, a, (TripLeg("c", b, AT),)).close(AT, a, "completed")


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_trip_and_planner_matrix_give_the_same_km(name):
    (lat1, lon1), (lat2, lon2) = PAIRS[name]
    depot, site = SitePoint("a", "depot", lat1, lon1), SitePoint("b", "customer", lat2, lon2, "c")
    matrix = HaversineMatrixProvider().build([GeoPoint("a", lat1, lon1), GeoPoint("b", lat2, lon2)])
    trip = trip_between(depot, site)
    assert trip.outbound_km == matrix.distance_km[0][1] == road_km(depot, site)
    assert trip.return_km == matrix.distance_km[1][0] == road_km(site, depot)
    assert 0 <= trip.outbound_km <= round(HALF_CIRCUMFERENCE_KM * ROAD_CIRCUITY, 3)


def test_antipodal_points_are_half_the_circumference_and_near_identical_points_almost_zero():
    for (lat1, lon1), (lat2, lon2) in (PAIRS["antipodal on the equator"], PAIRS["antipodal poles"],
                                       PAIRS["antipodal"]):
        assert haversine_km(lat1, lon1, lat2, lon2) == pytest.approx(HALF_CIRCUMFERENCE_KM, abs=1e-6)
    (lat1, lon1), (lat2, lon2) = PAIRS["near-identical"]
    assert 0 < haversine_km(lat1, lon1, lat2, lon2) < 1e-3
    assert road_km(SitePoint("a", "depot", lat1, lon1), SitePoint("b", "depot", lat2, lon2)) == 0.0  # under a metre


def test_a_planned_route_and_the_trip_along_it_have_the_same_km():
    depot = Depot("D", 51.43, 6.76)
    sites = (Site("S1", 51.03, 6.98), Site("S2", 51.48, 7.22))
    requests = tuple(CollectionRequest(f"R{i}", s.site_id, {"crate": 10}, {}, None, 300) for i, s in enumerate(sites))
    vehicle = Vehicle("V", 10.0, "D", "D", TimeWindow(0, 10 * 3600), 1.0, "rigid")
    plan = plan_collections(CollectionProblem((depot,), sites, requests, (vehicle,)), time_limit_s=1,
                            max_iterations=200, engine="ortools")
    (route,) = plan.routes
    points = {"D": SitePoint("D", "depot", depot.lat, depot.lon)}
    points.update({s.site_id: SitePoint(s.site_id, "customer", s.lat, s.lon, "c") for s in sites})
    order = [points[stop.site_id] for stop in route.stops]
    trip = Trip(1, AT, points["D"], tuple(TripLeg("c", p, AT) for p in order)).close(AT, points["D"], "completed")
    assert route.distance_km == round(trip.outbound_km + trip.transfer_km + trip.return_km, 3) > 0


def test_distance_module_loads_only_the_standard_library():
    """app/domain takes its distances from routing.geo: that import must stay stdlib-only."""
    code = ("import sys\n"
            "before = set(sys.modules)\n"
            "import routing.geo\n"
            "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
            "print(','.join(sorted(new - set(sys.stdlib_module_names) - {'routing'})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
