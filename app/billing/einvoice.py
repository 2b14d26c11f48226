"""EN 16931 e-invoices: UN/CEFACT CII XML (drafthorse) and Factur-X PDF/A-3 (factur-x).

The CII follows the Factur-X EN 16931 profile (guideline `urn:cen.eu:en16931:2017`) and
is validated against that profile's official XSD (bundled with drafthorse) every time it
is produced: a document the schema refuses is never handed out. The Factur-X PDF is the
invoice PDF with that XML embedded as `factur-x.xml` and the PDF/A-3 metadata Factur-X
prescribes (checked against the XSD again by factur-x).

A credit note is type 381 referencing the invoice it corrects (BG-3) with positive
quantities and amounts, as EN 16931 expects: the type code carries the sign (the PDF,
CSV and JSON show the negated amounts a ledger books). EN 16931 amounts have at most two
decimals, so a currency with three (BHD, KWD) answers 409. The buyer's country (BT-55) is
the operator's (OPERATOR_COUNTRY): customers carry no country yet.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import facturx
from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document as CiiDocument
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentTerms
from drafthorse.models.tradelines import LineItem

from app.billing.documents import CREDIT_NOTE, PAYMENT_DAYS, Document, percent
from app.domain.errors import Conflict

PROFILE = "FACTUR-X_EN16931"
GUIDELINE = "urn:cen.eu:en16931:2017"
# Exemption reasons (BT-121, VATEX code list) for the categories that need one.
EXEMPTION_CODES = {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G", "O": "VATEX-EU-O"}
EXEMPTION_TEXT = {"E": "Exempt from VAT"}


@dataclass(frozen=True)
class Seller:
    name: str
    country: str  # ISO 3166-1 alpha-2
    vat_id: str | None = None


def cii_xml(doc: Document, seller: Seller) -> bytes:
    """The document as CII XML, valid against the Factur-X EN 16931 XSD."""
    if doc.number is None:
        raise Conflict("status", "a draft has no number yet: issue it first")
    if doc.minor_units > 2:
        raise Conflict("currency", f"{doc.currency} has {doc.minor_units} decimals; EN 16931 allows at most two")
    sign = -1 if doc.type_code == CREDIT_NOTE else 1
    cii = CiiDocument()
    cii.context.guideline_parameter.id = GUIDELINE
    cii.header.id = doc.number
    cii.header.type_code = doc.type_code
    cii.header.issue_date_time = doc.issued_on
    if doc.note:
        cii.header.notes.add(IncludedNote(content=doc.note))
    _parties(cii, doc, seller)
    for line in doc.lines:
        cii.trade.items.add(_line(line, sign))
    _settlement(cii, doc, sign)
    return cii.serialize(schema=PROFILE)  # raises when the XSD refuses it


def _parties(cii: CiiDocument, doc: Document, seller: Seller) -> None:
    agreement = cii.trade.agreement
    agreement.seller.name = seller.name
    agreement.seller.address.country_id = seller.country
    if seller.vat_id:
        agreement.seller.tax_registrations.add(TaxRegistration(id=("VA", seller.vat_id)))
    agreement.buyer.id = doc.customer_id
    agreement.buyer.name = doc.customer_name
    agreement.buyer.address.country_id = seller.country


def _line(line, sign: int) -> LineItem:
    item = LineItem()
    item.document.line_id = str(line.position)
    item.product.name = line.description
    item.agreement.net.amount = line.unit_price
    item.delivery.billed_quantity = (Decimal(sign * line.quantity), "DAY" if line.per_day else "C62")
    item.settlement.trade_tax.type_code = "VAT"
    item.settlement.trade_tax.category_code = line.tax_category
    item.settlement.trade_tax.rate_applicable_percent = percent(line.tax_rate)
    item.settlement.period.start = line.first_day
    item.settlement.period.end = line.last_day
    item.settlement.monetary_summation.total_amount = sign * line.amount
    return item


def _settlement(cii: CiiDocument, doc: Document, sign: int) -> None:
    settlement, totals = cii.trade.settlement, doc.totals
    settlement.currency_code = doc.currency
    settlement.period.start = doc.period_start
    settlement.period.end = doc.period_end
    for group in totals.vat:
        tax = ApplicableTradeTax()
        tax.calculated_amount = sign * group.tax_amount
        tax.basis_amount = sign * group.taxable_amount
        tax.type_code = "VAT"
        tax.category_code = group.category
        if group.category in EXEMPTION_CODES:
            tax.exemption_reason_code = EXEMPTION_CODES[group.category]
        elif group.category in EXEMPTION_TEXT:
            tax.exemption_reason = EXEMPTION_TEXT[group.category]
        tax.rate_applicable_percent = percent(group.rate)
        settlement.trade_tax.add(tax)
    if doc.corrects:
        settlement.invoice_referenced_document.issuer_assigned_id = doc.corrects
    else:
        settlement.terms.add(PaymentTerms(description=f"Payable within {PAYMENT_DAYS} days of the issue date",
                                          due=doc.due_on))
    summary = settlement.monetary_summation
    summary.line_total = sign * totals.net_total
    summary.tax_basis_total = sign * totals.net_total
    summary.tax_total = (sign * totals.tax_total, doc.currency)
    summary.grand_total = sign * totals.gross_total
    summary.due_amount = sign * totals.gross_total


def factur_x_pdf(pdf: bytes, xml: bytes, doc: Document, seller: Seller) -> bytes:
    """The PDF with `xml` embedded as a Factur-X (EN 16931 profile) PDF/A-3."""
    metadata = {"author": seller.name, "keywords": "Factur-X, EN 16931", "title": f"{doc.title} {doc.number}",
                "subject": f"{doc.title} {doc.number} for {doc.customer_name}"}
    return facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=True,
                                        pdf_metadata=metadata, lang="en", xmp_compression=False)
