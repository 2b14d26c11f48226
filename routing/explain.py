"""Why a request is not on any route.

Two checks run before the search, so impossible requests never reach it:
a request larger than every vehicle, and a window no vehicle can reach
(leave the start depot at shift start, arrive in the window, serve, and be
back at the end depot by shift end).  After the search, a dropped request is
tried in every route and every idle vehicle: if it fits nowhere the fleet is
short (capacity or time); if it does fit, the search left it out within its
time limit, which we say rather than hide.
"""

from __future__ import annotations

from routing.checker import evaluate_route
from routing.core import IndexedClient, IndexedProblem, IndexedRoute, IndexedVehicleType
from routing.model import UnservedReason


def fits_alone(problem: IndexedProblem, client: IndexedClient, vt: IndexedVehicleType) -> bool:
    return max(client.pickup, client.delivery) <= vt.capacity


def reachable_alone(problem: IndexedProblem, client: IndexedClient, vt: IndexedVehicleType) -> bool:
    arrival = vt.tw_early + problem.duration[vt.start_location][client.location]
    start = max(arrival, client.tw_early)
    back = start + client.service_duration + problem.duration[client.location][vt.end_location]
    return start <= client.tw_late and back <= vt.tw_late


def prescreen(problem: IndexedProblem, client: IndexedClient) -> tuple[UnservedReason, str] | None:
    """Reason why no vehicle could ever serve this client, or None."""
    vts = [vt for vt in problem.vehicle_types if vt.count > 0]
    big = max(client.pickup, client.delivery)
    if not any(fits_alone(problem, client, vt) for vt in vts):
        largest = max(vt.capacity for vt in vts)
        return UnservedReason.LARGER_THAN_ANY_VEHICLE, f"needs {big / 1000:g} load units, largest vehicle holds {largest / 1000:g}"
    if not any(fits_alone(problem, client, vt) and reachable_alone(problem, client, vt) for vt in vts):
        return (
            UnservedReason.WINDOW_UNREACHABLE_WITHIN_SHIFTS,
            f"no vehicle that fits can reach the window [{client.tw_early}, {client.tw_late}] s and return before its shift ends",
        )
    return None


def explain_dropped(problem: IndexedProblem, client_idx: int, routes: tuple[IndexedRoute, ...]) -> tuple[UnservedReason, str]:
    used = {}
    for r in routes:
        used[r.vehicle_type] = used.get(r.vehicle_type, 0) + 1
        for pos in range(len(r.clients) + 1):
            trial = IndexedRoute(r.vehicle_type, r.clients[:pos] + (client_idx,) + r.clients[pos:])
            if not evaluate_route(problem, trial).violations:
                return UnservedReason.LEFT_OUT_BY_SEARCH, "fits into an existing route; the search did not add it within its time limit"
    for k, vt in enumerate(problem.vehicle_types):
        if used.get(k, 0) < vt.count and not evaluate_route(problem, IndexedRoute(k, (client_idx,))).violations:
            return UnservedReason.LEFT_OUT_BY_SEARCH, "an idle vehicle could serve it; the search did not add it within its time limit"
    return UnservedReason.NOT_ENOUGH_FLEET, "no vehicle has enough remaining capacity or shift time to add this stop"
