"""The time zone a customer's billing days are counted in.

Customers carry no time zone of their own; their sites do. A customer's zone is the zone
of its first site (the earliest created, then the smallest id), so it does not change
when sites are added later. A customer without a site is billed in UTC. A stored zone
that is not an IANA name (saved before sites were checked) reads as UTC as well.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Site
from app.domain.inputs import zone_problem
from app.platform.db import in_values

FALLBACK_ZONE = "UTC"


def customer_zones(session: Session, customer_ids: Iterable[str]) -> dict[str, str]:
    """IANA zone name per customer id (every id given gets one)."""
    wanted = set(customer_ids)
    zones: dict[str, str] = {}
    if wanted:
        rows = session.execute(select(Site.customer_id, Site.timezone)
                               .where(in_values(session, Site.customer_id, sorted(wanted)))
                               .order_by(Site.customer_id, Site.created_at, Site.id))
        for customer_id, name in rows:
            zones.setdefault(customer_id, name if name and zone_problem(name) is None else FALLBACK_ZONE)
    return {c: zones.get(c, FALLBACK_ZONE) for c in wanted}
