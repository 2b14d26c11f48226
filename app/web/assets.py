"""One asset's page: search by any code form, serial or alias; its state, holder, site and
open trip, the timeline of its scans with anomalies, its trips with km, label reprints.

Staff use the console's pages. A customer user opens the assets it holds now from its
portal and sees only its own custody periods: the services (app/assets/queries.py,
app/scanning/history.py) decide what a caller sees, as for the JSON API. The portal also
lists a statement's movements asset by asset, linking the assets the customer still holds.
"""
from __future__ import annotations

import io

from flask import current_app, redirect, render_template, request, send_file, url_for

from app.assets import queries
from app.balances import services as balances
from app.catalog import services as catalog
from app.domain import policy
from app.domain.errors import DomainError
from app.labels import layouts
from app.labels import services as labels
from app.scanning import history
from app.web.blueprint import bp
from app.web.console import CONSOLE_ROLES, STATE_LABELS
from app.web.forms import AssetSearchForm, ReprintForm
from app.web.portal import COLUMN_LABELS, PORTAL_ROLES, _period
from app.web.session import page, signed_in

MAX_MATCHES = 20
MAX_STATEMENT_LINES = 500


@bp.route("/console/assets")
@page(*CONSOLE_ROLES)
def console_assets():
    principal = signed_in()
    form = AssetSearchForm(request.args)
    form.asset_type.choices = [("", "")] + [(t.id, t.name) for t in catalog.asset_types(principal)]
    matches, problem, status = [], None, 200
    if request.args.get("code") is not None:
        if not form.validate():
            problem, status = "invalid", 422
        else:
            try:
                matches = queries.search(principal, form.code.data, form.asset_type.data or None, MAX_MATCHES)
            except DomainError as err:
                problem, status = err.message, 422
            if len(matches) == 1:
                return redirect(url_for("web.console_asset", code=matches[0]["code"]))
            if not matches and status == 200:
                problem, status = "none", 404
    return render_template("console/assets.html", form=form, matches=matches, problem=problem,
                           types=_type_names(principal), state_labels=STATE_LABELS), status


@bp.route("/console/assets/<path:code>")
@page(*CONSOLE_ROLES)
def console_asset(code):
    principal = signed_in()
    view = _asset_page(principal, code)
    if view["asset"]["code"] != code:  # an alias or another code form: one address per asset
        return redirect(url_for("web.console_asset", code=view["asset"]["code"]))
    form = ReprintForm()
    form.preset.choices = [(p, p) for p in layouts.PRESETS]
    form.preset.data = layouts.DEFAULT_PRESET
    link = f"{current_app.config['SETTINGS'].resolver_base_url.rstrip('/')}/8003/{code}"
    return render_template("console/asset.html", form=form, digital_link=link, **view)


@bp.route("/console/assets/<path:code>/label.png")
@page(*CONSOLE_ROLES)
def console_asset_label_png(code):
    canonical, png = labels.label_png(signed_in(), code)
    return send_file(io.BytesIO(png), mimetype="image/png", as_attachment=True, download_name=f"{canonical}.png")


@bp.route("/console/assets/<path:code>/label.zpl")
@page(*CONSOLE_ROLES)
def console_asset_label_zpl(code):
    canonical, zpl = labels.label_zpl_text(signed_in(), code)
    return send_file(io.BytesIO(zpl.encode()), mimetype="text/plain", as_attachment=True,
                     download_name=f"{canonical}.zpl")


@bp.route("/console/assets/<path:code>/label.pdf", methods=["POST"])
@page(*policy.roles_for("label.print"))
def console_asset_label_pdf(code):
    """A reprint: a sheet with this one label, counted like every reprint."""
    form = ReprintForm()
    form.preset.choices = [(p, p) for p in layouts.PRESETS]
    if not form.validate_on_submit():
        return redirect(url_for("web.console_asset", code=code))
    sheet = labels.label_sheet(signed_in(), [code], preset=form.preset.data)
    return send_file(sheet.file, mimetype="application/pdf", as_attachment=True,
                     download_name=f"label-{sheet.sheet.codes[0]}.pdf")


@bp.route("/portal/<customer_id>/assets/<path:code>")
@page(*PORTAL_ROLES)
def portal_asset(customer_id, code):
    principal = signed_in()
    if principal.role in CONSOLE_ROLES:  # staff see the whole story on the console's page
        return redirect(url_for("web.console_asset", code=code))
    customer = catalog.customer_for(principal, customer_id)  # another customer's id: 404
    view = _asset_page(principal, code)  # an asset it does not hold now: 404
    return render_template("portal/asset.html", customer=customer, **view)


@bp.route("/portal/<customer_id>/statement/assets")
@page(*PORTAL_ROLES)
def portal_statement_assets(customer_id):
    principal = signed_in()
    customer = catalog.customer_for(principal, customer_id)
    form, start, end = _period()
    lines = balances.statement_moves(principal, customer_id, start, end, MAX_STATEMENT_LINES) \
        if not form.end.errors else None
    return render_template("portal/asset_moves.html", customer=customer, form=form, lines=lines,
                           limit=MAX_STATEMENT_LINES, labels=COLUMN_LABELS, types=_type_names(principal),
                           period={"start": form.start.data.isoformat(), "end": form.end.data.isoformat()})


def _asset_page(principal, code: str) -> dict:
    """What both asset pages show, as far as `principal` may see it, with names to read."""
    asset = queries.asset_detail(principal, code)
    events = history.asset_events(principal, code)
    trips = queries.asset_trips(principal, code)
    every_trip = [t for t in [*trips, asset["open_trip"]] if t]
    site_ids = {asset["site"], *(e["site"] for e in events),
                *(s for t in every_trip for s in (t["origin_site"], t["return_site"]))}
    customer_ids = {asset["holder"], *(e["customer"] for e in events),
                    *(c for t in every_trip for c in t["customers"])}
    return {"asset": asset, "events": events[::-1], "trips": trips[::-1], "state_labels": STATE_LABELS,
            "types": _type_names(principal), "any_anomaly": any(e["status"] == "anomaly" for e in events),
            "site_names": _names(catalog.site_for, principal, site_ids),
            "customer_names": _names(catalog.customer_for, principal, customer_ids)}


def _names(lookup, principal, ids) -> dict[str, str]:
    """id -> name for the ids the services showed (hidden ones are None already)."""
    names = {}
    for id_ in sorted(i for i in ids if i):
        try:
            names[id_] = lookup(principal, id_).name
        except DomainError:
            names[id_] = id_
    return names


def _type_names(principal) -> dict[str, str]:
    return {t.id: t.name for t in catalog.asset_types(principal)}
