"""The wire format of one scan."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from ..domain.states import EVENT_NAMES


class ScanInSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.UUID(required=True, metadata={"description": "Client-generated UUID; resubmitting it is a no-op."})
    code = fields.String(required=True, validate=validate.Length(1, 200),
                         metadata={"description": "GRAI as Digital Link URI, element string, raw GS1 data, EPC URI, or an alias."})
    event = fields.String(required=True, validate=validate.OneOf(sorted(EVENT_NAMES)))
    site = fields.String(required=True, validate=validate.Length(1, 40), metadata={"description": "Id of the site where the scan happens."})
    customer = fields.String(validate=validate.Length(1, 40), load_default=None,
                             metadata={"description": "Receiving customer: required for issue and transfer."})
    occurred_at = fields.AwareDateTime(required=True, error_messages={
        "invalid": "not an ISO 8601 timestamp",
        "invalid_awareness": "needs a UTC offset, e.g. 2026-11-21T08:15:00+01:00",
    })
    device = fields.String(validate=validate.Length(1, 64), load_default=None)
