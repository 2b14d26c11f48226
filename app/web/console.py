"""Operator console: fleet KPIs, alerts, anomalies to review, collection planning, label sheets."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import redirect, render_template, request, send_file, url_for
from marshmallow import ValidationError

from app.balances import alerts, kpis
from app.catalog import services as catalog
from app.domain import policy
from app.domain.errors import DomainError
from app.domain.return_requests import ReturnRequestStatus
from app.labels import layouts
from app.labels import services as labels
from app.pickups import services as return_requests
from app.planning import services as planning
from app.platform.i18n import _, lazy_pgettext
from app.scanning import history
from app.web.blueprint import bp
from app.web.forms import CollectionPlanForm, LabelSheetForm, ResolveForm, ThresholdForm
from app.web.session import page, signed_in

CONSOLE_ROLES = policy.section_roles("console")

# The context tells translators these are states, not the statement's movements of the same name.
STATE_LABELS = {
    "available": lazy_pgettext("asset state", "Available"),
    "in_depot_transfer": lazy_pgettext("asset state", "Between depots"),
    "issued": lazy_pgettext("asset state", "Issued"),
    "at_customer": lazy_pgettext("asset state", "At customer"),
    "in_return": lazy_pgettext("asset state", "Returning"),
    "received": lazy_pgettext("asset state", "Received"),
    "cleaned": lazy_pgettext("asset state", "Cleaned"),
    "damaged": lazy_pgettext("asset state", "Damaged"),
    "repaired": lazy_pgettext("asset state", "Repaired"),
    "lost": lazy_pgettext("asset state", "Lost"),
    "retired": lazy_pgettext("asset state", "Retired"),
}


@bp.route("/console")
@page(*CONSOLE_ROLES)
def console_home():
    form = ThresholdForm(request.args)
    threshold = alerts.DEFAULT_LOW_STOCK_THRESHOLD
    if request.args and form.validate() and form.threshold.data is not None:
        threshold = form.threshold.data
    form.threshold.data = threshold
    principal = signed_in()
    return render_template("console/home.html", kpis=kpis.fleet_kpis(principal), state_labels=STATE_LABELS,
                           overdue=alerts.overdue_customers(principal),
                           low_stock=alerts.low_clean_stock(principal, threshold),
                           form=form, open_anomalies=len(history.list_anomalies(principal, limit=500)[0]))


@bp.route("/console/anomalies")
@page(*CONSOLE_ROLES)
def console_anomalies():
    include_resolved = request.args.get("resolved") == "1"
    items, cursor = history.list_anomalies(signed_in(), include_resolved, limit=100,
                                           cursor=request.args.get("cursor") or None)
    return render_template("console/anomalies.html", items=items, next_cursor=cursor, form=ResolveForm(),
                           include_resolved=include_resolved, can_resolve=policy.may(signed_in(), "anomaly.resolve"),
                           resolved=request.args.get("done"))


@bp.route("/console/anomalies/<int:anomaly_id>/resolve", methods=["POST"])
@page(*policy.roles_for("anomaly.resolve"))
def console_resolve(anomaly_id):
    form = ResolveForm()
    if not form.validate_on_submit():
        items, cursor = history.list_anomalies(signed_in(), False, limit=100)
        return render_template("console/anomalies.html", items=items, next_cursor=cursor, form=form,
                               include_resolved=False, can_resolve=True, failed=anomaly_id, resolved=None), 422
    history.resolve_anomaly(signed_in(), anomaly_id, form.note.data.strip())
    return redirect(url_for("web.console_anomalies", done=anomaly_id))


@bp.route("/console/planning", methods=["GET", "POST"])
@page(*CONSOLE_ROLES)
def console_planning():
    principal = signed_in()
    form = CollectionPlanForm()
    depots = [d for d in catalog.sites_for(principal, kind="depot") if d.active]
    form.depots.choices = [(d.id, d.name) for d in depots]
    if not form.is_submitted():
        form.day.data = datetime.now(timezone.utc).date() + timedelta(days=1)
        form.depots.data = [d.id for d in depots]
        form.vehicles.data, form.capacity_units.data, form.time_limit_s.data = 2, 33, 10
    error = None
    if form.validate_on_submit():
        try:
            plan = planning.start_collections(principal, form.day.data, form.depots.data, form.objective.data,
                                              form.time_limit_s.data, form.vehicles.data, form.capacity_units.data)
            return redirect(url_for("web.console_plan", plan_id=plan.id))
        except (DomainError, ValidationError) as err:
            error = getattr(err, "message", None) or "; ".join(
                f"{k}: {v}" for k, v in getattr(err, "normalized_messages", dict)().items())
    plans = planning.list_plans(principal, None, None, 50, 0)
    status = 422 if error or form.errors else 200
    return render_template("console/planning.html", form=form, plans=plans, error=error,
                           open_requests=return_requests.list_requests(principal, ReturnRequestStatus.OPEN, None, None, 1,
                                                                       0)["total"]), status


@bp.route("/console/planning/<plan_id>")
@page(*CONSOLE_ROLES)
def console_plan(plan_id):
    plan = planning.get(signed_in(), plan_id)
    return render_template("console/plan.html", plan=plan, result=plan.result or {})


@bp.route("/console/labels", methods=["GET", "POST"])
@page(*CONSOLE_ROLES)
def console_labels():
    principal = signed_in()
    form = LabelSheetForm()
    form.asset_type.choices = [("", _("(none)"))] + [(t.id, t.name) for t in catalog.asset_types(principal)]
    form.site.choices = [(d.id, d.name) for d in catalog.sites_for(principal, kind="depot")]
    form.preset.choices = [(p, p) for p in layouts.PRESETS]
    if not form.is_submitted():
        form.preset.data = layouts.DEFAULT_PRESET
    error = None
    if form.validate_on_submit():
        codes = [c.strip() for c in (form.codes.data or "").splitlines() if c.strip()]
        register = bool(form.asset_type.data and form.count.data)
        if bool(codes) == register:
            error = _("Give either codes to reprint or a type and number of new assets, not both.")
        else:
            batch = {"asset_type": form.asset_type.data, "count": form.count.data, "site": form.site.data or None}
            try:
                sheet = labels.label_sheet(principal, None if register else codes, batch if register else None,
                                           form.preset.data)
            except DomainError as err:
                error = err.message
            else:
                return send_file(sheet.file, mimetype="application/pdf", as_attachment=True,
                                 download_name=sheet.filename)
    return render_template("console/labels.html", form=form, error=error), 422 if error or form.errors else 200
