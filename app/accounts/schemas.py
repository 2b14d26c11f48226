"""Users, password changes and API tokens as the API reads and writes them."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.accounts.principal import ROLES
from app.platform.fields import Email, Id, Strict, Text


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
