"""Console settlement pages: closing months into statements, the dispute queue, billing
runs with a preview, and the tariffs (contracts).

Each page calls the statements and billing services, which apply the access policy
(app/domain/policy.py): admin and depot staff close months and decide disputes; billing
runs and contracts are the administrators'.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from flask import abort, redirect, render_template, request, url_for

from app.billing import contracts, runs
from app.catalog import services as catalog
from app.domain import policy
from app.domain.errors import DomainError
from app.domain.inputs import INT_MAX
from app.statements import actions, closing, reading
from app.web.blueprint import bp
from app.web.session import page, signed_in
from app.web.settlement_portal import REASON_MAX, attachment
from app.web.settlement_words import names, words

CLOSE_ROLES = policy.roles_for("statement.close")
RESOLVE_ROLES = policy.roles_for("statement.resolve")
BILLING_ROLES = policy.roles_for("billing.run")
CONTRACT_ROLES = tuple(r for r in policy.roles_for("contract.read") if r in policy.section_roles("console"))
ID = f"int(max={INT_MAX})"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(text: str | None) -> str:
    text = (text or "").strip()
    if not MONTH.match(text):
        raise DomainError("month", "give the month as YYYY-MM")
    return text


def _last_month() -> str:
    first = datetime.now(timezone.utc).date().replace(day=1)
    return f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"


def _tabs() -> dict:
    principal = signed_in()
    return {"may_bill": policy.may(principal, "billing.run"), "may_contracts": principal.role in CONTRACT_ROLES}


@bp.route("/console/settlement", methods=["GET", "POST"])
@page(*CLOSE_ROLES)
def console_settlement():
    principal = signed_in()
    error, closed, status = None, None, 200
    form = {"month": request.form.get("month") or _last_month(), "customer": request.form.get("customer", "")}
    if request.method == "POST":
        try:
            closed = closing.close_month(principal, _month(form["month"]), form["customer"] or None)
        except DomainError as err:
            error, status = f"{err.field}: {err.message}", err.status
    recent = reading.list_statements(principal, None, None, None, 100, 0)
    return render_template("settlement/console_close.html", form=form, error=error, closed=closed, recent=recent,
                           customer_rows=catalog.customers_for(principal), **_tabs(), **names(principal),
                           **words()), status


@bp.route("/console/settlement/disputes")
@page(*RESOLVE_ROLES)
def console_disputes():
    return _queue()


def _queue(error: str | None = None, status: int = 200, failed: int | None = None):
    """Open disputes, oldest first, each with its statement's disputed lines."""
    principal = signed_in()
    queue = []
    for s in reversed(reading.list_statements(principal, None, None, "disputed", 200, 0)):
        detail = reading.statement_detail(principal, s["id"])
        lines = {ln["id"]: ln for ln in detail["lines"]}
        for d in detail["disputes"]:
            if d["status"] == "open":
                queue.append({"statement": detail, "dispute": reading.dispute_detail(principal, d["id"]),
                              "lines": [lines[i] for i in d["lines"] if i in lines]})
    return render_template("settlement/console_disputes.html", queue=queue, error=error, failed=failed,
                           done=request.args.get("done"), decided=request.args.get("dispute"), **_tabs(),
                           **names(principal), **words()), status


@bp.route(f"/console/settlement/disputes/<{ID}:dispute_id>/decide", methods=["POST"])
@page(*RESOLVE_ROLES)
def console_decide_dispute(dispute_id):
    decision = request.form.get("decision")
    if decision not in ("accept", "reject"):
        abort(400)
    reason = (request.form.get("reason") or "").strip()[:REASON_MAX] or None
    try:
        actions.decide(signed_in(), dispute_id, decision == "accept", reason)
    except DomainError as err:
        if err.status == 404:
            raise
        return _queue(f"{err.field}: {err.message}", err.status, dispute_id)
    return redirect(url_for("web.console_disputes", done="accepted" if decision == "accept" else "rejected",
                            dispute=dispute_id))


@bp.route(f"/console/settlement/disputes/<{ID}:dispute_id>/comments", methods=["POST"])
@page(*RESOLVE_ROLES)
def console_dispute_comment(dispute_id):
    body = (request.form.get("body") or "").strip()
    if not body or len(body) > REASON_MAX:
        return _queue(f"body: write a comment of 1 to {REASON_MAX} characters", 422, dispute_id)
    actions.comment(signed_in(), dispute_id, body)
    return redirect(url_for("web.console_disputes", done="commented", dispute=dispute_id) + f"#dispute-{dispute_id}")


@bp.route(f"/console/settlement/disputes/<{ID}:dispute_id>/evidence/<{ID}:evidence_id>")
@page(*RESOLVE_ROLES)
def console_dispute_evidence(dispute_id, evidence_id):
    row = reading.evidence_file(signed_in(), dispute_id, evidence_id)
    return attachment(row.data, row.content_type, row.filename.replace('"', "'"))


@bp.route("/console/settlement/billing", methods=["GET", "POST"])
@page(*BILLING_ROLES)
def console_billing():
    """GET ?month= previews the month's totals per customer; POST starts the run."""
    principal = signed_in()
    month = request.values.get("month") or _last_month()
    preview, error, status = None, None, 200
    try:
        if request.method == "POST":
            run, _mode = runs.start(principal, _month(month), issue=True)
            return redirect(url_for("web.console_billing", started=run.id))
        if "month" in request.args:
            preview = runs.preview(principal, _month(month), None)
    except DomainError as err:
        error, status = f"{err.field}: {err.message}", err.status
    return render_template("settlement/console_billing.html", month=month, preview=preview, error=error,
                           started=request.args.get("started"), runs=runs.list_runs(principal, None, None, 50, 0),
                           **_tabs(), **names(principal), **words()), status


@bp.route("/console/settlement/contracts")
@page(*CONTRACT_ROLES)
def console_contracts():
    principal = signed_in()
    return render_template("settlement/console_contracts.html",
                           contracts=contracts.list_contracts(principal, None, False, None, 200, 0),
                           **_tabs(), **names(principal), **words())
