"""Collection tours for a day: pending return requests -> routing problem -> plan result.

Times: the plan's clock starts at midnight of the plan date in the first depot's time
zone; vehicle shifts are local times of their start depot, opening hours local times of
each site, and ETAs are reported in the time zone of the route's start depot.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from app.catalog.models import Site
from app.domain.errors import DomainError, NotFound
from app.domain.inputs import zone
from app.domain.return_requests import PENDING, ReturnRequestStatus
from app.pickups.models import ReturnRequest
from app.planning import inputs
from app.platform.db import get_or_404, get_session
from routing import CollectionProblem, CollectionRequest, Depot, RoutingError, TimeWindow, Vehicle, plan_collections
from routing import Site as RSite

SERVICE_DURATION_S = 600  # ten minutes per stop: find the empties, scan, load


def validate(body: dict) -> dict:
    """Check ids and times before any job starts; returns JSON-ready params."""
    depots = body["depots"]
    inputs.check_depots(depots)
    classes = inputs.truck_factors()
    seen, vehicles = set(), []
    for i, v in enumerate(body["vehicles"]):
        if v["id"] in seen:
            raise DomainError(f"vehicles[{i}].id", f"vehicle {v['id']!r} is listed twice")
        seen.add(v["id"])
        end_depot = v.get("end_depot") or v["start_depot"]
        for attr, depot_id in (("start_depot", v["start_depot"]), ("end_depot", end_depot)):
            if depot_id not in depots:
                get_or_404(Site, depot_id, f"vehicles[{i}].{attr}", "depot")
                raise DomainError(f"vehicles[{i}].{attr}", f"{depot_id!r} is not among the plan's depots")
        if v["truck_class"] not in classes:
            raise DomainError(f"vehicles[{i}].truck_class",
                              f"unknown truck class {v['truck_class']!r}; use one of {', '.join(sorted(classes))}")
        if v["shift_end"] <= v["shift_start"]:
            raise DomainError(f"vehicles[{i}].shift_end", "the shift ends before (or when) it starts")
        vehicles.append({**v, "end_depot": end_depot})
    return {"date": body["date"].isoformat(), "depots": depots, "vehicles": vehicles, "objective": body["objective"],
            "time_limit_s": body["time_limit_s"], "include_deliveries": body["include_deliveries"]}


def _iso(dt: datetime, tz) -> str:
    return dt.astimezone(tz).isoformat()


def _opening_window(site: Site, day: date, start: datetime) -> TimeWindow | None | str:
    """The site's hours on `day` in plan seconds; None: unrestricted; "closed" or "invalid"."""
    hours = site.opening_hours
    if not hours:  # no hours recorded: any time
        return None
    span = hours.get(inputs.WEEKDAYS[day.weekday()])
    if not span:
        return "closed"
    tz = zone(site.timezone)
    try:
        opens, closes = (inputs.local_time(day, h, tz) for h in span)
    except (TypeError, ValueError):
        return "invalid"
    if closes <= opens:
        return "invalid"
    return TimeWindow(int((opens - start).total_seconds()), int((closes - start).total_seconds()))


def pending_requests(day_start: datetime, day_end: datetime) -> list[ReturnRequest]:
    return list(get_session().scalars(
        select(ReturnRequest).where(
            ReturnRequest.status.in_(PENDING),
            or_(ReturnRequest.window_start.is_(None),
                (ReturnRequest.window_start < day_end) & (ReturnRequest.window_end > day_start)))
        .order_by(ReturnRequest.id)))


