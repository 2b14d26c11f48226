"""Who may record which event, and where (pure)."""
from __future__ import annotations

from .states import EventType as E

DEPOT_EVENTS = frozenset({E.ISSUE, E.RECEIVE, E.CLEAN, E.INSPECT_PASS, E.INSPECT_FAIL, E.REPAIR,
                          E.DISPATCH, E.SCRAP, E.RECYCLE})
CUSTOMER_SITE_EVENTS = frozenset({E.DELIVER, E.COLLECT, E.TRANSFER})
NEEDS_CUSTOMER = frozenset({E.ISSUE, E.TRANSFER})

ROLE_EVENTS: dict[str, frozenset[E]] = {
    "admin": frozenset(E),
    "depot": DEPOT_EVENTS | {E.DAMAGE, E.CHECK, E.LOSE, E.FIND},
    "driver": CUSTOMER_SITE_EVENTS | {E.CHECK, E.DAMAGE, E.FIND},
    "customer": frozenset(),
}


def check_scan(role: str, event: E, site_kind: str, customer_id: str | None) -> tuple[str, str] | None:
    """(field, problem) when the scan may not be recorded as given, else None."""
    if event not in ROLE_EVENTS.get(role, frozenset()):
        return "event", f"role {role} may not record {event.label}"
    if event in DEPOT_EVENTS and site_kind != "depot":
        return "site", f"{event.label} is recorded at a depot, not at a {site_kind} site"
    if event in CUSTOMER_SITE_EVENTS and site_kind != "customer":
        return "site", f"{event.label} is recorded at a customer site, not at a {site_kind}"
    if event in NEEDS_CUSTOMER and not customer_id:
        return "customer", f"{event.label} needs the receiving customer"
    if event not in NEEDS_CUSTOMER and customer_id:
        return "customer", f"{event.label} takes no customer (it follows from the site)"
    return None
