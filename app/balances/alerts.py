"""Operator alerts: assets overdue at customers, and depots running low on clean stock."""
from __future__ import annotations

from sqlalchemy import func, select

from app.assets.models import Asset
from app.balances import services as balances
from app.catalog.models import AssetType, Customer, Site
from app.domain.policy import Caller, authorize
from app.domain.states import AssetState
from app.platform.db import get_session

DEFAULT_LOW_STOCK_THRESHOLD = 5


def overdue_customers(viewer: Caller) -> list[dict]:
    """Customers holding assets past their type's overdue limit, most overdue first."""
    authorize(viewer, "alert.read")
    out = []
    for customer_id, name in get_session().execute(
            select(Customer.id, Customer.name).where(Customer.active.is_(True)).order_by(Customer.id)):
        b = balances.balance(viewer, customer_id)
        if b["overdue"]:
            out.append({"customer": customer_id, "name": name, "overdue": b["overdue"], "held": b["total"]})
    return sorted(out, key=lambda r: (-r["overdue"], r["customer"]))


def low_clean_stock(viewer: Caller, threshold: int = DEFAULT_LOW_STOCK_THRESHOLD) -> list[dict]:
    """(depot, asset type) pairs with fewer than `threshold` available assets, including none.

    Only asset types a depot has ever been home to count, so a depot that never stocked
    a type does not raise an alert for it forever."""
    authorize(viewer, "alert.read")
    session = get_session()
    available = dict(((site, type_), n) for site, type_, n in session.execute(
        select(Asset.site_id, Asset.asset_type_id, func.count())
        .where(Asset.state == int(AssetState.AVAILABLE))
        .group_by(Asset.site_id, Asset.asset_type_id)))
    stocked = set(session.execute(select(Asset.home_site_id, Asset.asset_type_id).distinct()).all())
    depots = session.execute(select(Site.id, Site.name).where(Site.kind == "depot", Site.active.is_(True))
                             .order_by(Site.id)).all()
    types = session.execute(select(AssetType.id, AssetType.name).order_by(AssetType.id)).all()
    out = []
    for depot_id, depot_name in depots:
        for type_id, type_name in types:
            n = available.get((depot_id, type_id), 0)
            if ((depot_id, type_id) in stocked or n) and n < threshold:
                out.append({"depot": depot_id, "depot_name": depot_name, "asset_type": type_id,
                            "asset_type_name": type_name, "available": n, "threshold": threshold})
    return sorted(out, key=lambda r: (r["available"], r["depot"], r["asset_type"]))
