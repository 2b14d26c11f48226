"""Customer portal: balance, statement (CSV/PDF), overdue assets, charts, ERP tokens.

Every page is under /portal/<customer_id>/. A customer user may open only its own
customer's pages: any other id answers 404, exactly like an unknown customer, so the
portal does not even confirm that another customer exists.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import abort, make_response, redirect, render_template, request, url_for

from app.accounts import services as accounts
from app.balances import overview
from app.balances import services as balances
from app.balances.statement_pdf import statement_pdf
from app.catalog import services as catalog
from app.certificates import pdf as certificate_pdf
from app.certificates import records as certificates
from app.domain import policy
from app.domain.custody import CustodyKind
from app.domain.errors import DomainError
from app.domain.inputs import INT_MAX, zone
from app.domain.return_requests import PENDING
from app.pickups import services as return_requests
from app.pickups.holdings import BeyondHoldings
from app.platform import i18n
from app.platform.csv_export import to_csv
from app.platform.i18n import _, lazy_gettext
from app.web import charts, words
from app.web.blueprint import bp
from app.web.forms import PeriodForm, PickupForm, PublishForm, TokenForm
from app.web.session import page, signed_in

COLUMNS = ("opening", *(k.value for k in CustodyKind), "closing")
COLUMN_LABELS = {"opening": lazy_gettext("Opening"), "issued": lazy_gettext("Issued"),
                 "transfer_in": lazy_gettext("Transferred in"), "found": lazy_gettext("Found"),
                 "returned": lazy_gettext("Returned"), "transfer_out": lazy_gettext("Transferred out"),
                 "lost": lazy_gettext("Lost"), "closing": lazy_gettext("Closing")}
PORTAL_ROLES = policy.section_roles("portal")
# The portal's tabs and the operation each one reads: a tab the user may not use is not offered.
TABS = [("web.portal_overview", lazy_gettext("Balance"), "customer.balance"),
        ("web.portal_statement", lazy_gettext("Statement"), "customer.statement"),
        ("web.portal_statements", lazy_gettext("Monthly accounts"), "statement.read"),
        ("web.portal_invoices", lazy_gettext("Invoices"), "invoice.read"),
        ("web.portal_overdue", lazy_gettext("Overdue"), "customer.overdue"),
        ("web.portal_pickups", lazy_gettext("Pickups"), "return_request.read"),
        ("web.portal_certificates", lazy_gettext("Certificates"), "certificate.read"),
        ("web.portal_tokens", lazy_gettext("API tokens"), "token.read")]


@bp.context_processor
def _portal_tabs() -> dict:
    principal = signed_in()
    return {"portal_tabs": [t for t in TABS if principal is not None and policy.may(principal, t[2])]}


def _customer(customer_id: str):
    # Another customer's id answers 404 like an unknown one (the policy, in the service).
    return catalog.customer_for(signed_in(), customer_id)


def _attachment(body, mimetype: str, filename: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _type_names(principal) -> dict[str, str]:
    return {t.id: t.name for t in catalog.asset_types(principal)}


def _site_names(principal, customer_id: str) -> dict[str, str]:
    return {s.id: s.name for s in catalog.sites_for(principal, customer_id=customer_id)}


@bp.route("/portal")
@page(*PORTAL_ROLES)
def portal_home():
    principal = signed_in()
    if principal.is_customer:
        return redirect(url_for("web.portal_overview", customer_id=principal.customer_id))
    return render_template("portal/choose.html", customers=catalog.customers_for(principal))


@bp.route("/portal/<customer_id>")
@page(*PORTAL_ROLES)
def portal_overview(customer_id):
    customer = _customer(customer_id)
    principal = signed_in()
    view = overview.overview(principal, customer_id)
    weekly = [(i18n.relabel(label, "%d %b", "MMMd"), n) for label, n in view.weekly]
    months = [{**r, "label": i18n.relabel(r["label"], "%b %Y", "yMMM"),
               "short": i18n.relabel(r["label"][:3], "%b", "MMM")} for r in view.monthly]
    return render_template(
        "portal/overview.html", customer=customer, balance=view.balance, matrix=view.matrix,
        types=_type_names(principal), sites=_site_names(principal, customer_id), weekly=weekly, monthly=months,
        balance_chart=charts.line_chart("balance-chart", _("Assets held at the end of each week"),
                                        [label for label, _n in weekly], [n for _label, n in weekly]),
        trips_chart=charts.bar_chart("trips-chart", _("Assets received and sent back per month"),
                                     [r["short"] for r in months],
                                     [(_("Received"), [r["issued"] for r in months]),
                                      (_("Sent back"), [r["returned"] for r in months])]))


def _period() -> tuple[PeriodForm, datetime, datetime]:
    today = datetime.now(timezone.utc).date()
    form = PeriodForm(request.args)
    if not request.args:
        form.start.data, form.end.data = overview.month_start(today), today + timedelta(days=1)
    elif not form.validate():
        problems = "; ".join(f"{name}: {errs[0]}" for name, errs in form.errors.items())
        abort(make_response(render_template("error.html", status=400, title=_("Choose a period"),
                                            message=_("Enter both dates as YYYY-MM-DD (%(problems)s).",
                                                      problems=problems)), 400))
    if form.end.data <= form.start.data:
        form.end.errors = [_("must be after the start date")]
    return form, overview.utc_midnight(form.start.data), overview.utc_midnight(form.end.data)


@bp.route("/portal/<customer_id>/statement")
@page(*PORTAL_ROLES)
def portal_statement(customer_id):
    customer = _customer(customer_id)
    principal = signed_in()
    form, start, end = _period()
    statement = balances.statement(principal, customer_id, start, end) if not form.end.errors else None
    return render_template("portal/statement.html", customer=customer, form=form, statement=statement,
                           columns=COLUMNS, labels=COLUMN_LABELS, types=_type_names(principal),
                           export_args={"start": form.start.data.isoformat(), "end": form.end.data.isoformat()})


@bp.route("/portal/<customer_id>/statement.csv")
@page(*PORTAL_ROLES)
def portal_statement_csv(customer_id):
    _customer(customer_id)
    form, start, end = _period()
    if form.end.errors:
        abort(400)
    statement = balances.statement(signed_in(), customer_id, start, end)
    period = [customer_id, start.isoformat(), end.isoformat()]
    rows = [[*period, type_id, *(row[c] for c in COLUMNS)] for type_id, row in sorted(statement["by_type"].items())]
    rows.append([*period, "total", *(statement["total"][c] for c in COLUMNS)])
    body = to_csv(["customer", "from", "to", "asset_type", *COLUMNS], rows)
    return _attachment(body, "text/csv", f"statement-{customer_id}-{form.start.data}-{form.end.data}.csv")


@bp.route("/portal/<customer_id>/statement.pdf")
@page(*PORTAL_ROLES)
def portal_statement_pdf(customer_id):
    customer = _customer(customer_id)
    form, start, end = _period()
    if form.end.errors:
        abort(400)
    principal = signed_in()
    statement = balances.statement(principal, customer_id, start, end)
    return _attachment(statement_pdf(customer.name, statement, _type_names(principal), COLUMNS, COLUMN_LABELS),
                       "application/pdf",
                       f"statement-{customer_id}-{form.start.data}-{form.end.data}.pdf")


@bp.route("/portal/<customer_id>/overdue")
@page(*PORTAL_ROLES)
def portal_overdue(customer_id):
    customer = _customer(customer_id)
    principal = signed_in()
    return render_template("portal/overdue.html", customer=customer,
                           items=balances.overdue_assets(principal, customer_id),
                           types=_type_names(principal), sites=_site_names(principal, customer_id))


@bp.route("/portal/<customer_id>/tokens", methods=["GET", "POST"])
@page(*PORTAL_ROLES)
def portal_tokens(customer_id):
    customer = _customer(customer_id)
    principal = signed_in()
    tokens = accounts.tokens_for(principal, customer_id)  # the policy first: depot staff get 403
    form = TokenForm()
    secret = None
    # Tokens act as the user who creates them, so only the customer's own users create them.
    can_create = policy.may(principal, "token.create")
    if can_create and form.validate_on_submit():
        _token, secret = accounts.create_own_token(principal, form.name.data.strip())
        form.name.data = ""
        tokens = accounts.tokens_for(principal, customer_id)
    elif form.is_submitted() and not can_create:
        abort(403)
    response = make_response(render_template("portal/tokens.html", customer=customer, form=form, secret=secret,
                                             tokens=tokens, can_create=can_create,
                                             can_revoke=policy.may(principal, "token.revoke")))
    response.headers["Cache-Control"] = "no-store"  # the page may show a secret once
    return response


@bp.route(f"/portal/<customer_id>/tokens/<int(max={INT_MAX}):token_id>/revoke", methods=["POST"])
@page(*PORTAL_ROLES)
def portal_revoke_token(customer_id, token_id):
    _customer(customer_id)
    accounts.revoke_token_for(signed_in(), token_id, customer_id)  # another customer's token: NotFound (404)
    return redirect(url_for("web.portal_tokens", customer_id=customer_id, revoked=token_id))


@bp.route("/portal/<customer_id>/pickups", methods=["GET", "POST"])
@page(*PORTAL_ROLES)
def portal_pickups(customer_id):
    customer = _customer(customer_id)
    principal = signed_in()
    sites = [s for s in catalog.sites_for(principal, customer_id=customer_id) if s.active]
    form = PickupForm()
    form.site.choices = [(s.id, s.name) for s in sites]
    form.asset_type.choices = [(t.id, t.name) for t in catalog.asset_types(principal)]
    error, created, count_error = None, None, None
    can_request = policy.may(principal, "return_request.create")  # as POST /api/v1/return-requests
    if can_request and form.validate_on_submit():
        try:
            created = return_requests.create(principal, _pickup_request(form, sites, customer_id))
        except BeyondHoldings as err:
            error = count_error = words.beyond_holdings(err)
        except DomainError as err:
            error = err.message
    elif form.is_submitted() and not can_request:
        abort(403)
    if error is None and form.is_submitted() and form.errors:
        error = "; ".join(f"{form[name].label.text}: {problems[0]}" for name, problems in form.errors.items()
                          if name != "count")  # the count field shows its own hint
    listing = return_requests.list_requests(principal, None, customer_id, None, 100, 0)
    status = 422 if error or (form.is_submitted() and form.errors) else 201 if created else 200
    for item in listing["items"]:  # the planned day, and whether the window is a whole local day
        if item["planned"]:
            item["planned"]["day"] = date.fromisoformat(item["planned"]["eta"][:10])
        w = item["window"]
        item["all_day"] = bool(w) and w["start"][11:16] == w["end"][11:16] == "00:00" and \
            date.fromisoformat(w["end"][:10]) - date.fromisoformat(w["start"][:10]) == timedelta(days=1)
    return render_template("portal/pickups.html", customer=customer, form=form, error=error, created=created,
                           requests=listing["items"], can_request=can_request, cancellable=PENDING,
                           types=_type_names(principal), count_error=count_error), status


def _pickup_request(form: PickupForm, sites, customer_id: str) -> dict:
    data = {"site": form.site.data, "counts": {form.asset_type.data: form.count.data},
            "note": (form.note.data or "").strip() or None, "customer": customer_id}
    if form.day.data:
        site = next(s for s in sites if s.id == form.site.data)
        tz = zone(site.timezone)
        start = datetime.combine(form.day.data, form.start.data or time(0), tz)
        end = datetime.combine(form.day.data, form.end.data, tz) if form.end.data else \
            datetime.combine(form.day.data + timedelta(days=1), time(0), tz)
        data["window"] = {"start": start, "end": end}
    return data


@bp.route("/portal/<customer_id>/pickups/<int:request_id>/cancel", methods=["POST"])
@page(*PORTAL_ROLES)
def portal_cancel_pickup(customer_id, request_id):
    _customer(customer_id)
    principal = signed_in()
    if return_requests.get(principal, request_id)["customer"] != customer_id:  # another customer's: 404
        abort(404)
    return_requests.cancel(principal, request_id)
    return redirect(url_for("web.portal_pickups", customer_id=customer_id, cancelled=request_id))


@bp.route("/portal/<customer_id>/certificates", methods=["GET", "POST"])
@page(*PORTAL_ROLES)
def portal_certificates(customer_id):
    customer = _customer(customer_id)
    principal = signed_in()
    items = certificates.list_certificates(principal, customer_id, None, None, 120, 0)
    can_publish = policy.may(principal, "customer.settings")
    form = PublishForm()
    if form.is_submitted():
        if not can_publish:
            abort(403)
        if form.validate_on_submit():
            catalog.update_customer_settings(principal, customer_id,
                                             {"publish_certificate_figures": form.publish.data == "yes"})
            return redirect(url_for("web.portal_certificates", customer_id=customer_id, saved=1))
    form.publish.data = "yes" if customer.publish_certificate_figures else "no"
    valid = sorted((c for c in items if c.status == "valid"), key=lambda c: c.month)[-12:]
    chart = charts.bar_chart("avoided-chart", _("Avoided kg CO2e per month (certified)"),
                             [c.month for c in valid], [(_("Avoided kg CO2e"), [c.avoided_kg_co2e for c in valid])]) \
        if valid else None
    return render_template("portal/certificates.html", customer=customer, items=items, chart=chart, monthly=valid,
                           form=form, can_publish=can_publish, saved=request.args.get("saved"))


@bp.route("/portal/<customer_id>/certificates/<serial>.pdf")
@page(*PORTAL_ROLES)
def portal_certificate_pdf(customer_id, serial):
    _customer(customer_id)
    cert = certificates.get(signed_in(), serial)
    if cert.customer_id != customer_id:  # another customer's serial (or the operator summary): 404
        abort(404)
    pdf = certificate_pdf.render(cert, certificates.history(cert), cert.status, cert.superseded_by)
    return _attachment(pdf, "application/pdf", f"{cert.serial}.pdf")