def solve(params: dict, progress=None) -> tuple[dict, dict[int, tuple[ReturnRequestStatus, str | None]]]:
    """Plan the day. Returns the result document and the new status of each request."""
    session = get_session()
    day = date.fromisoformat(params["date"])
    depot_rows = _depots(session, params["depots"])
    tz0 = zone(depot_rows[params["depots"][0]].timezone)
    start = inputs.local_time(day, "00:00", tz0)
    end = inputs.local_time(day, "24:00", tz0)
    requests = pending_requests(start, end)
    sites = {s.id: s for s in session.scalars(select(Site).where(Site.id.in_({r.site_id for r in requests})))}
    result = {"date": params["date"], "timezone": tz0.key, "objective": params["objective"],
              "depots": {d.id: {"name": d.name, "lat": d.lat, "lon": d.lon, "timezone": zone(d.timezone).key}
                         for d in depot_rows.values()},
              "routes": [], "unserved": [], "warnings": [], "emission_factors": inputs.truck_factors()}
    statuses: dict[int, tuple[ReturnRequestStatus, str | None]] = {}
    by_id = {str(r.id): r for r in requests}

    def unserved(req: ReturnRequest, reason: str, detail: str) -> None:
        site = sites.get(req.site_id)
        result["unserved"].append({"request_id": req.id, "site": req.site_id, "site_name": site.name if site else None,
                                   "customer": req.customer_id, "counts": req.counts, "reason": reason, "detail": detail})
        statuses[req.id] = (ReturnRequestStatus.UNSERVED, f"{reason}: {detail}")

    routable, windows, site_hours = _routable(requests, sites, day, start, int((end - start).total_seconds()),
                                              unserved)
    if progress:
        progress(0.15)
    if not requests:
        result["message"] = f"no open return requests whose window overlaps {params['date']}"
    elif not routable:
        result["message"] = f"none of the {len(requests)} open return requests can be collected on {params['date']}"
    if routable:
        table = inputs.load_unit_table()
        plan, matrix_name, warnings = _solve(params, day, start, depot_rows, sites, routable, windows,
                                             site_hours, table)
        result["matrix"] = matrix_name
        result["warnings"] += warnings
        result["engine"], result["feasible"] = plan.engine, plan.feasible
        for route in plan.routes:
            result["routes"].append(_route(route, start, depot_rows, sites, by_id, windows, site_hours, table))
            for stop in route.stops:
                statuses[int(stop.request_id)] = (ReturnRequestStatus.PLANNED, None)
        for u in plan.unserved:
            unserved(by_id[u.request_id], u.reason.value, u.detail)
    if progress:
        progress(0.9)
    result["totals"] = _totals(len(requests), result)
    return result, statuses


def _depots(session, depot_ids: list[str]) -> dict:
    rows = {d.id: d for d in session.scalars(select(Site).where(Site.id.in_(depot_ids)))}
    for i, depot_id in enumerate(depot_ids):
        if depot_id not in rows:
            raise NotFound(f"depots[{i}]", f"unknown depot {depot_id!r}")
    return rows


def _routable(requests: list[ReturnRequest], sites: dict, day: date, start: datetime, day_s: int, unserved):
    """(the requests a truck may serve on `day`, their time windows in seconds from `start`,
    each site's opening hours); the others are passed to `unserved` with the reason."""
    routable, windows, site_hours = [], {}, {}
    for req in requests:
        site = sites[req.site_id]
        hours = _opening_window(site, day, start)
        if hours == "closed":
            unserved(req, "site_closed", f"site {site.id} is closed on {day:%A}s")
            continue
        if hours == "invalid":
            unserved(req, "site_hours_invalid", f"site {site.id} has unreadable opening hours for {day:%A}")
            continue
        if not site.active:
            unserved(req, "site_inactive", f"site {site.id} is inactive")
            continue
        lo, hi = 0, day_s
        if req.window_start is not None:
            lo = max(lo, int((req.window_start - start).total_seconds()))
            hi = min(hi, int((req.window_end - start).total_seconds()))
        windows[req.id] = TimeWindow(lo, hi)
        site_hours[site.id] = hours
        routable.append(req)
    return routable, windows, site_hours


