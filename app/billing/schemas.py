"""Request and response schemas of contracts, billing runs, invoices and credit notes.

Money travels as decimal strings ("0.0375"), never as JSON numbers, so no amount passes
through a binary float on either side.
"""
from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from app.billing.documents import plain
from app.domain.billing.tariffs import CHARGE_KINDS, TAX_CATEGORIES
from app.platform.fields import (
    MONTH,
    Day,
    Filter,
    FullMatch,
    Id,
    Limit,
    Offset,
    Strict,
    StrictBoolean,
    Text,
    query_boolean,
)

RUN_STATUSES = ["queued", "running", "done", "failed"]
INVOICE_STATUSES = ["draft", "issued"]
ASSET_TYPE = FullMatch(r"\*|[A-Za-z0-9][A-Za-z0-9._-]{0,39}", error="an asset type id, or '*' for every type")


class _DecimalPattern(FullMatch):
    """The pattern a decimal's text must match; also checks the Decimal it became."""

    def __call__(self, value):
        super().__call__(str(value))  # str(Decimal(text)) gives back the text it was made from
        return value


class DecimalText(Text):
    """A non-negative decimal written as a string, within the column's digits."""

    def __init__(self, pattern: str, example: str, **kwargs):
        metadata = {"description": f"a decimal as a string, e.g. \"{example}\"", **kwargs.pop("metadata", {})}
        error = f"a decimal as a string within the allowed digits, e.g. \"{example}\" (no sign, no exponent)"
        super().__init__(validate=_DecimalPattern(pattern, error=error), metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        self.validators[0](text)  # before Decimal(), which would take "1e5" or "NaN"
        return Decimal(text)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


# ------------------------------------------------------------------ contracts

class PriceInSchema(Strict):
    kind = Text(required=True, validate=validate.OneOf(sorted(CHARGE_KINDS)))
    asset_type = Text(required=True, validate=ASSET_TYPE)
    unit_price = DecimalText(r"[0-9]{1,12}(\.[0-9]{1,6})?", "0.0375", required=True,
                             metadata={"description": "per day for daily_hire and demurrage, per occurrence "
                                                      "otherwise; at most 6 decimals"})


class HireTermsInSchema(Strict):
    asset_type = Text(required=True, validate=ASSET_TYPE)
    free_days = fields.Integer(load_default=0, validate=validate.Range(0, 3650))
    demurrage_after_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 3650))


class ContractInSchema(Strict):
    customer = Id(load_default=None, allow_none=True,
                  metadata={"description": "the customer; omitted or null: the operator's default tariff"})
    valid_from = Day(required=True, metadata={"description": "first day (inclusive), in the customer's time zone"})
    valid_until = Day(load_default=None, allow_none=True, metadata={"description": "end (exclusive); null: open"})
    currency = Text(required=True, validate=FullMatch("[A-Z]{3}", error="an ISO 4217 code such as EUR"))
    tax_rate = DecimalText(r"0(\.[0-9]{1,4})?", "0.19", required=True,
                           metadata={"description": "VAT rate in [0, 1), e.g. \"0.19\" for 19 %"})
    tax_category = Text(load_default="S", validate=validate.OneOf(sorted(TAX_CATEGORIES)),
                        metadata={"description": "UNCL5305 VAT category (S standard; Z, E, AE, K, G, O carry 0)"})
    reference = Text(load_default=None, allow_none=True, validate=validate.Length(1, 120))
    prices = fields.List(fields.Nested(PriceInSchema), load_default=list, validate=validate.Length(max=200))
    hire_terms = fields.List(fields.Nested(HireTermsInSchema), load_default=list, validate=validate.Length(max=200))


class EndContractSchema(Strict):
    valid_until = Day(required=True, metadata={"description": "the first day the contract no longer prices"})


class ContractQuerySchema(Strict):
    customer = Filter(load_default=None)
    default = query_boolean(load_default=False, metadata={"description": "true: the default tariffs only"})
    valid_on = Day(load_default=None, metadata={"description": "only contracts valid on this day"})
    limit = Limit(100, 1000)
    offset = Offset()


class PriceSchema(Schema):
    kind = fields.String()
    asset_type = fields.String()
    unit_price = fields.Function(lambda p: str(plain(p.unit_price)), metadata={"description": "e.g. \"0.0375\""})


