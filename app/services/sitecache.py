"""Per-request lookups of sites and customers, turned into domain values."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.lifecycle import SitePoint
from ..models import Customer, Site


class SiteCache:
    def __init__(self, session: Session):
        self.session = session
        self.sites: dict[str, SitePoint | None] = {}
        self.customers: dict[str, bool] = {}

    def load_sites(self, ids) -> None:
        missing = [i for i in set(ids) if i is not None and i not in self.sites]
        if not missing:
            return
        for row in self.session.execute(select(Site.id, Site.kind, Site.lat, Site.lon, Site.customer_id, Site.active).where(Site.id.in_(missing))):
            self.sites[row.id] = SitePoint(row.id, row.kind, row.lat, row.lon, row.customer_id) if row.active else None
        for i in missing:
            self.sites.setdefault(i, None)

    def site(self, site_id: str | None) -> SitePoint | None:
        if site_id is None:
            return None
        if site_id not in self.sites:
            self.load_sites([site_id])
        return self.sites[site_id]

    def load_customers(self, ids) -> None:
        missing = [i for i in set(ids) if i is not None and i not in self.customers]
        if not missing:
            return
        for row in self.session.execute(select(Customer.id, Customer.active).where(Customer.id.in_(missing))):
            self.customers[row.id] = row.active
        for i in missing:
            self.customers.setdefault(i, False)

    def customer_ok(self, customer_id: str) -> bool:
        if customer_id not in self.customers:
            self.load_customers([customer_id])
        return self.customers[customer_id]
