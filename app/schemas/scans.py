"""The wire format of one scan."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from ..domain.inputs import CODE_CONTROLS
from ..domain.states import EVENT_NAMES
from .fields import Text, Timestamp

# Also enforced, without marshmallow, by the fast path of app/services/scans.py.
LIMITS = {"code": 200, "site": 40, "customer": 40, "device": 64}


class ScanInSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.UUID(required=True, metadata={"description": "Client-generated UUID; resubmitting it is a no-op."})
    code = Text(required=True, allowed=CODE_CONTROLS, validate=validate.Length(1, LIMITS["code"]),
                metadata={"description": "GRAI as Digital Link URI, element string, raw GS1 data, EPC URI, or an "
                                         "alias. Raw scanner data may carry GS (FNC1) and a trailing CR/LF."})
    event = Text(required=True, validate=validate.OneOf(sorted(EVENT_NAMES)))
    site = Text(required=True, validate=validate.Length(1, LIMITS["site"]),
                metadata={"description": "Id of the site where the scan happens."})
    customer = Text(validate=validate.Length(1, LIMITS["customer"]), load_default=None,
                    metadata={"description": "Receiving customer: required for issue and transfer."})
    occurred_at = Timestamp(required=True, metadata={
        "description": "ISO 8601 with a UTC offset, within TIMESTAMP_MIN..TIMESTAMP_MAX and at most "
                       "SCAN_FUTURE_TOLERANCE_S ahead of the server clock."})
    device = Text(validate=validate.Length(1, LIMITS["device"]), load_default=None)
