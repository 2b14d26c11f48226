"""The error answers of the API in the OpenAPI document: one component per status.

Every error body is `ErrorSchema` (app/platform/errors.py `error_body`). A view lists the errors it
can give with `documented(...)`; `auth.requires`, path parameters and JSON bodies add
theirs automatically (see blueprint.py), so the document follows the code.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import INCLUDE, Schema, fields

from app.platform import json_limits


class ErrorSchema(Schema):
    class Meta:
        # Some errors carry more: `retry_after_s` on 503, `results` of a rejected scan batch,
        # `verification` of an unknown certificate serial.
        unknown = INCLUDE

    code = fields.Integer(required=True, metadata={"description": "the HTTP status"})
    status = fields.String(required=True, metadata={"description": "the HTTP reason phrase"})
    message = fields.String(required=True, metadata={"description": "`field: problem` for the first problem"})
    errors = fields.Dict(metadata={"description": "problems by field (by location, then field, for parsed "
                                                  "arguments: `{\"json\": {\"name\": [...]}}`)"})
    retry_after_s = fields.Integer(metadata={"description": "on 503: the same as the Retry-After header"})


# Response bodies that are not JSON documents.
BINARY = {"type": "string", "format": "binary"}
TEXT = {"type": "string"}

# status -> (component name, description, headers)
ERRORS = {
    400: ("BadRequest", "The body is not a JSON document, or JSON nested deeper than "
                        f"{json_limits.MAX_DEPTH} levels or with a number of more than "
                        f"{json_limits.MAX_NUMBER_DIGITS} digits.", {}),
    401: ("Unauthorized", "No valid bearer token (or signed-in page session).",
          {"WWW-Authenticate": {"description": "`Bearer realm=\"circularity\"`", "required": True,
                                "schema": {"type": "string"}}}),
    403: ("Forbidden", "The caller's role may not use this endpoint.", {}),
    404: ("NotFound", "Something the request names does not exist (or is not visible to the caller).", {}),
    409: ("Conflict", "The request conflicts with the current state (the message says which).", {}),
    413: ("PayloadTooLarge", "The body exceeds `MAX_BODY_BYTES` (4 MiB by default).", {}),
    422: ("UnprocessableEntity", "A value is missing, malformed or not allowed; `errors` names it.", {}),
    429: ("TooManyRequests", "Too many failed authentication attempts from this client.",
          {"Retry-After": {"description": "seconds until the client may try again", "required": True,
                           "schema": {"type": "integer"}}}),
    503: ("ServiceUnavailable", "A passing fault (database connection lost, deadlock, Redis down where the "
                                "operation needs it): resend the same request after `Retry-After` seconds.",
          {"Retry-After": {"description": "seconds until the client should resend", "required": True,
                           "schema": {"type": "integer"}}}),
}


def register_components(spec) -> None:
    # The `Error` schema itself is registered by flask-smorest (ServiceApi.ERROR_SCHEMA).
    for status, (name, description, headers) in ERRORS.items():
        response = {"description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        if headers:
            response["headers"] = headers
        spec.components.response(name, response)


def documented(*statuses: int):
    """Decorator: the view may answer these error statuses (with the error body)."""
    return Blueprint.doc(responses={status: ERRORS[status][0] for status in statuses})