class HireTermsSchema(Schema):
    asset_type = fields.String()
    free_days = fields.Integer()
    demurrage_after_days = fields.Integer(allow_none=True)


class ContractSchema(Schema):
    id = fields.Integer()
    customer = fields.String(attribute="customer_id", allow_none=True,
                             metadata={"description": "null: the operator's default tariff"})
    valid_from = fields.Date()
    valid_until = fields.Date(allow_none=True)
    currency = fields.String()
    tax_rate = fields.Function(lambda c: str(plain(c.tax_rate)), metadata={"description": "e.g. \"0.19\""})
    tax_category = fields.String()
    reference = fields.String(allow_none=True)
    prices = fields.List(fields.Nested(PriceSchema))
    hire_terms = fields.List(fields.Nested(HireTermsSchema))
    created_at = fields.DateTime()


class ContractPageSchema(Schema):
    items = fields.List(fields.Nested(ContractSchema))


# ------------------------------------------------------------------ billing runs

class RunInSchema(Strict):
    month = Text(required=True, validate=MONTH, metadata={"description": "a month over in every time zone, YYYY-MM"})
    issue = StrictBoolean(load_default=True, metadata={
        "description": "true: issue (number) the invoices; false: leave drafts to review and issue later"})


class RunSchema(Schema):
    id = fields.String()
    month = fields.String()
    issue = fields.Boolean()
    status = fields.String(metadata={"enum": RUN_STATUSES})
    progress = fields.Float(metadata={"description": "0..1: customers settled / customers to bill"})
    customers_total = fields.Integer()
    customers_done = fields.Integer()
    invoices_created = fields.Integer()
    problems = fields.List(fields.Dict(), metadata={"description": "customers not billed: {customer, field, message}"})
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class RunQuerySchema(Strict):
    month = Text(load_default=None, validate=MONTH)
    status = Text(load_default=None, validate=validate.OneOf(RUN_STATUSES))
    limit = Limit(50, 500)
    offset = Offset()


class RunPageSchema(Schema):
    items = fields.List(fields.Nested(RunSchema))


class PreviewQuerySchema(Strict):
    month = Text(required=True, validate=MONTH)
    customer = Id(load_default=None)


class ChargeLineSchema(Schema):
    kind = fields.String()
    asset_type = fields.String()
    asset_code = fields.String(attribute="asset_id")
    trip_ref = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Function(lambda x: str(plain(x.unit_price)))
    amount = fields.Function(lambda x: str(x.amount))
    tax_category = fields.String()
    tax_rate = fields.Function(lambda x: str(plain(x.tax_rate)))
    contract_id = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    refs = fields.List(fields.String())


class VatSchema(Schema):
    category = fields.String()
    rate = fields.Function(lambda v: str(plain(v.rate)))
    taxable_amount = fields.Function(lambda v: str(v.taxable_amount))
    tax_amount = fields.Function(lambda v: str(v.tax_amount))


class ProblemSchema(Schema):
    field = fields.String()
    message = fields.String()


class BillSchema(Schema):
    customer = fields.String(attribute="customer_id")
    time_zone = fields.String(metadata={"description": "the zone the days were counted in"})
    currency = fields.Function(lambda b: b.totals.currency if b.totals else None, allow_none=True)
    net_total = fields.Function(lambda b: str(b.totals.net_total) if b.totals else None, allow_none=True)
    tax_total = fields.Function(lambda b: str(b.totals.tax_total) if b.totals else None, allow_none=True)
    gross_total = fields.Function(lambda b: str(b.totals.gross_total) if b.totals else None, allow_none=True)
    vat = fields.Function(lambda b: VatSchema(many=True).dump(b.totals.vat if b.totals else ()),
                          metadata={"type": "array", "items": {"type": "object"}})
    lines = fields.List(fields.Nested(ChargeLineSchema))
    problem = fields.Nested(ProblemSchema, allow_none=True,
                            metadata={"description": "why the customer cannot be billed (no tariff, two currencies)"})


class PreviewSchema(Schema):
    month = fields.String()
    customers = fields.List(fields.Nested(BillSchema))
