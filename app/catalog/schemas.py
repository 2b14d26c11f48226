"""Customers, sites and asset types as the API reads and writes them."""
from __future__ import annotations

from marshmallow import RAISE, fields, validate

from app.platform.fields import CLOCK, Email, Filter, FullMatch, Id, Strict, StrictBoolean, Text, time_zone


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