def _totals(request_count: int, result: dict) -> dict:
    routes = result["routes"]
    co2 = [r["kg_co2e"] for r in routes]
    return {
        "requests": request_count, "served": sum(len(r["stops"]) for r in routes),
        "unserved": len(result["unserved"]), "routes": len(routes),
        "distance_km": round(sum(r["distance_km"] for r in routes), 3),
        "cost": round(sum(r["cost"] for r in routes), 2),
        "kg_co2e": None if any(c is None for c in co2) else round(sum(co2), 3),
        "load_units_collected": round(sum(r["load_units_collected"] for r in routes), 3),
    }


def _solve(params, day, start, depot_rows, sites, routable, windows, site_hours, table):
    vehicles = []
    for v in params["vehicles"]:
        tz = zone(depot_rows[v["start_depot"]].timezone)
        shift = TimeWindow(int((inputs.local_time(day, v["shift_start"], tz) - start).total_seconds()),
                           int((inputs.local_time(day, v["shift_end"], tz) - start).total_seconds()))
        vehicles.append(Vehicle(v["id"], v["capacity_units"], v["start_depot"], v["end_depot"], shift,
                                v["cost_per_km"], v["truck_class"], v.get("fixed_cost", 0.0)))
    deliveries = params.get("include_deliveries", False)
    problem = CollectionProblem(
        depots=[Depot(d.id, d.lat, d.lon) for d in depot_rows.values()],
        sites=[RSite(s.id, s.lat, s.lon, site_hours.get(s.id)) for s in sites.values() if s.id in site_hours],
        requests=[CollectionRequest(str(r.id), r.site_id, {t: int(n) for t, n in r.counts.items()},
                                    {t: int(n) for t, n in r.counts.items()} if deliveries else {},
                                    windows[r.id], SERVICE_DURATION_S) for r in routable],
        vehicles=vehicles, load_units=table, plan_start=start)
    try:
        return inputs.with_matrix(lambda provider: plan_collections(
            problem, objective=params["objective"], kg_co2e_per_km=inputs.kg_co2e_per_km(),
            matrix_provider=provider, time_limit_s=params["time_limit_s"], seed=0))
    except RoutingError as err:
        raise DomainError(err.field, err.message) from err


def _route(route, start, depot_rows, sites, by_id, windows, site_hours, table) -> dict:
    tz = zone(depot_rows[route.start_depot_id].timezone)

    def at(seconds: int) -> str:
        return _iso(start + timedelta(seconds=seconds), tz)

    # The search assumes departure at shift start and waiting at a site not yet open;
    # leaving later by the wait at the first stop changes no other time of the tour.
    delay = route.stops[0].service_start_s - route.stops[0].arrival_s if route.stops else 0
    stops = []
    for seq, stop in enumerate(route.stops, start=1):
        req, site = by_id[stop.request_id], sites[stop.site_id]
        window = windows[req.id]
        hours = site_hours.get(site.id)
        lo, hi = (max(window.start_s, hours.start_s), min(window.end_s, hours.end_s)) if hours else \
            (window.start_s, window.end_s)
        stops.append({"seq": seq, "request_id": req.id, "site": site.id, "site_name": site.name,
                      "customer": req.customer_id, "lat": site.lat, "lon": site.lon,
                      "arrival": at(stop.arrival_s + (delay if seq == 1 else 0)),
                      "eta": at(stop.service_start_s), "departure": at(stop.departure_s),
                      "window": {"start": at(lo), "end": at(hi)},
                      "pickup": dict(stop.picked_up_assets), "delivery": dict(stop.delivered_assets),
                      "load_after_units": round(stop.load_after_units, 3)})
    collected = sum(table.load_units(s["pickup"]) for s in stops)
    return {"vehicle": route.vehicle_id, "truck_class": route.truck_class,
            "start_depot": route.start_depot_id, "end_depot": route.end_depot_id,
            "start": at(route.start_s + delay), "end": at(route.end_s), "duration_s": route.duration_s - delay,
            "distance_km": route.distance_km, "cost": route.cost, "kg_co2e": route.kg_co2e,
            "start_load_units": round(route.start_load_units, 3),
            "load_units_collected": round(collected, 3), "stops": stops}
