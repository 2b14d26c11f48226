"""Per-request lookups of sites and customers, turned into domain values.

Two questions with different answers for an inactive site or customer:
- "where did this stored scan happen?" (`site`): every site that exists answers, active
  or not, so replaying history and reading open trips never loses a site reference;
- "may a new scan name it?" (`site_problem`, `customer_problem`): only active ones.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Customer, Site
from app.domain.lifecycle import SitePoint
from app.platform.db import in_values


def _storable(key) -> bool:
    """An id the database could hold at all: PostgreSQL text refuses NUL, so asking for
    one would fail the whole statement (and the batch's transaction) instead of one scan."""
    return isinstance(key, str) and "\x00" not in key


class SiteCache:
    def __init__(self, session: Session):
        self.session = session
        self.sites: dict[str, SitePoint | None] = {}  # None: no such site
        self.inactive_sites: set[str] = set()
        self.customers: dict[str, bool | None] = {}  # active flag; None: no such customer

    def load_sites(self, ids) -> None:
        missing = [i for i in set(ids) if i is not None and i not in self.sites]
        if not missing:
            return
        queried = [i for i in missing if _storable(i)]
        if queried:
            for row in self.session.execute(
                    select(Site.id, Site.kind, Site.lat, Site.lon, Site.customer_id, Site.active)
                    .where(in_values(self.session, Site.id, queried))):
                self.sites[row.id] = SitePoint(row.id, row.kind, row.lat, row.lon, row.customer_id)
                if not row.active:
                    self.inactive_sites.add(row.id)
        for i in missing:
            self.sites.setdefault(i, None)

    def site(self, site_id: str | None) -> SitePoint | None:
        """The site as a place, active or not; None only when it does not exist."""
        if site_id is None:
            return None
        if site_id not in self.sites:
            self.load_sites([site_id])
        return self.sites[site_id]

    def site_problem(self, site_id: str) -> str | None:
        """Why a new scan may not happen at this site, or None."""
        if self.site(site_id) is None:
            return f"unknown site {site_id!r}"
        if site_id in self.inactive_sites:
            return f"site {site_id!r} is inactive: reactivate it to record new scans there"
        return None

    def load_customers(self, ids) -> None:
        missing = [i for i in set(ids) if i is not None and i not in self.customers]
        if not missing:
            return
        queried = [i for i in missing if _storable(i)]
        if queried:
            for row in self.session.execute(select(Customer.id, Customer.active)
                                            .where(in_values(self.session, Customer.id, queried))):
                self.customers[row.id] = bool(row.active)
        for i in missing:
            self.customers.setdefault(i, None)

    def customer_problem(self, customer_id: str) -> str | None:
        """Why a new scan may not name this customer, or None."""
        if customer_id not in self.customers:
            self.load_customers([customer_id])
        active = self.customers[customer_id]
        if active is None:
            return f"unknown customer {customer_id!r}"
        if not active:
            return f"customer {customer_id!r} is inactive: reactivate it to record new scans for it"
        return None

    def customer_ok(self, customer_id: str) -> bool:
        return self.customer_problem(customer_id) is None
