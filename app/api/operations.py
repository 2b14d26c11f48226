from __future__ import annotations

from ..auth import current, requires
from ..schemas.api import AnomalyPageSchema, AnomalyQuerySchema, AnomalySchema, KpiSchema, ResolveSchema
from ..services import kpis, queries
from .blueprint import ApiBlueprint

blp = ApiBlueprint("operations", __name__, description="Fleet KPIs and anomalies")


@blp.route("/kpis")
@blp.response(200, KpiSchema)
@requires("admin", "depot")
def get_kpis():
    """Cycles per asset per year, cycle and dwell times, loss and return rates, assets by state."""
    return kpis.fleet_kpis()


@blp.route("/anomalies")
@blp.arguments(AnomalyQuerySchema, location="query")
@blp.response(200, AnomalyPageSchema)
@requires("admin", "depot")
def get_anomalies(args):
    """Scans the state machine did not expect, waiting for review."""
    items, cursor = queries.list_anomalies(args["include_resolved"], args["limit"], args.get("cursor"))
    return {"items": items, "next_cursor": cursor}


@blp.route("/anomalies/<int:anomaly_id>/resolve", methods=["POST"])
@blp.arguments(ResolveSchema)
@blp.response(200, AnomalySchema)
@requires("admin")
def resolve(body, anomaly_id):
    return queries.resolve_anomaly(anomaly_id, current().user_id, body["note"])
