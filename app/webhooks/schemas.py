"""Request and response schemas of the webhooks API."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from app.domain.webhooks import EVENTS, MAX_URL_LENGTH, STATUSES
from app.platform.fields import Id, Limit, Offset, Text


class SubscriptionInSchema(Schema):
    class Meta:
        unknown = RAISE

    url = Text(required=True, validate=validate.Length(1, MAX_URL_LENGTH), metadata={
        "description": "https:// (http and loopback only for localhost and 127.0.0.1); private, loopback and "
                       "link-local addresses are refused (422)"})
    events = fields.List(Text(validate=validate.OneOf(EVENTS)), required=True,
                         validate=validate.Length(1, len(EVENTS)))
    customer = Id(load_default=None, metadata={
        "description": "only this customer's events; omitted: every customer's (a customer user: its own)"})


class SubscriptionQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    customer = Id(load_default=None)
    limit = Limit(100, 1000)
    offset = Offset()


class SubscriptionSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String(metadata={"enum": list(EVENTS)}))
    customer = fields.String(allow_none=True, metadata={"description": "null: every customer's events"})
    active = fields.Boolean()
    created_at = fields.DateTime()
    secret_rotated_at = fields.DateTime(allow_none=True)


class SubscriptionSecretSchema(SubscriptionSchema):
    secret = fields.String(metadata={"description": "the signing secret; shown in this answer only"})


class SubscriptionPageSchema(Schema):
    items = fields.List(fields.Nested(SubscriptionSchema))


class DeliveryQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    status = Text(load_default=None, validate=validate.OneOf(STATUSES))
    limit = Limit(50, 500)
    offset = Offset()


class AttemptSchema(Schema):
    at = fields.DateTime()
    status_code = fields.Integer(allow_none=True, metadata={"description": "null: no answer"})
    duration_ms = fields.Integer()
    error = fields.String(allow_none=True, metadata={"description": "null: delivered (2xx)"})


class DeliverySchema(Schema):
    id = fields.String(metadata={"description": "X-Webhook-Id, the same on every attempt"})
    event = fields.String(metadata={"enum": list(EVENTS)})
    status = fields.String(metadata={"enum": list(STATUSES)})
    created_at = fields.DateTime()
    next_attempt_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    attempts = fields.List(fields.Nested(AttemptSchema))


class DeliveryPageSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
