"""The depot and driver scanning app: one page, offline-first, installable (PWA)."""
from __future__ import annotations

import time

from flask import current_app, render_template, send_from_directory, url_for

from app.catalog import services as catalog
from app.domain.policy import CUSTOMER_SITE_EVENTS, NEEDS_CUSTOMER, ROLE_EVENTS, section_roles
from app.domain.states import EventType
from app.platform.i18n import _, html_lang, lazy_pgettext
from app.web.blueprint import bp
from app.web.scan_text import script_texts
from app.web.session import page, signed_in

# The operations offered, in the order of an asset's round trip. A context of their own:
# "Collect" is also a column of the plan, which reads differently in Chinese.
OPERATIONS = [
    (EventType.ISSUE, lazy_pgettext("scan operation", "Issue to customer")),
    (EventType.DELIVER, lazy_pgettext("scan operation", "Deliver")),
    (EventType.TRANSFER, lazy_pgettext("scan operation", "Transfer to customer")),
    (EventType.COLLECT, lazy_pgettext("scan operation", "Collect")),
    (EventType.RECEIVE, lazy_pgettext("scan operation", "Receive")),
    (EventType.CLEAN, lazy_pgettext("scan operation", "Clean")),
    (EventType.INSPECT_PASS, lazy_pgettext("scan operation", "Inspect: pass")),
    (EventType.INSPECT_FAIL, lazy_pgettext("scan operation", "Inspect: fail")),
    (EventType.REPAIR, lazy_pgettext("scan operation", "Repair")),
    (EventType.SCRAP, lazy_pgettext("scan operation", "Scrap")),
]


def operations_for(role: str) -> list[dict]:
    allowed = ROLE_EVENTS.get(role, frozenset())
    return [{"event": e.label, "label": str(label),  # in this request's language
             "site_kind": "customer" if e in CUSTOMER_SITE_EVENTS else "depot",
             # issue names the customer; a transfer's customer is the owner of the site it goes to
             "needs_customer": e in NEEDS_CUSTOMER and e not in CUSTOMER_SITE_EVENTS,
             "customer_from_site": e in NEEDS_CUSTOMER and e in CUSTOMER_SITE_EVENTS}
            for e, label in OPERATIONS if e in allowed]


@bp.route("/scan")
@page(*section_roles("scan"))
def scan_app():
    principal = signed_in()
    config = {"user": principal.user_id, "role": principal.role, "api": url_for("web.start") + "api/v1",
              "operations": operations_for(principal.role),
              "swUrl": url_for("web.scan_service_worker"), "swScope": url_for("web.scan_app"),
              # Rendered into the page so it works at once (and offline); the script then
              # refreshes them from GET /api/v1/sites, /customers and /asset-types and keeps
              # the newer copy on the device (renderedAt: server time in epoch ms, whole
              # seconds like the Date header of those answers, which it is compared with).
              "reference": _reference_data(principal), "renderedAt": int(time.time()) * 1000}
    return render_template("scan/scan.html", operations=config["operations"], config=config,
                           script_texts=script_texts())


def _reference_data(principal) -> dict:
    return {
        "sites": [{"id": s.id, "name": s.name, "kind": s.kind, "customer_id": s.customer_id, "active": s.active}
                  for s in catalog.sites_for(principal)],
        "customers": [{"id": c.id, "name": c.name, "active": c.active} for c in catalog.customers_for(principal)],
        "assetTypes": [{"id": t.id, "name": t.name, "company_prefix": t.company_prefix,
                        "grai_asset_type": t.grai_asset_type} for t in catalog.asset_types(principal)],
    }


@bp.route("/scan/sw.js")
def scan_service_worker():
    response = send_from_directory(bp.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0)
    # The worker lives under /scan/ but controls the page /scan itself.
    response.headers["Service-Worker-Allowed"] = url_for("web.scan_app")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/scan/offline")
def scan_offline():
    """What the service worker shows offline when it has no copy of the signed-in page
    (sw.js keeps this page with the app shell): in the language it was fetched in."""
    return render_template("scan/offline.html")


@bp.route("/scan/manifest.webmanifest")
def scan_manifest():
    icon = lambda size: {"src": url_for("web.static", filename=f"icons/icon-{size}.png"),  # noqa: E731
                         "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
    body = {
        "name": _("%(operator)s scanner", operator=current_app.config["SETTINGS"].operator_name),
        "short_name": _("Scanner"),
        "description": _("Scan reusable packaging at depots and customer sites, also offline."),
        "lang": html_lang(),
        "start_url": url_for("web.scan_app"),
        "scope": url_for("web.scan_app"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b4f8a",
        "icons": [icon(192), icon(512)],
    }
    response = current_app.json.response(body)
    response.mimetype = "application/manifest+json"
    return response
