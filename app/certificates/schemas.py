"""Request and response schemas of the certificates API."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from app.platform.fields import MONTH, Filter, Id, Limit, Offset, Text


class IssueSchema(Schema):
    class Meta:
        unknown = RAISE

    month = Text(required=True, validate=MONTH, metadata={"description": "a complete month, YYYY-MM"})
    customer = Id(load_default=None,
                  metadata={"description": "one customer; omitted: every customer with trips + operator summary"})


class IssuedSchema(Schema):
    mode = fields.String(metadata={"enum": ["inline", "queued"]})
    job_id = fields.String(allow_none=True)
    serials = fields.List(fields.String(), allow_none=True)


class CertificateQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    customer = Filter(load_default=None, metadata={"description": "customer id, or 'operator' for the summary"})
    month = Text(load_default=None, validate=MONTH)
    status = Text(load_default=None, validate=validate.OneOf(["valid", "superseded", "revoked"]))
    limit = Limit(100, 1000)
    offset = Offset()


class CertificateSchema(Schema):
    serial = fields.String()
    scope = fields.String()
    customer = fields.String(attribute="customer_id", allow_none=True)
    month = fields.String()
    revision = fields.Integer()
    status = fields.String(metadata={"enum": ["valid", "superseded", "revoked"]})
    superseded_by = fields.String(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    revocation_reason = fields.String(allow_none=True)
    issued_at = fields.DateTime()
    factor_set = fields.String()
    inputs_sha256 = fields.String()
    trip_count = fields.Integer()
    avoided_kg_co2e = fields.Float()
    low_kg_co2e = fields.Float()
    high_kg_co2e = fields.Float()
    key_id = fields.String()
    links = fields.Method("_links")

    def _links(self, cert) -> dict:
        base = f"/api/v1/certificates/{cert.serial}"
        return {"self": base, "pdf": base + ".pdf", "json": base + ".json", "verify_page": f"/verify/{cert.serial}",
                "verification": base + "/verification"}


class CertificateDetailSchema(CertificateSchema):
    document = fields.Dict()
    signature = fields.String()


class CertificatePageSchema(Schema):
    items = fields.List(fields.Nested(CertificateSchema))


class SignedCertificateSchema(Schema):
    document = fields.Dict(required=True, metadata={"description": "the certificate's figures and assumptions"})
    signature = fields.String(required=True, metadata={"description": "base64 Ed25519 signature of the RFC 8785 "
                                                                      "canonical JSON of `document`"})
    algorithm = fields.String(required=True, metadata={"enum": ["Ed25519"]})
    key_id = fields.String(required=True, metadata={"description": "hex SHA-256 of the raw public key"})


class JobSchema(Schema):
    job_id = fields.String()
    status = fields.String(metadata={"enum": ["queued", "started", "deferred", "scheduled", "finished", "stopped",
                                              "canceled", "failed"]})
    serials = fields.List(fields.String(), allow_none=True)


class PublicKeySchema(Schema):
    algorithm = fields.String()
    key_id = fields.String(metadata={"description": "hex SHA-256 of the 32-byte raw public key"})
    public_key_pem = fields.String()


class RevokeSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = Text(required=True, multiline=True, validate=validate.Length(1, 500),
                  metadata={"description": "why the certificate is withdrawn (kept with it)"})


class PublicAssetTypeRowSchema(Schema):
    asset_type = fields.String()
    name = fields.String()
    lca_profile = fields.String(allow_none=True)
    trip_count = fields.Integer()
    credited = fields.Boolean()
    reason = fields.String(allow_none=True)
    avoided_kg_co2e = fields.Float(allow_none=True)
    low_kg_co2e = fields.Float(allow_none=True)
    high_kg_co2e = fields.Float(allow_none=True)


class PublicFiguresSchema(Schema):
    customer = fields.Dict(metadata={"description": "{id, name} of the certificate's holder"})
    trip_count = fields.Integer()
    avoided_kg_co2e = fields.Float()
    low_kg_co2e = fields.Float()
    high_kg_co2e = fields.Float()
    by_asset_type = fields.List(fields.Nested(PublicAssetTypeRowSchema))
    factor_set = fields.Dict()
    profile_set = fields.Dict()
    inputs_sha256 = fields.String()
    method_statement = fields.String()


class VerificationSchema(Schema):
    serial = fields.String()
    status = fields.String(metadata={"enum": ["valid", "superseded", "revoked", "unknown"]})
    signature_valid = fields.Boolean(metadata={"description": "the stored document still matches its signature"})
    issuer = fields.String()
    month = fields.String()
    revision = fields.Integer()
    issued_at = fields.DateTime()
    superseded_by = fields.String(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    key_id = fields.String()
    figures_published = fields.Boolean(metadata={"description": "the holder chose to publish the figures"})
    figures = fields.Nested(PublicFiguresSchema, allow_none=True)


class VerifyResultSchema(Schema):
    valid = fields.Boolean()
    reason = fields.String()
    serial = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    superseded_by = fields.String(allow_none=True)
    key_id = fields.String(allow_none=True)
