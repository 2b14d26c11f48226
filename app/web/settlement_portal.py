"""Portal settlement pages: the customer's monthly statements (confirm, dispute with
evidence, comments, CSV) and its invoices and credit notes with their documents.

Every page is under /portal/<customer_id>/ and reads through the statements and billing
services, which apply the access policy: another customer's statement, dispute, invoice
or credit note answers 404, exactly like one that does not exist.
"""
from __future__ import annotations

import io

from flask import abort, make_response, redirect, render_template, request, url_for

from app.billing import credit_notes, downloads, invoices
from app.catalog import services as catalog
from app.domain import policy
from app.domain.errors import DomainError
from app.domain.inputs import INT_MAX
from app.statements import actions, evidence, reading
from app.web.blueprint import bp
from app.web.session import page, signed_in
from app.web.settlement_words import names, words

PORTAL_ROLES = policy.section_roles("portal")
ID = f"int(max={INT_MAX})"
DOCUMENT_KINDS = ("pdf", "csv", "xml", "factur-x")
REASON_MAX = 2000


def _customer(customer_id: str):
    return catalog.customer_for(signed_in(), customer_id)  # another customer's id: 404


def _own_statement(customer_id: str, statement_id: int) -> dict:
    detail = reading.statement_detail(signed_in(), statement_id)
    if detail["customer"] != customer_id:  # a staff user following a link with the wrong customer
        abort(404)
    return detail


def _own_dispute(customer_id: str, dispute_id: int) -> dict:
    detail = reading.dispute_detail(signed_in(), dispute_id)
    if detail["customer"] != customer_id:
        abort(404)
    return detail


