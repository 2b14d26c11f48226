"""Balances, statements, overdue assets and KPIs as the API shows them."""
from __future__ import annotations

from marshmallow import Schema, fields

from app.platform.fields import Strict, Timestamp


class BalanceSchema(Schema):
    customer = fields.String()
    total = fields.Integer()
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_site = fields.Dict(keys=fields.String(), values=fields.Integer())
    overdue = fields.Integer()
    as_of = fields.DateTime()


class OverdueAssetSchema(Schema):
    code = fields.String()
    asset_type = fields.String()
    site = fields.String(allow_none=True)
    holder_since = fields.DateTime()
    days_held = fields.Integer()
    overdue_after_days = fields.Integer()


class OverdueSchema(Schema):
    customer = fields.String()
    items = fields.List(fields.Nested(OverdueAssetSchema))


class StatementQuerySchema(Strict):
    from_ = Timestamp(data_key="from", required=True)
    to = Timestamp(required=True)


class StatementSchema(Schema):
    customer = fields.String()
    from_ = fields.DateTime(data_key="from", attribute="from")
    to = fields.DateTime()
    by_type = fields.Dict()
    total = fields.Dict()


class KpiSchema(Schema):
    window_days = fields.Integer()
    assets_total = fields.Integer()
    assets_by_state = fields.Dict(keys=fields.String(), values=fields.Integer())
    trips_completed = fields.Integer()
    cycles_per_asset_per_year = fields.Float()
    avg_cycle_days = fields.Float(allow_none=True)
    avg_dwell_days_at_customer = fields.Float(allow_none=True)
    loss_rate = fields.Float()
    return_rate = fields.Float(allow_none=True)
    as_of = fields.String(metadata={"format": "date-time"})
