"""The vocabulary the pages show for the service's codes (roles, events, statuses, kinds),
translated; in English each word reads exactly as the code it stands for.

Templates use `words.<group>.get(code, code)`: a code without a word shows as itself. The
planner's reasons and the holdings check are told in plain sentences instead.
"""
from __future__ import annotations

from types import SimpleNamespace

from app.pickups.holdings import BeyondHoldings
from app.platform.i18n import _
from app.platform.i18n import lazy_gettext as _l
from app.web.blueprint import bp

ROLES = {"admin": _l("admin"), "depot": _l("depot"), "driver": _l("driver"), "customer": _l("customer")}

# As the anomaly list writes an event (`inspect pass`).
EVENTS = {
    "issue": _l("issue"), "deliver": _l("deliver"), "transfer": _l("transfer"), "collect": _l("collect"),
    "receive": _l("receive"), "clean": _l("clean"), "inspect_pass": _l("inspect pass"),
    "inspect_fail": _l("inspect fail"), "repair": _l("repair"), "damage": _l("damage"), "dispatch": _l("dispatch"),
    "check": _l("check"), "lose": _l("lose"), "find": _l("find"), "scrap": _l("scrap"), "recycle": _l("recycle"),
}

PLAN_KINDS = {"collections": _l("collections"), "rebalancing": _l("rebalancing")}
# A plan's kind at the start of its heading ("Collections plan of ...").
PLAN_KIND_TITLES = {"collections": _l("Collections"), "rebalancing": _l("Rebalancing")}
PLAN_STATUSES = {"queued": _l("queued"), "running": _l("running"), "done": _l("done"), "failed": _l("failed")}
PICKUP_STATUSES = {"open": _l("open"), "planned": _l("planned"), "collected": _l("collected"),
                   "cancelled": _l("cancelled"), "unserved": _l("unserved")}
# Why the planner could not serve a pickup request (the code before the colon of its reason:
# routing.model.UnservedReason and app/planning/collections.py), as the customer reads it.
UNSERVED_REASONS = {
    "larger_than_any_vehicle": _l("it is more than any of our vehicles can carry; split it into smaller requests"),
    "window_unreachable_within_shifts": _l("no vehicle can reach the site within the requested time window; "
                                           "a wider window helps"),
    "not_enough_fleet": _l("all vehicles were full that day; it is planned again with the next tours"),
    "left_out_by_search": _l("it did not fit into that day's tours; it is planned again with the next tours"),
    "site_closed": _l("the site is closed on that day"),
    "site_hours_invalid": _l("the site's opening hours could not be read; please check them with us"),
    "site_inactive": _l("the site is no longer active"),
}
CERTIFICATE_STATUSES = {"valid": _l("valid"), "superseded": _l("superseded"), "revoked": _l("revoked")}



def unserved_reason(reason: str | None) -> str:
    """The plain sentence for a stored reason (`code: detail`); an unknown code says so."""
    code = (reason or "").split(":", 1)[0].strip()
    return str(UNSERVED_REASONS.get(code) or _l("the planner gave no reason we can show"))


def beyond_holdings(err: BeyondHoldings) -> str:
    """A pickup count beyond what the customer holds, in the reader's language."""
    figures = {"held": err.held, "type": err.type_name, "asked": err.asked, "requested": err.requested,
               "site": err.site_name}
    if err.asked and err.site_name:
        return _("you hold %(held)s of %(type)s at %(site)s and your other open requests already ask for "
                 "%(asked)s; %(requested)s requested", **figures)
    if err.asked:
        return _("you hold %(held)s of %(type)s and your other open requests already ask for %(asked)s; "
                 "%(requested)s requested", **figures)
    if err.site_name:
        return _("you hold %(held)s of %(type)s at %(site)s; %(requested)s requested", **figures)
    return _("you hold %(held)s of %(type)s; %(requested)s requested", **figures)


WORDS = SimpleNamespace(roles=ROLES, events=EVENTS, plan_kinds=PLAN_KINDS, plan_kind_titles=PLAN_KIND_TITLES,
                        plan_statuses=PLAN_STATUSES, pickup_statuses=PICKUP_STATUSES,
                        certificate_statuses=CERTIFICATE_STATUSES, unserved_reason=unserved_reason)


@bp.app_context_processor
def _words() -> dict:
    return {"words": WORDS}
