"""The vocabulary the pages show for the service's codes (roles, events, statuses, kinds),
translated; in English each word reads exactly as the code it stands for.

Templates use `words.<group>.get(code, code)`: a code without a word shows as itself.
"""
from __future__ import annotations

from types import SimpleNamespace

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
CERTIFICATE_STATUSES = {"valid": _l("valid"), "superseded": _l("superseded"), "revoked": _l("revoked")}

WORDS = SimpleNamespace(roles=ROLES, events=EVENTS, plan_kinds=PLAN_KINDS, plan_kind_titles=PLAN_KIND_TITLES,
                        plan_statuses=PLAN_STATUSES, pickup_statuses=PICKUP_STATUSES,
                        certificate_statuses=CERTIFICATE_STATUSES)


@bp.app_context_processor
def _words() -> dict:
    return {"words": WORDS}
