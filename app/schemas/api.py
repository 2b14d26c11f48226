"""Request and response schemas of the JSON API."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from ..auth import ROLES
from ..domain.states import STATE_NAMES

ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", error="1-40 letters, digits, '.', '_' or '-'")


class Strict(Schema):
    class Meta:
        unknown = RAISE


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
    scans = fields.List(fields.Raw(allow_none=True), required=True, validate=validate.Length(1, 5000),
                        metadata={"items": {"$ref": "#/components/schemas/ScanIn"},
                                  "description": "1 to 5,000 scans; each is judged on its own."})


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
    seq = fields.Integer()
    opened_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    collected_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    outcome = fields.String()
    origin_site = fields.String(allow_none=True)
    return_site = fields.String(allow_none=True)
    customers = fields.List(fields.String())
    outbound_km = fields.Float()
    transfer_km = fields.Float()
    return_km = fields.Float()


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
    state = fields.String(validate=validate.OneOf(sorted(STATE_NAMES)))
    customer = fields.String()
    type = fields.String()
    site = fields.String()
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    cursor = fields.String()


class RegisterAssetsSchema(Strict):
    asset_type = fields.String(required=True)
    count = fields.Integer(validate=validate.Range(1, 10_000))
    site = fields.String(metadata={"description": "Depot where the new assets start."})
    aliases = fields.List(fields.String(validate=validate.Length(1, 40)), validate=validate.Length(1, 10_000))


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
    site = fields.String()
    customer = fields.String(allow_none=True)
    status = fields.String()
    anomaly = fields.String(allow_none=True)
    biz_step = fields.String()
    disposition = fields.String()


class CustomerSchema(Strict):
    id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(1, 120))
    contact_email = fields.Email(allow_none=True)
    active = StrictBoolean()
    created_at = fields.DateTime(dump_only=True)


class CustomerUpdateSchema(CustomerSchema):
    class Meta:
        exclude = ("id",)
        unknown = RAISE

    name = fields.String(validate=validate.Length(1, 120))


class OpeningHoursField(fields.Dict):
    pass


HOURS = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="HH:MM")


class SiteSchema(Strict):
    id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(1, 120))
    kind = fields.String(required=True, validate=validate.OneOf(["depot", "customer"]))
    customer_id = fields.String(allow_none=True)
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    address = fields.String(allow_none=True)
    opening_hours = fields.Dict(
        keys=fields.String(validate=validate.OneOf(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])),
        values=fields.List(fields.String(validate=HOURS), validate=validate.Length(2, 2)), allow_none=True)
    timezone = fields.String(validate=validate.Length(1, 40))
    active = StrictBoolean()
    created_at = fields.DateTime(dump_only=True)


class SiteUpdateSchema(SiteSchema):
    class Meta:
        exclude = ("id", "kind")
        unknown = RAISE

    name = fields.String(validate=validate.Length(1, 120))
    lat = fields.Float(validate=validate.Range(-90, 90))
    lon = fields.Float(validate=validate.Range(-180, 180))


class SiteQuerySchema(Strict):
    kind = fields.String(validate=validate.OneOf(["depot", "customer"]))
    customer = fields.String()


class AssetTypeSchema(Strict):
    id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(1, 120))
    company_prefix = fields.String(required=True, validate=validate.Regexp(r"^\d{6,12}$", error="6 to 12 digits"))
    grai_asset_type = fields.String(required=True, validate=validate.Regexp(r"^\d{0,6}$", error="up to 6 digits"))
    tare_mass_kg = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))
    volume_l = fields.Float(allow_none=True)
    load_units = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    lca_profile = fields.String(allow_none=True)
    overdue_days = fields.Integer(validate=validate.Range(1, 3650))
    next_serial = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class AssetTypeUpdateSchema(AssetTypeSchema):
    class Meta:
        exclude = ("id", "company_prefix", "grai_asset_type")
        unknown = RAISE

    name = fields.String(validate=validate.Length(1, 120))
    tare_mass_kg = fields.Float(validate=validate.Range(min=0, min_inclusive=False))


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
    from_ = fields.AwareDateTime(data_key="from", required=True, default_timezone=None,
                                 error_messages={"invalid_awareness": "needs a UTC offset"})
    to = fields.AwareDateTime(required=True, error_messages={"invalid_awareness": "needs a UTC offset"})


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
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    cursor = fields.String()


class ResolveSchema(Strict):
    note = fields.String(required=True, validate=validate.Length(1, 2000))


class UserSchema(Strict):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 120))
    email = fields.Email(allow_none=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    customer_id = fields.String(allow_none=True)
    password = fields.String(load_only=True, validate=validate.Length(10, 200))
    created_at = fields.DateTime(dump_only=True)


class TokenRequestSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 120))


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
