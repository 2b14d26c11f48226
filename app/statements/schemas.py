"""Request and response schemas of the statements API."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from app.domain.inputs import BIGINT_MAX
from app.domain.statements import STATUSES
from app.platform.fields import MONTH, Id, Limit, Offset, Text

KINDS = ["issued", "transfer_in", "found", "returned", "transfer_out", "lost", "adjustment", "correction"]


class MonthCloseSchema(Schema):
    class Meta:
        unknown = RAISE

    month = Text(required=True, validate=MONTH, metadata={"description": "a month that is over, YYYY-MM"})
    customer = Id(load_default=None, metadata={"description": "one customer; omitted: every customer"})


class MonthlyStatementQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    customer = Id(load_default=None)
    month = Text(load_default=None, validate=MONTH)
    status = Text(load_default=None, validate=validate.OneOf(STATUSES))
    limit = Limit(100, 1000)
    offset = Offset()


class StatementBalanceRowSchema(Schema):
    asset_type = fields.String()
    site = fields.String(metadata={"description": "empty: at no site the caller may see (in transit)"})
    quantity = fields.Integer()


class MonthlyStatementSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "STM-<year>-<sequence>, gapless per year"})
    customer = fields.String()
    month = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    published_at = fields.DateTime()
    deadline = fields.DateTime(metadata={"description": "disputes are accepted before this instant"})
    confirmed_at = fields.DateTime(allow_none=True)
    confirmed_by = fields.Integer(allow_none=True, metadata={"description": "user id; null: at the deadline"})
    opening = fields.List(fields.Nested(StatementBalanceRowSchema))
    closing = fields.List(fields.Nested(StatementBalanceRowSchema))


class ClosedStatementsSchema(Schema):
    items = fields.List(fields.Nested(MonthlyStatementSchema))


class MonthlyStatementPageSchema(Schema):
    items = fields.List(fields.Nested(MonthlyStatementSchema))


class StatementLineSchema(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    day = fields.Date()
    reference = fields.String(metadata={"description": "the scan id, `adjustment for YYYY-MM` or `dispute <id>`"})
    asset_code = fields.String()
    asset_type = fields.String()
    site = fields.String()
    kind = fields.String(metadata={"enum": KINDS})
    quantity = fields.Integer(metadata={"description": "+ into the customer's custody, - out of it"})
    adjustment_for = fields.String(allow_none=True)
    dispute_id = fields.Integer(allow_none=True)


class DisputeSchema(Schema):
    id = fields.Integer()
    statement_id = fields.Integer()
    customer = fields.String()
    lines = fields.List(fields.Integer())
    reason = fields.String()
    status = fields.String(metadata={"enum": ["open", "accepted", "rejected"]})
    opened_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolution_reason = fields.String(allow_none=True)
    correction_statement_id = fields.Integer(allow_none=True,
                                             metadata={"description": "the statement that reverses the lines"})


class StatementAuditSchema(Schema):
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    actor_role = fields.String()
    action = fields.String()
    dispute_id = fields.Integer(allow_none=True)
    detail = fields.Dict()


class MonthlyStatementDetailSchema(MonthlyStatementSchema):
    lines = fields.List(fields.Nested(StatementLineSchema))
    disputes = fields.List(fields.Nested(DisputeSchema))
    audit = fields.List(fields.Nested(StatementAuditSchema))


class DisputeCommentSchema(Schema):
    id = fields.Integer()
    author_role = fields.String()
    body = fields.String()
    created_at = fields.DateTime()


class DisputeEvidenceSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String(metadata={"enum": ["image/jpeg", "image/png", "application/pdf"]})
    size_bytes = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()


class DisputeDetailSchema(DisputeSchema):
    comments = fields.List(fields.Nested(DisputeCommentSchema))
    evidence = fields.List(fields.Nested(DisputeEvidenceSchema))


class OpenDisputeSchema(Schema):
    class Meta:
        unknown = RAISE

    lines = fields.List(fields.Integer(validate=validate.Range(1, BIGINT_MAX)), required=True,
                        validate=validate.Length(1, 1000), metadata={"description": "ids of the disputed lines"})
    reason = Text(required=True, multiline=True, validate=validate.Length(1, 4000))


class DisputeCommentInSchema(Schema):
    class Meta:
        unknown = RAISE

    body = Text(required=True, multiline=True, validate=validate.Length(1, 4000))


class DisputeDecisionSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = Text(load_default=None, multiline=True, validate=validate.Length(1, 4000),
                  metadata={"description": "required to reject"})


class FileUpload(fields.Raw):
    """A file part of a multipart body; its content is checked by the service (evidence.py)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("expected a file")
        return value


class EvidenceUploadSchema(Schema):
    class Meta:
        unknown = RAISE

    file = FileUpload(required=True, metadata={"type": "string", "format": "binary",
                                                "description": "a JPEG or PNG photo or a PDF, at most 3 MiB"})
