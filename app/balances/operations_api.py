from __future__ import annotations

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.assets import queries
from app.balances import kpis
from app.balances.schemas import KpiSchema
from app.domain.policy import roles_for
from app.scanning.schemas import AnomalyPageSchema, AnomalyQuerySchema, AnomalySchema, ResolveSchema

blp = ApiBlueprint("operations", __name__, description="Fleet KPIs and anomalies")


@blp.route("/kpis")
@blp.response(200, KpiSchema)
@requires(*roles_for("kpi.read"))
def get_kpis():
    """Cycles per asset per year, cycle and dwell times, loss and return rates, assets by state."""
    return kpis.fleet_kpis(current())


@blp.route("/anomalies")
@blp.arguments(AnomalyQuerySchema, location="query")
@blp.response(200, AnomalyPageSchema)
@requires(*roles_for("anomaly.read"))
def get_anomalies(args):
    """Scans the state machine did not expect, waiting for review."""
    items, cursor = queries.list_anomalies(current(), args["include_resolved"], args["limit"], args.get("cursor"))
    return {"items": items, "next_cursor": cursor}


@blp.route("/anomalies/<int:anomaly_id>/resolve", methods=["POST"])
@blp.arguments(ResolveSchema)
@blp.response(200, AnomalySchema)
@requires(*roles_for("anomaly.resolve"))
def resolve(body, anomaly_id):
    return queries.resolve_anomaly(current(), anomaly_id, body["note"])
