"""Who may do what (pure): record which scan, read which customer's data, use which operation.

This is the one access policy of the service. The JSON API and the pages both take their
role lists from `OPERATIONS`, and the services that read data call `authorize` with the
caller before they read anything, so a view that forgets a check still cannot leak.

Customer users are bound to one customer: for every operation on customer data they see
their own customer only, and another customer's resource answers 404 exactly like one
that does not exist, so ids never leak (`NotFound`, not `Forbidden`). A role that may not
use an operation at all gets 403 (`Forbidden`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.domain.errors import Forbidden, NotFound
from app.domain.states import EventType as E

ROLES = ("admin", "depot", "driver", "customer")
ALL = frozenset(ROLES)
STAFF = frozenset({"admin", "depot", "driver"})

# ---------------------------------------------------------------------------- scans

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


# ---------------------------------------------------------------------------- operations

@dataclass(frozen=True)
class Operation:
    roles: frozenset[str]
    what: str  # for the 403 message: "<role> may not <what>"
    # True: a customer user may use it for its own customer only (others: 404)
    customer_scoped: bool = False


def _op(roles, what: str, scoped: bool = False) -> Operation:
    return Operation(frozenset(roles), what, scoped)


OPERATIONS: dict[str, Operation] = {
    # customer data: the customer itself and the operator's office staff, never drivers
    "customer.read": _op(ALL, "read customers", True),
    "customer.write": _op({"admin"}, "change customers"),
    "customer.settings": _op({"admin", "customer"}, "change a customer's settings", True),
    "customer.balance": _op({"admin", "depot", "customer"}, "read customer balances", True),
    "customer.statement": _op({"admin", "depot", "customer"}, "read customer statements", True),
    "customer.overdue": _op({"admin", "depot", "customer"}, "read customers' overdue assets", True),
    "site.read": _op(ALL, "read sites", True),
    "catalog.write": _op({"admin"}, "change sites or asset types"),
    "asset_type.read": _op(ALL, "read asset types"),
    # assets: a customer reads the assets it holds now, and of their history only its own custody
    "asset.read": _op(ALL, "read assets", True),
    "asset.register": _op({"admin"}, "register assets"),
    "label.print": _op({"admin", "depot"}, "print label sheets"),
    # operator work
    "anomaly.read": _op({"admin", "depot"}, "read anomalies"),
    "anomaly.resolve": _op({"admin"}, "resolve anomalies"),
    "kpi.read": _op({"admin", "depot"}, "read fleet KPIs"),
    "alert.read": _op({"admin", "depot"}, "read operator alerts"),
    "user.manage": _op({"admin"}, "manage users"),
    "token.read": _op({"admin", "customer"}, "read API tokens", True),
    "token.create": _op({"customer"}, "create API tokens for itself", True),
    "token.revoke": _op({"admin", "customer"}, "revoke API tokens", True),
    "certificate.read": _op({"admin", "customer"}, "read certificates", True),
    "certificate.issue": _op({"admin"}, "issue certificates"),
    "certificate.revoke": _op({"admin"}, "revoke certificates"),
    "return_request.read": _op(ALL, "read return requests", True),
    "return_request.create": _op({"admin", "customer"}, "request pickups", True),
    "return_request.cancel": _op({"admin", "customer"}, "cancel return requests", True),
    "return_request.collect": _op({"admin", "driver"}, "mark return requests collected"),
    "plan.read": _op(STAFF, "read planning runs"),
    "plan.collections": _op({"admin", "depot"}, "plan collection tours"),
    "plan.rebalancing": _op({"admin"}, "plan depot rebalancing"),
    # rental billing: a customer reads its own contracts (and the default tariff) and documents
    "contract.read": _op({"admin", "customer"}, "read contracts", True),
    "contract.write": _op({"admin"}, "create or end contracts"),
    "billing.run": _op({"admin"}, "run or preview billing"),
    "invoice.read": _op({"admin", "customer"}, "read invoices and credit notes", True),
    "invoice.issue": _op({"admin"}, "issue or discard draft invoices"),
    "credit_note.issue": _op({"admin"}, "issue credit notes"),
    # monthly statements: the operator closes months and decides disputes; the customer confirms or disputes
    "statement.read": _op({"admin", "depot", "customer"}, "read monthly statements", True),
    "statement.close": _op({"admin", "depot"}, "close months"),
    "statement.confirm": _op({"customer"}, "confirm statements", True),
    "statement.dispute": _op({"customer"}, "dispute statements", True),
    "statement.comment": _op({"admin", "depot", "customer"}, "comment on disputes", True),
    "statement.resolve": _op({"admin", "depot"}, "accept or reject disputes"),
    # webhooks: the operator subscribes to any customer's events, a customer user to its own
    "webhook.read": _op({"admin", "customer"}, "read webhook subscriptions", True),
    "webhook.manage": _op({"admin", "customer"}, "manage webhook subscriptions", True),
}

# Sections of the pages (what a signed-in user's navigation offers); the data on them is
# still read through `authorize`.
SECTIONS: dict[str, frozenset[str]] = {
    "scan": STAFF,
    "console": frozenset({"admin", "depot"}),
    "portal": frozenset({"admin", "depot", "customer"}),
}


class Caller(Protocol):
    role: str
    customer_id: str | None


@dataclass(frozen=True)
class Viewer:
    """A caller as the policy sees it; `app.auth.Principal` fits the same shape."""

    role: str
    customer_id: str | None = None


# Batch jobs, the CLI and benchmarks act as the operator.
OPERATOR = Viewer("admin")


def roles_for(operation: str) -> tuple[str, ...]:
    """The roles that may use an operation, in the order of ROLES (for decorators)."""
    allowed = OPERATIONS[operation].roles
    return tuple(r for r in ROLES if r in allowed)


def may(caller: Caller, operation: str) -> bool:
    return caller.role in OPERATIONS[operation].roles


def own_customer(caller: Caller) -> str | None:
    """The customer whose data alone the caller may see; None for operator staff. A
    customer user bound to no customer gets "", which matches nobody's data."""
    return (caller.customer_id or "") if caller.role == "customer" else None


def authorize(caller: Caller, operation: str, customer_id: str | None = None, field: str = "customer",
              what: str = "customer") -> str | None:
    """Raise unless `caller` may use `operation` (on `customer_id`'s data, when given).

    Returns the customer the caller is confined to (None for staff), for the caller's query
    to filter on. A customer naming another customer gets NotFound naming `field`."""
    op = OPERATIONS[operation]
    own = own_customer(caller)
    if caller.role not in op.roles or own == "":
        raise Forbidden("role", f"{caller.role} may not {op.what}")
    if own is None:
        return None
    if op.customer_scoped and customer_id is not None and customer_id != own:
        raise NotFound(field, f"unknown {what} {customer_id!r}")
    return own


def owns(caller: Caller, customer_id: str | None) -> bool:
    """Whether data belonging to `customer_id` is visible to `caller` (staff: always)."""
    own = own_customer(caller)
    return own is None or (customer_id is not None and customer_id == own)


def site_visible(caller: Caller, site_kind: str | None, site_customer_id: str | None) -> bool:
    """Depots are public knowledge; a customer site only to its customer (and to staff)."""
    return own_customer(caller) is None or site_kind == "depot" or owns(caller, site_customer_id)


def section_roles(section: str) -> tuple[str, ...]:
    """The roles a section of the pages is for, in the order of ROLES (for decorators)."""
    return tuple(r for r in ROLES if r in SECTIONS[section])
