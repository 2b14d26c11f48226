"""Schemas of invoices and credit notes: what an ERP reads, and the credit-note request.

Amounts are decimal strings with the currency's decimals ("12.30", "1250" in JPY); a
credit note's are negative. `vat` is the EN 16931 breakdown per category and rate,
computed from the lines, so the totals always equal the sums of the lines.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.billing.credit_notes import as_charge_line
from app.billing.documents import plain
from app.billing.schemas import INVOICE_STATUSES, VatSchema
from app.domain.billing.money import round_half_up
from app.domain.billing.totals import invoice_totals
from app.domain.inputs import BIGINT_MAX
from app.platform.fields import MONTH, Filter, Limit, Offset, Strict, Text


def _money(name: str):
    return fields.Function(lambda row: str(round_half_up(getattr(row, name), row.minor_units)),
                           metadata={"description": "decimal string with the currency's decimals"})


def _vat(row) -> list[dict]:
    lines = [as_charge_line(line, row.currency, row.minor_units) for line in row.lines]
    return VatSchema(many=True).dump(invoice_totals(lines, row.currency, row.minor_units).vat)


class LineSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    kind = fields.String()
    asset_type = fields.String()
    asset_code = fields.String()
    trip_ref = fields.String()
    quantity = fields.Integer(metadata={"description": "days (daily_hire, demurrage) or occurrences"})
    unit_price = fields.Function(lambda line: str(plain(line.unit_price)))
    amount = fields.Function(lambda line: str(round_half_up(line.amount, line.document.minor_units)),
                             metadata={"description": "decimal string with the currency's decimals"})
    tax_category = fields.String()
    tax_rate = fields.Function(lambda line: str(plain(line.tax_rate)))
    contract_id = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()


class InvoiceLineSchema(LineSchema):
    refs = fields.List(fields.String(), metadata={"description": "the custody moves or scans it comes from"})


class CreditNoteLineSchema(LineSchema):
    invoice_line_id = fields.Integer(metadata={"description": "the invoice line it credits"})


def _links(kind: str, row) -> dict:
    base = f"/api/v1/{kind}/{row.id}"
    return {"self": base, "pdf": base + ".pdf", "csv": base + ".csv", "xml": base + ".xml",
            "factur_x": base + "/factur-x.pdf"}


class InvoiceSchema(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True, metadata={"description": "INV-YYYY-NNNNNN; null while a draft"})
    kind = fields.String()
    customer = fields.String(attribute="customer_id")
    period = fields.String(metadata={"description": "the billed month, YYYY-MM"})
    time_zone = fields.String(metadata={"description": "the zone its days were counted in"})
    currency = fields.String()
    status = fields.String(metadata={"enum": INVOICE_STATUSES})
    line_count = fields.Integer()
    net_total = _money("net_total")
    tax_total = _money("tax_total")
    gross_total = _money("gross_total")
    billing_run_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    issued_at = fields.DateTime(allow_none=True)
    links = fields.Function(lambda row: _links("invoices", row))


class InvoiceDetailSchema(InvoiceSchema):
    vat = fields.Function(_vat, metadata={"type": "array", "items": {"type": "object"}})
    lines = fields.List(fields.Nested(InvoiceLineSchema))


class InvoiceQuerySchema(Strict):
    customer = Filter(load_default=None, metadata={"description": "staff only; a customer user sees its own"})
    period = Text(load_default=None, validate=MONTH)
    status = Text(load_default=None, validate=validate.OneOf(INVOICE_STATUSES))
    limit = Limit(100, 1000)
    offset = Offset()


class InvoicePageSchema(Schema):
    items = fields.List(fields.Nested(InvoiceSchema))


class CreditNoteInSchema(Strict):
    reason = Text(multiline=True, required=True, validate=validate.Length(1, 1000))
    lines = fields.List(fields.Integer(validate=validate.Range(1, BIGINT_MAX)), load_default=None,
                        validate=validate.Length(1, 10_000),
                        metadata={"description": "ids of the invoice lines to credit; omitted: every line not "
                                                 "credited yet"})


class CreditNoteSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "CN-YYYY-NNNNNN"})
    invoice_id = fields.Integer()
    invoice_number = fields.Function(lambda row: row.invoice.number, metadata={"description": "the corrected one"})
    customer = fields.String(attribute="customer_id")
    currency = fields.String()
    reason = fields.String()
    status = fields.String(metadata={"enum": ["issued"]})
    line_count = fields.Integer()
    net_total = _money("net_total")
    tax_total = _money("tax_total")
    gross_total = _money("gross_total")
    issued_at = fields.DateTime()
    links = fields.Function(lambda row: _links("credit-notes", row))


class CreditNoteDetailSchema(CreditNoteSchema):
    vat = fields.Function(_vat, metadata={"type": "array", "items": {"type": "object"}})
    lines = fields.List(fields.Nested(CreditNoteLineSchema))


class CreditNoteQuerySchema(Strict):
    customer = Filter(load_default=None)
    invoice = fields.Integer(load_default=None, validate=validate.Range(1, BIGINT_MAX))
    limit = Limit(100, 1000)
    offset = Offset()


class CreditNotePageSchema(Schema):
    items = fields.List(fields.Nested(CreditNoteSchema))