def attachment(body, mimetype: str, filename: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/portal/<customer_id>/statements")
@page(*PORTAL_ROLES)
def portal_statements(customer_id):
    customer = _customer(customer_id)
    items = reading.list_statements(signed_in(), customer_id, None, None, 120, 0)
    return render_template("settlement/portal_statements.html", customer=customer, items=items, **words())


@bp.route(f"/portal/<customer_id>/statements/<{ID}:statement_id>")
@page(*PORTAL_ROLES)
def portal_monthly_statement(customer_id, statement_id):
    return _statement_page(customer_id, statement_id)


def _statement_page(customer_id: str, statement_id: int, error: str | None = None, status: int = 200,
                    form: dict | None = None):
    customer = _customer(customer_id)
    principal = signed_in()
    detail = _own_statement(customer_id, statement_id)
    disputes = [reading.dispute_detail(principal, d["id"]) for d in detail["disputes"]]
    disputed = {line_id for d in disputes if d["status"] != "rejected" for line_id in d["lines"]}
    return render_template(
        "settlement/portal_statement.html", customer=customer, s=detail, disputes=disputes, disputed=disputed,
        error=error, form=form or {}, notice=request.args.get("done"),
        can_confirm=policy.may(principal, "statement.confirm") and detail["status"] in ("published", "resolved"),
        can_dispute=policy.may(principal, "statement.dispute") and detail["status"] in ("published", "disputed"),
        can_comment=policy.may(principal, "statement.comment"), evidence_kinds=", ".join(evidence.KINDS),
        **names(principal), **words()), status


@bp.route(f"/portal/<customer_id>/statements/<{ID}:statement_id>.csv")
@page(*PORTAL_ROLES)
def portal_monthly_statement_csv(customer_id, statement_id):
    _customer(customer_id)
    _own_statement(customer_id, statement_id)
    name, text = reading.statement_csv(signed_in(), statement_id)
    return attachment(text, "text/csv", name)


@bp.route(f"/portal/<customer_id>/statements/<{ID}:statement_id>/confirm", methods=["POST"])
@page(*PORTAL_ROLES)
def portal_confirm_statement(customer_id, statement_id):
    _customer(customer_id)
    _own_statement(customer_id, statement_id)
    try:
        actions.confirm(signed_in(), statement_id)
    except DomainError as err:
        return _statement_page(customer_id, statement_id, f"{err.field}: {err.message}", err.status)
    return redirect(url_for("web.portal_monthly_statement", customer_id=customer_id, statement_id=statement_id,
                            done="confirmed"))


@bp.route(f"/portal/<customer_id>/statements/<{ID}:statement_id>/disputes", methods=["POST"])
@page(*PORTAL_ROLES)
def portal_dispute_statement(customer_id, statement_id):
    """Open a dispute on the chosen lines; the evidence file, if any, is checked first so a
    wrong type or size stores nothing at all."""
    _customer(customer_id)
    _own_statement(customer_id, statement_id)
    principal = signed_in()
    reason = (request.form.get("reason") or "").strip()
    form = {"reason": reason, "lines": request.form.getlist("lines")}
    try:
        line_ids = _line_ids(form["lines"])
        if not reason or len(reason) > REASON_MAX:
            raise DomainError("reason", f"give a reason of 1 to {REASON_MAX} characters")
        upload = request.files.get("file")
        data = None
        if upload is not None and upload.filename:
            data = evidence.read_upload(upload.stream)
            evidence.content_type(data)
        dispute = actions.open_dispute(principal, statement_id, line_ids, reason)
        if data is not None:
            evidence.attach(principal, dispute["id"], upload.filename, io.BytesIO(data))
    except DomainError as err:
        return _statement_page(customer_id, statement_id, f"{err.field}: {err.message}", err.status, form)
    return redirect(url_for("web.portal_monthly_statement", customer_id=customer_id, statement_id=statement_id,
                            done="disputed"))


def _line_ids(values: list[str]) -> list[int]:
    if not values:
        raise DomainError("lines", "choose at least one line")
    if not all(v.isdigit() and int(v) <= INT_MAX for v in values):
        raise DomainError("lines", "lines are given by their ids")
    return [int(v) for v in values]


@bp.route(f"/portal/<customer_id>/disputes/<{ID}:dispute_id>/comments", methods=["POST"])
@page(*PORTAL_ROLES)
def portal_dispute_comment(customer_id, dispute_id):
    _customer(customer_id)
    dispute = _own_dispute(customer_id, dispute_id)
    body = (request.form.get("body") or "").strip()
    if not body or len(body) > REASON_MAX:
        return _statement_page(customer_id, dispute["statement_id"],
                               f"body: write a comment of 1 to {REASON_MAX} characters", 422)
    actions.comment(signed_in(), dispute_id, body)
    return redirect(url_for("web.portal_monthly_statement", customer_id=customer_id,
                            statement_id=dispute["statement_id"], done="commented") + f"#dispute-{dispute_id}")


@bp.route(f"/portal/<customer_id>/disputes/<{ID}:dispute_id>/evidence/<{ID}:evidence_id>")
@page(*PORTAL_ROLES)
def portal_dispute_evidence(customer_id, dispute_id, evidence_id):
    _customer(customer_id)
    _own_dispute(customer_id, dispute_id)
    row = reading.evidence_file(signed_in(), dispute_id, evidence_id)
    return attachment(row.data, row.content_type, row.filename.replace('"', "'"))


@bp.route("/portal/<customer_id>/invoices")
@page(*PORTAL_ROLES)
def portal_invoices(customer_id):
    customer = _customer(customer_id)
    principal = signed_in()
    return render_template("settlement/portal_invoices.html", customer=customer,
                           invoices=invoices.list_invoices(principal, customer_id, None, "issued", 200, 0),
                           credit_notes=credit_notes.list_credit_notes(principal, customer_id, None, 200, 0),
                           kinds=DOCUMENT_KINDS, **words())


@bp.route(f"/portal/<customer_id>/invoices/<{ID}:invoice_id>/<kind>")
@page(*PORTAL_ROLES)
def portal_invoice_file(customer_id, invoice_id, kind):
    _customer(customer_id)
    principal = signed_in()
    if kind not in DOCUMENT_KINDS or invoices.get(principal, invoice_id).customer_id != customer_id:
        abort(404)
    return _document(lambda: downloads.invoice_file(principal, invoice_id, kind))


@bp.route(f"/portal/<customer_id>/credit-notes/<{ID}:credit_note_id>/<kind>")
@page(*PORTAL_ROLES)
def portal_credit_note_file(customer_id, credit_note_id, kind):
    _customer(customer_id)
    principal = signed_in()
    if kind not in DOCUMENT_KINDS or credit_notes.get(principal, credit_note_id).customer_id != customer_id:
        abort(404)
    return _document(lambda: downloads.credit_note_file(principal, credit_note_id, kind))


def _document(render):
    file = render()  # a refusal (e.g. no e-invoice for three-decimal currencies: 409) is the error page
    return attachment(file.body, file.media_type, file.filename)
