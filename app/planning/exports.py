"""Driver exports of a collection plan: CSV (one row per stop) and GeoJSON (RFC 7946)."""
from __future__ import annotations

from app.planning.models import Plan
from app.platform.csv_export import to_csv as csv_text


def _types(result: dict, key: str) -> list[str]:
    return sorted({t for r in result["routes"] for s in r["stops"] for t in s[key]})


def to_csv(plan: Plan) -> str:
    """One row per stop; names typed by people (sites, customers, vehicles) may not start a formula."""
    result = plan.result
    pickups, deliveries = _types(result, "pickup"), _types(result, "delivery")
    header = ["vehicle", "seq", "request_id", "site", "name", "customer", "lat", "lon", "eta", "departure",
              *(f"pickup_{t}" for t in pickups), *(f"delivery_{t}" for t in deliveries), "load_after_units"]
    rows = ([route["vehicle"], s["seq"], s["request_id"], s["site"], s["site_name"], s["customer"],
             s["lat"], s["lon"], s["eta"], s["departure"],
             *(s["pickup"].get(t, 0) for t in pickups), *(s["delivery"].get(t, 0) for t in deliveries),
             s["load_after_units"]]
            for route in result["routes"] for s in route["stops"])
    return csv_text(header, rows)


def to_geojson(plan: Plan) -> dict:
    """A LineString per route (start depot, stops, end depot), a Point per stop and depot.

    Coordinates are [longitude, latitude], as RFC 7946 requires."""
    result = plan.result
    depots = result["depots"]
    features = []
    for depot_id, d in sorted(depots.items()):
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [d["lon"], d["lat"]]},
                         "properties": {"kind": "depot", "depot": depot_id, "name": d["name"]}})
    for route in result["routes"]:
        start, end = depots[route["start_depot"]], depots[route["end_depot"]]
        line = [[start["lon"], start["lat"]], *([s["lon"], s["lat"]] for s in route["stops"]), [end["lon"], end["lat"]]]
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": line},
                         "properties": {"kind": "route", "vehicle": route["vehicle"], "truck_class": route["truck_class"],
                                        "start_depot": route["start_depot"], "end_depot": route["end_depot"],
                                        "start": route["start"], "end": route["end"], "stops": len(route["stops"]),
                                        "distance_km": route["distance_km"], "kg_co2e": route["kg_co2e"]}})
        for s in route["stops"]:
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
                             "properties": {"kind": "stop", "vehicle": route["vehicle"], "seq": s["seq"],
                                            "request_id": s["request_id"], "site": s["site"], "name": s["site_name"],
                                            "customer": s["customer"], "eta": s["eta"], "window": s["window"],
                                            "pickup": s["pickup"], "delivery": s["delivery"],
                                            "load_after_units": s["load_after_units"]}})
    return {"type": "FeatureCollection", "features": features,
            "properties": {"plan_id": plan.id, "date": result["date"], "totals": result.get("totals")}}
