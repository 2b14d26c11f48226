"""What a customer may still ask to be collected: its holdings (the balance counters) less
what its waiting requests still ask for; and what collect scans have counted so far."""
from __future__ import annotations

from sqlalchemy import func, select

from app.balances.models import CustomerBalance
from app.catalog.models import AssetType, Customer, Site
from app.domain.errors import DomainError
from app.domain.return_requests import WAITING
from app.pickups.models import ReturnRequest, ReturnRequestCollection


class BeyondHoldings(DomainError):
    """A count beyond what the customer holds of a type (less its other waiting requests);
    the figures let a page say the same in the reader's language."""

    def __init__(self, type_id: str, type_name: str, held: int, asked: int, requested: int, site_name: str | None):
        where = f" at {site_name}" if site_name else ""
        others = f" and your other open requests already ask for {asked}" if asked else ""
        super().__init__(f"counts.{type_id}", f"you hold {held} of {type_name}{where}{others}; {requested} requested")
        self.type_name, self.held, self.asked, self.requested, self.site_name = \
            type_name, held, asked, requested, site_name


def check_holdings(session, customer_id: str, site: Site, counts: dict[str, int]) -> None:
    """Refuse a count beyond what is left to ask for, at the site and in total.

    Assets the balances hold at none of the customer's sites (in transit, or left at another
    customer's site) may be at this one, so they count here too. Locks the customer, so two
    requests at once cannot both claim the same assets.
    """
    session.get(Customer, customer_id, with_for_update=True)
    own_sites = set(session.scalars(select(Site.id).where(Site.customer_id == customer_id)))
    held_here: dict[str, int] = {}
    held_total: dict[str, int] = {}
    for type_id, site_id, n in session.execute(
            select(CustomerBalance.asset_type_id, CustomerBalance.site_id, func.sum(CustomerBalance.count))
            .where(CustomerBalance.customer_id == customer_id, CustomerBalance.asset_type_id.in_(list(counts)))
            .group_by(CustomerBalance.asset_type_id, CustomerBalance.site_id)):
        held_total[type_id] = held_total.get(type_id, 0) + int(n)
        if site_id == site.id or site_id not in own_sites:
            held_here[type_id] = held_here.get(type_id, 0) + int(n)
    waiting = list(session.scalars(select(ReturnRequest).where(ReturnRequest.customer_id == customer_id,
                                                               ReturnRequest.status.in_(WAITING))))
    done = collected(session, [r.id for r in waiting])
    asked_here: dict[str, int] = {}
    asked_total: dict[str, int] = {}
    for req in waiting:  # what a waiting request still asks for: its counts less what was collected
        for type_id, n in wanted(req).items():
            left = max(n - done.get(req.id, {}).get(type_id, 0), 0)
            asked_total[type_id] = asked_total.get(type_id, 0) + left
            if req.site_id == site.id:
                asked_here[type_id] = asked_here.get(type_id, 0) + left
    names = dict(session.execute(select(AssetType.id, AssetType.name).where(AssetType.id.in_(list(counts)))).all())
    for type_id, n in sorted(counts.items()):
        room_here = held_here.get(type_id, 0) - asked_here.get(type_id, 0)
        room_total = held_total.get(type_id, 0) - asked_total.get(type_id, 0)
        if n <= min(room_here, room_total):
            continue
        if room_here < room_total:
            raise BeyondHoldings(type_id, names[type_id], held_here.get(type_id, 0), asked_here.get(type_id, 0), n,
                                 site.name)
        raise BeyondHoldings(type_id, names[type_id], held_total.get(type_id, 0), asked_total.get(type_id, 0), n, None)


def wanted(req: ReturnRequest) -> dict[str, int]:
    """The request's counts; an entry that is not a positive whole number asks for nothing."""
    counts = req.counts if isinstance(req.counts, dict) else {}
    return {t: n for t, n in counts.items() if isinstance(n, int) and not isinstance(n, bool) and n > 0}


def collected(session, request_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per request, how many boxes of each type collect scans have covered so far."""
    out: dict[int, dict[str, int]] = {}
    if not request_ids:
        return out
    for request_id, type_id, n in session.execute(
            select(ReturnRequestCollection.request_id, ReturnRequestCollection.asset_type_id, func.count())
            .where(ReturnRequestCollection.request_id.in_(request_ids))
            .group_by(ReturnRequestCollection.request_id, ReturnRequestCollection.asset_type_id)):
        out.setdefault(request_id, {})[type_id] = n
    return out
