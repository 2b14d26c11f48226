from __future__ import annotations

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.balances import kpis
from app.balances.schemas import KpiSchema
from app.domain.policy import roles_for

blp = ApiBlueprint("operations", __name__, description="Fleet KPIs")


@blp.route("/kpis")
@blp.response(200, KpiSchema)
@requires(*roles_for("kpi.read"))
def get_kpis():
    """Cycles per asset per year, cycle and dwell times, loss and return rates, assets by state."""
    return kpis.fleet_kpis(current())
