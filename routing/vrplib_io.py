"""Readers for CVRPLIB (.vrp / .sol) and Solomon VRPTW instances.

Rounding conventions (they decide what "cost" means):
* CVRPLIB X, EUC_2D: each edge is the Euclidean distance rounded to the
  nearest integer (TSPLIB ``nint``); the cost is the integer sum.
* Solomon: the .sol files here follow Kohl et al. (1999): each edge distance
  (and travel time) is truncated to one decimal.  We work in integer tenths,
  floor(10 * d), and report cost / 10 with one decimal.  Checked: the BKS
  routes of C101, RC101, R101, R205 reproduce the .sol costs exactly under
  this convention and not under plain rounding.
Customer ids are the file's node numbers with the depot as 0, as in .sol files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from routing.core import INT_INF, IndexedClient, IndexedProblem, IndexedVehicleType
from routing.errors import RoutingError

# Vehicles-first objective for Solomon: one vehicle costs more than any
# plausible total distance (in tenths), so fewer routes always wins.
SOLOMON_VEHICLE_COST = 1_000_000


@dataclass(frozen=True)
class Instance:
    name: str
    kind: str  # "cvrp" or "vrptw"
    problem: IndexedProblem
    cost_scale: int  # 1 for CVRPLIB, 10 for Solomon (integer tenths)
    max_vehicles: int | None


@dataclass(frozen=True)
class KnownSolution:
    routes: tuple[tuple[int, ...], ...]
    cost: float


def read_instance(path: str | Path, vehicles_first: bool = True) -> Instance:
    """``vehicles_first`` (Solomon only): minimise routes, then distance; else distance only."""
    path = Path(path)
    if not path.is_file():
        raise RoutingError("file", f"no such file: {path}")
    text = path.read_text()
    if "NODE_COORD_SECTION" in text:
        return _read_cvrplib(path.stem, text)
    if "CUST NO." in text.upper() or "CUSTOMER" in text.upper():
        return _read_solomon(path.stem, text, vehicles_first)
    raise RoutingError("file", f"{path.name} is neither a CVRPLIB nor a Solomon instance")


def _read_cvrplib(name: str, text: str) -> Instance:
    header: dict[str, str] = {}
    coords: dict[int, tuple[float, float]] = {}
    demand: dict[int, int] = {}
    depots: list[int] = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.endswith("SECTION"):
            section = line
            continue
        if line == "EOF":
            break
        if section is None and ":" in line:
            key, value = line.split(":", 1)
            header[key.strip().upper()] = value.strip()
            continue
        parts = line.split()
        if section == "NODE_COORD_SECTION":
            coords[int(parts[0])] = (float(parts[1]), float(parts[2]))
        elif section == "DEMAND_SECTION":
            demand[int(parts[0])] = int(parts[1])
        elif section == "DEPOT_SECTION" and int(parts[0]) > 0:
            depots.append(int(parts[0]))
    if header.get("EDGE_WEIGHT_TYPE", "EUC_2D") != "EUC_2D":
        raise RoutingError("EDGE_WEIGHT_TYPE", f"only EUC_2D is supported, got {header['EDGE_WEIGHT_TYPE']}")
    if "CAPACITY" not in header:
        raise RoutingError("CAPACITY", "missing")
    capacity = int(header["CAPACITY"])
    ids = sorted(coords)
    depot = depots[0] if depots else ids[0]
    order = [depot] + [i for i in ids if i != depot]  # location 0 = depot, then customers 1..n-1
    pts = [coords[i] for i in order]
    dist = tuple(tuple(int(math.floor(math.hypot(a[0] - b[0], a[1] - b[1]) + 0.5)) for b in pts) for a in pts)
    clients = tuple(IndexedClient(location=k, delivery=demand.get(i, 0)) for k, i in enumerate(order) if k > 0)
    for k, c in enumerate(clients, start=1):
        if c.delivery > capacity:
            raise RoutingError(f"DEMAND_SECTION[{order[k]}]", f"demand {c.delivery} exceeds capacity {capacity}")
    # CVRPLIB X leaves the fleet unbounded: one vehicle per customer is a safe upper bound.
    vt = IndexedVehicleType(count=len(clients), capacity=capacity, start_location=0, end_location=0)
    problem = IndexedProblem(dist, dist, clients, (vt,), (0,), tuple(pts))
    return Instance(name, "cvrp", problem, 1, None)


def _read_solomon(name: str, text: str, vehicles_first: bool) -> Instance:
    lines = [ln.split() for ln in text.splitlines()]
    n_veh = capacity = None
    rows = []
    for i, parts in enumerate(lines):
        if parts[:2] == ["NUMBER", "CAPACITY"]:
            n_veh, capacity = int(lines[i + 1][0]), int(lines[i + 1][1])
        if len(parts) == 7 and all(p.replace(".", "", 1).isdigit() for p in parts):
            rows.append([float(p) for p in parts])
    if n_veh is None or not rows:
        raise RoutingError("file", "Solomon header or customer table not found")
    rows.sort(key=lambda r: r[0])
    pts = [(r[1], r[2]) for r in rows]
    tenths = tuple(tuple(int(math.floor(10 * math.hypot(a[0] - b[0], a[1] - b[1]) + 1e-9)) for b in pts) for a in pts)
    clients = tuple(
        IndexedClient(
            location=k,
            delivery=int(r[3]),
            service_duration=int(round(10 * r[6])),
            tw_early=int(round(10 * r[4])),
            tw_late=int(round(10 * r[5])),
        )
        for k, r in enumerate(rows)
        if k > 0
    )
    depot = rows[0]
    vt = IndexedVehicleType(
        count=n_veh,
        capacity=capacity,
        start_location=0,
        end_location=0,
        tw_early=int(round(10 * depot[4])),
        tw_late=int(round(10 * depot[5])) if depot[5] > 0 else INT_INF,
        fixed_cost=SOLOMON_VEHICLE_COST if vehicles_first else 0,
    )
    problem = IndexedProblem(tenths, tenths, clients, (vt,), (0,), tuple(pts))
    return Instance(name, "vrptw", problem, 10, n_veh)


def read_solution(path: str | Path) -> KnownSolution:
    routes = []
    cost = math.nan
    for line in Path(path).read_text().splitlines():
        if line.lower().startswith("route"):
            routes.append(tuple(int(x) for x in line.split(":", 1)[1].split()))
        elif line.lower().startswith("cost"):
            cost = float(line.split()[1])
    return KnownSolution(tuple(routes), cost)
