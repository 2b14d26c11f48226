"""The wire formats of scanning: a scan, a batch and its answer, anomalies."""
from __future__ import annotations

from flask import current_app
from marshmallow import RAISE, Schema, fields, validate

from app.domain.inputs import CODE_CONTROLS
from app.domain.states import EVENT_NAMES
from app.platform.fields import Cursor, Limit, Strict, Text, Timestamp, query_boolean


class ScanInSchema(Schema):
    """The one definition of a scan's fields: the fast path of app/scanning/validate.py reads
    its rules (keys, lengths, allowed control characters, event names) off this schema."""

    class Meta:
        unknown = RAISE

    id = fields.UUID(required=True, metadata={"description": "Client-generated UUID; resubmitting it is a no-op."})
    code = Text(required=True, allowed=CODE_CONTROLS, validate=validate.Length(1, 200),
                metadata={"description": "GRAI as Digital Link URI, element string, raw GS1 data, EPC URI, or an "
                                         "alias. Raw scanner data may carry GS (FNC1) and a trailing CR/LF."})
    event = Text(required=True, validate=validate.OneOf(sorted(EVENT_NAMES)))
    site = Text(required=True, validate=validate.Length(1, 40),
                metadata={"description": "Id of the site where the scan happens."})
    customer = Text(validate=validate.Length(1, 40), load_default=None,
                    metadata={"description": "Receiving customer: required for issue and transfer."})
    occurred_at = Timestamp(required=True, metadata={
        "description": "ISO 8601 with a UTC offset, within TIMESTAMP_MIN..TIMESTAMP_MAX and at most "
                       "SCAN_FUTURE_TOLERANCE_S ahead of the server clock."})
    device = Text(validate=validate.Length(1, 64), load_default=None)


class BatchSize(validate.Validator):
    """1 to MAX_BATCH_SCANS items: the limit is the running app's setting, read per request
    (register_api writes the configured value into the OpenAPI document as maxItems)."""

    def __call__(self, value):
        return validate.Length(1, current_app.config["SETTINGS"].max_batch_scans)(value)


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
