"""The words the settlement pages show for statement, dispute, run and charge codes, and the
names (not ids) of customers, asset types and sites they need."""
from __future__ import annotations

from app.catalog import services as catalog
from app.platform.i18n import lazy_gettext as _l

STATEMENT_STATUSES = {"published": _l("published"), "confirmed": _l("confirmed"), "disputed": _l("disputed"),
                      "resolved": _l("resolved")}
DISPUTE_STATUSES = {"open": _l("open"), "accepted": _l("accepted"), "rejected": _l("rejected")}
RUN_STATUSES = {"queued": _l("queued"), "running": _l("running"), "done": _l("done"), "failed": _l("failed")}
LINE_KINDS = {"issued": _l("issued"), "transfer_in": _l("transferred in"), "found": _l("found"),
              "returned": _l("returned"), "transfer_out": _l("transferred out"), "lost": _l("lost"),
              "adjustment": _l("adjustment"), "correction": _l("correction")}
CHARGE_KINDS = {"issue_fee": _l("issue fee"), "daily_hire": _l("daily hire"), "demurrage": _l("demurrage"),
                "transfer_fee": _l("transfer fee"), "cleaning_fee": _l("cleaning fee"),
                "damage_charge": _l("damage charge"), "lost_asset": _l("lost asset"), "deposit": _l("deposit")}


def names(principal) -> dict:
    """Customer, asset type and site names by id, as far as `principal` may read them (a
    customer user: itself, the depots and its own sites)."""
    return {"customers": {c.id: c.name for c in catalog.customers_for(principal)},
            "types": {t.id: t.name for t in catalog.asset_types(principal)},
            "sites": {s.id: s.name for s in catalog.sites_for(principal)}}


def words() -> dict:
    return {"statement_statuses": STATEMENT_STATUSES, "dispute_statuses": DISPUTE_STATUSES,
            "run_statuses": RUN_STATUSES, "line_kinds": LINE_KINDS, "charge_kinds": CHARGE_KINDS}
