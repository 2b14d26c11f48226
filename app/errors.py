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


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        return jsonify(error_body(err.status, f"{err.field}: {err.message}", err.field)), err.status

    @app.errorhandler(413)
    def _too_large(_err):
        limit = app.config["MAX_CONTENT_LENGTH"]
        return jsonify(error_body(413, f"body: request body exceeds {limit} bytes", "body")), 413

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        # flask-smorest puts validation details in err.data; keep them.
        data = getattr(err, "data", None) or {}
        body = error_body(err.code or 500, data.get("message") or err.description or _phrase(err.code))
        if "errors" in data:
            body["errors"] = data["errors"]
        response = jsonify(body)
        for key, value in (data.get("headers") or {}).items():
            response.headers[key] = value
        return response, err.code

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error_body(500, "internal error; it has been logged")), 500
