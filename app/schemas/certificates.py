"""Request and response schemas of the certificates API."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

# The years the service computes certificates for (certificate_data.parse_month): 2000 to 2999.
MONTH = validate.Regexp(r"^2[0-9]{3}-(0[1-9]|1[0-2])$", error="expected a month as YYYY-MM (2000-01 to 2999-12), "
                                                               "e.g. 2026-10")
ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", error="1-40 letters, digits, '.', '_' or '-'")


class IssueSchema(Schema):
    class Meta:
        unknown = RAISE

    month = fields.String(required=True, validate=MONTH, metadata={"description": "a complete month, YYYY-MM"})
    customer = fields.String(load_default=None, validate=ID,
                             metadata={"description": "one customer; omitted: every customer with trips + operator summary"})


class IssuedSchema(Schema):
    mode = fields.String(metadata={"enum": ["inline", "queued"]})
    job_id = fields.String(allow_none=True)
    serials = fields.List(fields.String(), allow_none=True)


class CertificateQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    customer = fields.String(load_default=None, metadata={"description": "customer id, or 'operator' for the summary"})
    month = fields.String(load_default=None, validate=MONTH)
    status = fields.String(load_default=None, validate=validate.OneOf(["valid", "superseded"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(0))


class CertificateSchema(Schema):
    serial = fields.String()
    scope = fields.String()
    customer = fields.String(attribute="customer_id", allow_none=True)
    month = fields.String()
    revision = fields.Integer()
    status = fields.String(metadata={"enum": ["valid", "superseded"]})
    superseded_by = fields.String(allow_none=True)
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
        return {"self": base, "pdf": base + ".pdf", "json": base + ".json", "verify_page": f"/verify/{cert.serial}"}


class CertificateDetailSchema(CertificateSchema):
    document = fields.Dict()
    signature = fields.String()


class CertificatePageSchema(Schema):
    items = fields.List(fields.Nested(CertificateSchema))


class SignedCertificateSchema(Schema):
    document = fields.Dict(required=True, metadata={"description": "the certificate's figures and assumptions"})
    signature = fields.String(required=True, metadata={"description": "base64 Ed25519 signature of the canonical "
                                                                      "JSON of `document`"})
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


class VerifyResultSchema(Schema):
    valid = fields.Boolean()
    reason = fields.String()
    serial = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    superseded_by = fields.String(allow_none=True)
    key_id = fields.String(allow_none=True)
