"""Operator console: fleet KPIs, alerts, anomalies to review, links to planning and labels."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ..services import alerts, catalog, kpis, queries
from . import bp
from .forms import ResolveForm, ThresholdForm
from .session import page, signed_in

STATE_LABELS = {"available": "Available", "in_depot_transfer": "Between depots", "issued": "Issued",
                "at_customer": "At customer", "in_return": "Returning", "received": "Received",
                "cleaned": "Cleaned", "damaged": "Damaged", "repaired": "Repaired", "lost": "Lost",
                "retired": "Retired"}


@bp.route("/console")
@page("admin", "depot")
def console_home():
    form = ThresholdForm(request.args)
    threshold = alerts.DEFAULT_LOW_STOCK_THRESHOLD
    if request.args and form.validate() and form.threshold.data is not None:
        threshold = form.threshold.data
    form.threshold.data = threshold
    return render_template("console/home.html", kpis=kpis.fleet_kpis(), state_labels=STATE_LABELS,
                           overdue=alerts.overdue_customers(), low_stock=alerts.low_clean_stock(threshold),
                           form=form, open_anomalies=len(queries.list_anomalies(limit=500)[0]))


@bp.route("/console/anomalies")
@page("admin", "depot")
def console_anomalies():
    include_resolved = request.args.get("resolved") == "1"
    items, cursor = queries.list_anomalies(include_resolved, limit=100, cursor=request.args.get("cursor") or None)
    return render_template("console/anomalies.html", items=items, next_cursor=cursor, form=ResolveForm(),
                           include_resolved=include_resolved, can_resolve=signed_in().role == "admin",
                           resolved=request.args.get("done"))


@bp.route("/console/anomalies/<int:anomaly_id>/resolve", methods=["POST"])
@page("admin")
def console_resolve(anomaly_id):
    form = ResolveForm()
    if not form.validate_on_submit():
        items, cursor = queries.list_anomalies(False, limit=100)
        return render_template("console/anomalies.html", items=items, next_cursor=cursor, form=form,
                               include_resolved=False, can_resolve=True, failed=anomaly_id, resolved=None), 422
    queries.resolve_anomaly(anomaly_id, signed_in().user_id, form.note.data.strip())
    return redirect(url_for("web.console_anomalies", done=anomaly_id))


@bp.route("/console/planning")
@page("admin", "depot")
def console_planning():
    return render_template("console/unavailable.html", title="Planning runs",
                           message="Collection and rebalancing planning is not available in the console yet.")


@bp.route("/console/labels")
@page("admin", "depot")
def console_labels():
    return render_template("console/unavailable.html", title="Label printing",
                           message="Printing asset labels from the console is not available yet.",
                           asset_types=catalog.list_all("asset_type"))
