"""Every error leaves as JSON naming the field and the problem; never a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from .domain.errors import DomainError

log = logging.getLogger(__name__)


def error_body(status: int, message: str, field: str | None = None, **extra) -> dict:
    body = {"code": status, "status": _phrase(status), "message": message}
    if field is not None:
        body["errors"] = {field: [message]}
    body.update(extra)
    return body


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def http_error(err: HTTPException):
    """An HTTP error as JSON, with the exception's own headers (Allow on 405,
    WWW-Authenticate on 401, Retry-After on 429) and the problems flask-smorest and
    webargs attach to it (`errors`, `messages`, `headers`)."""
    status = err.code or 500
    data = getattr(err, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or (_first_problem(errors) if errors else None) or err.description or _phrase(status)
    body = error_body(status, message)
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    for key, value in err.get_headers():
        if key.lower() != "content-type":  # werkzeug's default is its HTML page
            response.headers[key] = value
    for key, value in (data.get("headers") or {}).items():
        response.headers[key] = value
    return response


def _first_problem(errors, path: tuple[str, ...] = ()) -> str | None:
    """`field: problem` for the first problem of webargs' nested messages
    (`{"json": {"scans": {"0": {"id": ["Not a valid UUID."]}}}}` -> `scans.0.id: Not a valid UUID.`)."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            # the location (json, query) and marshmallow's `_schema` are not part of the field's name
            skip = key == "_schema" or (not path and key in ("json", "query", "path", "headers", "form"))
            inner = path if skip else path + (str(key),)
            found = _first_problem(value, inner)
            if found:
                return found
        return None
    if isinstance(errors, list) and errors:
        if all(isinstance(item, str) for item in errors):
            return f"{'.'.join(path) or 'body'}: {errors[0]}"
        return _first_problem(errors[0], path)
    if isinstance(errors, str):
        return f"{'.'.join(path) or 'body'}: {errors}"
    return None


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        return jsonify(error_body(err.status, f"{err.field}: {err.message}", err.field)), err.status

    @app.errorhandler(413)
    def _too_large(_err):
        limit = app.config["MAX_CONTENT_LENGTH"]
        return jsonify(error_body(413, f"body: request body exceeds {limit} bytes", "body")), 413

    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error_body(500, "internal error; it has been logged")), 500
