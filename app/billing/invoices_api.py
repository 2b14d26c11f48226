"""Invoices and credit notes for an ERP: read, download (PDF, CSV, CII XML, Factur-X), correct."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.billing import credit_notes, downloads, invoices
from app.billing.document_schemas import (
    CreditNoteDetailSchema,
    CreditNoteInSchema,
    CreditNotePageSchema,
    CreditNoteQuerySchema,
    InvoiceDetailSchema,
    InvoicePageSchema,
    InvoiceQuerySchema,
)
from app.domain.policy import roles_for
from app.platform.responses import BINARY, TEXT, documented

blp = ApiBlueprint("invoices", __name__, description="Invoices and credit notes")
READERS = roles_for("invoice.read")
FILES = {  # path suffix -> (kind, media type, description)
    ".pdf": ("pdf", "application/pdf", BINARY, "the document as a PDF (letterhead, lines, VAT breakdown, totals)"),
    ".csv": ("csv", "text/csv", TEXT, "one row per line"),
    ".xml": ("xml", "application/xml", TEXT, "EN 16931 e-invoice: UN/CEFACT CII (Factur-X EN 16931 profile); "
                                             "409 for a draft or a currency with more than two decimals"),
    "/factur-x.pdf": ("factur-x", "application/pdf", BINARY, "Factur-X PDF/A-3: the PDF with the CII XML embedded; "
                                                              "409 as for the XML"),
}


def _send(file: downloads.File) -> Response:
    return Response(file.body, mimetype=file.media_type,
                    headers={"Content-Disposition": f'inline; filename="{file.filename}"'})


@blp.route("/invoices")
@blp.arguments(InvoiceQuerySchema, location="query")
@blp.response(200, InvoicePageSchema)
@documented(404)
@requires(*READERS)
def get_invoices(args):
    """Invoices, newest period first. A customer user sees its own issued invoices only."""
    return {"items": invoices.list_invoices(current(), args["customer"], args["period"], args["status"],
                                            args["limit"], args["offset"])}


@blp.route("/invoices/<int:invoice_id>")
class OneInvoice(MethodView):
    @blp.response(200, InvoiceDetailSchema)
    @requires(*READERS)
    def get(self, invoice_id):
        """One invoice with its lines and VAT breakdown."""
        return invoices.get(current(), invoice_id)

    @blp.response(204)
    @documented(409)
    @requires(*roles_for("invoice.issue"))
    def delete(self, invoice_id):
        """Discard a draft (a later run bills the customer's month again); 409 for an issued invoice."""
        invoices.discard_draft(current(), invoice_id)


@blp.route("/invoices/<int:invoice_id>/issue", methods=["POST"])
@blp.response(200, InvoiceDetailSchema)
@documented(409)
@requires(*roles_for("invoice.issue"))
def post_issue(invoice_id):
    """Issue a draft: it gets the next gapless number and never changes again (409 if issued already)."""
    return invoices.issue_draft(current(), invoice_id)


@blp.route("/invoices/<int:invoice_id>/credit-notes", methods=["POST"])
@blp.arguments(CreditNoteInSchema)
@blp.response(201, CreditNoteDetailSchema)
@documented(409)
@requires(*roles_for("credit_note.issue"))
def post_credit_note(body, invoice_id):
    """Correct an issued invoice with a credit note.

    It credits the named lines (or every line not credited yet) with negative lines referencing
    the invoice's number; 409 for a draft or a line credited before."""
    return credit_notes.issue(current(), invoice_id, body["reason"], body["lines"])


@blp.route("/credit-notes")
@blp.arguments(CreditNoteQuerySchema, location="query")
@blp.response(200, CreditNotePageSchema)
@documented(404)
@requires(*READERS)
def get_credit_notes(args):
    """Credit notes, newest first. A customer user sees its own only."""
    return {"items": credit_notes.list_credit_notes(current(), args["customer"], args["invoice"], args["limit"],
                                                    args["offset"])}


@blp.route("/credit-notes/<int:credit_note_id>")
@blp.response(200, CreditNoteDetailSchema)
@requires(*READERS)
def get_credit_note(credit_note_id):
    """One credit note with its (negative) lines and VAT breakdown."""
    return credit_notes.get(current(), credit_note_id)


def _file_routes(suffix: str, kind: str, media_type: str, schema: dict, description: str) -> None:
    """GET /invoices/<id><suffix> and /credit-notes/<id><suffix>."""
    statuses = (409,) if kind in ("xml", "factur-x") else ()

    def invoice_file(invoice_id):
        return _send(downloads.invoice_file(current(), invoice_id, kind))

    def credit_note_file(credit_note_id):
        return _send(downloads.credit_note_file(current(), credit_note_id, kind))

    for view, rule, what in ((invoice_file, f"/invoices/<int:invoice_id>{suffix}", "invoice"),
                             (credit_note_file, f"/credit-notes/<int:credit_note_id>{suffix}", "credit_note")):
        view.__doc__ = f"The {what.replace('_', ' ')}: {description}."
        view = documented(*statuses)(requires(*READERS)(view))
        view = blp.response(200, schema, content_type=media_type, description=description)(view)
        blp.route(rule, endpoint=f"{what}_{kind.replace('-', '_')}")(view)


for _suffix, (_kind, _media, _schema, _description) in FILES.items():
    _file_routes(_suffix, _kind, _media, _schema, _description)
