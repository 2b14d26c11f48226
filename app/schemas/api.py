"""Request and response schemas of the JSON API."""
from __future__ import annotations

from flask import current_app
from marshmallow import RAISE, Schema, fields, validate

from ..auth import ROLES
from ..domain.states import STATE_NAMES
from .fields import CLOCK, Cursor, Email, Filter, FullMatch, Id, Limit, Text, Timestamp, time_zone


class Strict(Schema):
    class Meta:
        unknown = RAISE


class BatchSize(validate.Validator):
    """1 to MAX_BATCH_SCANS items: the limit is the running app's setting, read per request
    (register_api writes the configured value into the OpenAPI document as maxItems)."""

    def __call__(self, value):
        return validate.Length(1, current_app.config["SETTINGS"].max_batch_scans)(value)


class StrictBoolean(fields.Boolean):
    """A JSON `true` or `false`, nothing else (marshmallow's Boolean also takes 0, 1, "yes", ...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def query_boolean(**kwargs) -> fields.Boolean:
    """`true` or `false` in a query string."""
    return fields.Boolean(truthy={"true"}, falsy={"false"}, **kwargs)


class ScanBatchSchema(Strict):
    scans = fields.List(fields.Raw(allow_none=True), required=True, validate=BatchSize(),
                        metadata={"items": {"$ref": "#/components/schemas/ScanIn"}, "minItems": 1,
                                  "description": "1 to MAX_BATCH_SCANS scans (a setting, 5,000 by default); "
                                                 "each is judged on its own."})


class ScanResultSchema(Schema):
    id = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["applied", "duplicate", "anomaly", "rejected"]})
    message = fields.String(allow_none=True)
    asset = fields.Dict()


class ScanBatchResultSchema(Schema):
    results = fields.List(fields.Nested(ScanResultSchema))
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())


class ScanRejectedSchema(Schema):
    """The error body of a batch none of whose scans was accepted."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict()
    results = fields.List(fields.Nested(ScanResultSchema))
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())


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
    open_trip = fields.Nested(TripSchema, allow_none=True)


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


class CustomerSchema(Strict):
    id = Id(required=True)
    name = Text(required=True, validate=validate.Length(1, 120))
    contact_email = Email(allow_none=True, validate=validate.Length(max=200))
    active = StrictBoolean()
    publish_certificate_figures = fields.Boolean(dump_only=True, metadata={
        "description": "changed through /customers/<id>/settings"})
    created_at = fields.DateTime(dump_only=True)


class CustomerSettingsSchema(Strict):
    customer = fields.String(dump_only=True)
    publish_certificate_figures = StrictBoolean(
        required=True, metadata={"description": "show certificate figures on the public verification page and API"})


class CustomerUpdateSchema(CustomerSchema):
    class Meta:
        exclude = ("id",)
        unknown = RAISE

    name = Text(validate=validate.Length(1, 120))


class SiteSchema(Strict):
    id = Id(required=True)
    name = Text(required=True, validate=validate.Length(1, 120))
    kind = Text(required=True, validate=validate.OneOf(["depot", "customer"]))
    customer_id = Id(allow_none=True)
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    address = Text(multiline=True, allow_none=True, validate=validate.Length(max=300))
    opening_hours = fields.Dict(
        keys=Text(validate=validate.OneOf(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])),
        values=fields.List(Text(validate=CLOCK), validate=validate.Length(2, 2)), allow_none=True)
    timezone = Text(validate=[validate.Length(1, 40), time_zone],
                    metadata={"description": "IANA time zone, e.g. Europe/Berlin"})
    active = StrictBoolean()
    created_at = fields.DateTime(dump_only=True)


class SiteUpdateSchema(SiteSchema):
    class Meta:
        exclude = ("id", "kind")
        unknown = RAISE

    name = Text(validate=validate.Length(1, 120))
    lat = fields.Float(validate=validate.Range(-90, 90))
    lon = fields.Float(validate=validate.Range(-180, 180))


class SiteQuerySchema(Strict):
    kind = Text(validate=validate.OneOf(["depot", "customer"]))
    customer = Filter()


class AssetTypeSchema(Strict):
    id = Id(required=True)
    name = Text(required=True, validate=validate.Length(1, 120))
    company_prefix = Text(required=True, validate=FullMatch(r"[0-9]{6,12}", error="6 to 12 digits"))
    grai_asset_type = Text(required=True, validate=FullMatch(r"[0-9]{0,6}", error="up to 6 digits"))
    tare_mass_kg = fields.Float(required=True, validate=validate.Range(min=0, max=100_000, min_inclusive=False))
    volume_l = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1_000_000, min_inclusive=False))
    load_units = fields.Float(validate=validate.Range(min=0, max=1000, min_inclusive=False))
    lca_profile = Text(allow_none=True, validate=validate.Length(1, 60))
    overdue_days = fields.Integer(validate=validate.Range(1, 3650))
    next_serial = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class AssetTypeUpdateSchema(AssetTypeSchema):
    class Meta:
        exclude = ("id", "company_prefix", "grai_asset_type")
        unknown = RAISE

    name = Text(validate=validate.Length(1, 120))
    tare_mass_kg = fields.Float(validate=validate.Range(min=0, max=100_000, min_inclusive=False))


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


class AnomalySchema(Schema):
    id = fields.Integer()
    asset = fields.String()
    reason = fields.String()
    event = fields.String()
    scan_id = fields.String()
    occurred_at = fields.DateTime()
    site = fields.String()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolution_note = fields.String(allow_none=True)
    cleared_by_later_scan = fields.Boolean()


class AnomalyPageSchema(Schema):
    items = fields.List(fields.Nested(AnomalySchema))
    next_cursor = fields.String(allow_none=True)


class AnomalyQuerySchema(Strict):
    include_resolved = query_boolean(load_default=False)
    limit = Limit(100, 500)
    cursor = Cursor()


class ResolveSchema(Strict):
    note = Text(multiline=True, required=True, validate=validate.Length(1, 2000))


class UserSchema(Strict):
    id = fields.Integer(dump_only=True)
    name = Text(required=True, validate=validate.Length(1, 120))
    email = Email(allow_none=True, validate=validate.Length(max=200))
    role = Text(required=True, validate=validate.OneOf(ROLES))
    customer_id = Id(allow_none=True)
    password = Text(load_only=True, validate=validate.Length(10, 200))
    active = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class PasswordChangeSchema(Strict):
    current_password = Text(required=True, validate=validate.Length(1, 200))
    new_password = Text(required=True, validate=validate.Length(10, 200))


class TokenRequestSchema(Strict):
    name = Text(required=True, validate=validate.Length(1, 120))


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    user = fields.String()
    role = fields.String()
    customer = fields.String(allow_none=True)
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    token = fields.String(metadata={"description": "The secret: shown once, at creation."})
