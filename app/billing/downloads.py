"""The files of an invoice or credit note: PDF, CSV, CII XML and Factur-X PDF.

Each is rendered on request from the stored (frozen) document, after the same access
check as reading it: a customer user gets its own issued documents only.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.billing import credit_notes, documents, einvoice, exports, invoices, pdf
from app.domain.policy import Caller
from app.platform.db import get_session

MEDIA_TYPES = {"pdf": "application/pdf", "csv": "text/csv", "xml": "application/xml",
               "factur-x": "application/pdf"}


@dataclass(frozen=True)
class File:
    body: bytes | str
    media_type: str
    filename: str


def invoice_file(caller: Caller, invoice_id: int, kind: str) -> File:
    doc = documents.of_invoice(get_session(), invoices.get(caller, invoice_id))
    return _render(doc, kind, doc.number or f"draft-invoice-{invoice_id}")


def credit_note_file(caller: Caller, credit_note_id: int, kind: str) -> File:
    doc = documents.of_credit_note(get_session(), credit_notes.get(caller, credit_note_id))
    return _render(doc, kind, doc.number)


def seller() -> einvoice.Seller:
    settings = current_app.config["SETTINGS"]
    return einvoice.Seller(settings.operator_name, settings.operator_country, settings.operator_vat_id)


def _render(doc: documents.Document, kind: str, name: str) -> File:
    operator = seller()
    if kind == "csv":
        return File(exports.render(doc), MEDIA_TYPES[kind], f"{name}.csv")
    if kind == "xml":
        return File(einvoice.cii_xml(doc, operator), MEDIA_TYPES[kind], f"{name}.xml")
    if kind == "factur-x":
        xml = einvoice.cii_xml(doc, operator)  # refuses drafts before the PDF is drawn
        return File(einvoice.factur_x_pdf(pdf.render(doc, operator.name), xml, doc, operator), MEDIA_TYPES[kind],
                    f"{name}-factur-x.pdf")
    return File(pdf.render(doc, operator.name), MEDIA_TYPES["pdf"], f"{name}.pdf")
