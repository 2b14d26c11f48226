"""Assets, trips and events as the API shows them."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.domain.states import STATE_NAMES
from app.platform.fields import Cursor, Filter, Id, Limit, Strict, Text


class TripSchema(Schema):
    """A trip; for a customer user only its own share: null where another holder had the asset."""

    seq = fields.Integer()
    opened_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    collected_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    origin_site = fields.String(allow_none=True)
    return_site = fields.String(allow_none=True)
    customers = fields.List(fields.String())
    outbound_km = fields.Float(allow_none=True)
    transfer_km = fields.Float(allow_none=True)
    return_km = fields.Float(allow_none=True)


class AssetSchema(Schema):
    code = fields.String()
    alias = fields.String(allow_none=True)
    asset_type = fields.String()
    serial = fields.String()
    state = fields.String(metadata={"enum": sorted(STATE_NAMES)})
    holder = fields.String(allow_none=True)
    holder_since = fields.DateTime(allow_none=True)
    site = fields.String(allow_none=True)
    trip_count = fields.Integer()
    last_seen_at = fields.DateTime(allow_none=True)
    registered_at = fields.DateTime()
    open_trip = fields.Nested(TripSchema, allow_none=True, metadata={
        "description": "the open trip; null when none is open, and always null in the listing (GET /assets)"})


class AssetPageSchema(Schema):
    items = fields.List(fields.Nested(AssetSchema))
    next_cursor = fields.String(allow_none=True)


class AssetQuerySchema(Strict):
    state = Text(validate=validate.OneOf(sorted(STATE_NAMES)))
    customer = Filter()
    type = Filter()
    site = Filter()
    limit = Limit(100, 500)
    cursor = Cursor()


class RegisterAssetsSchema(Strict):
    asset_type = Id(required=True)
    count = fields.Integer(validate=validate.Range(1, 10_000))
    site = Id(metadata={"description": "Depot where the new assets start."})
    aliases = fields.List(Text(validate=validate.Length(1, 40)), validate=validate.Length(1, 10_000))


class RegisteredSchema(Schema):
    asset_type = fields.String()
    count = fields.Integer()
    codes = fields.List(fields.String())
    digital_links = fields.List(fields.String())


class EventSchema(Schema):
    id = fields.String()
    event = fields.String()
    occurred_at = fields.DateTime()
    recorded_at = fields.DateTime()
    site = fields.String(allow_none=True, metadata={"description": "null: another customer's site"})
    customer = fields.String(allow_none=True)
    status = fields.String()
    anomaly = fields.String(allow_none=True)
    biz_step = fields.String()
    disposition = fields.String()
