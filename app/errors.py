"""Every error leaves as JSON naming the field and the problem; never a stack trace."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from .domain.errors import DomainError

log = logging.getLogger(__name__)

# Seconds a client should wait before resending after a passing fault (HTTP 503 +
# Retry-After): a killed session or a deadlock clears at once; Redis restarting or a
# database failing over takes a few seconds.
RETRY_AFTER_S = {"database": 2, "redis": 5}


@dataclass(frozen=True)
class Unavailable:
    component: str  # "database" | "redis"
    reason: str

    @property
    def retry_after_s(self) -> int:
        return RETRY_AFTER_S[self.component]

    @property
    def message(self) -> str:
        return f"{self.component}: temporarily unavailable ({self.reason}); retry in {self.retry_after_s} s"


def unavailable(err: BaseException) -> Unavailable | None:
    """The passing infrastructure fault behind `err` (answered 503, retry), or None (a 500)."""
    from . import db, redis_store

    reason = db.transient_failure(err)
    if reason is not None:
        found = Unavailable("database", reason)
    elif (reason := redis_store.outage(err)) is not None:
        found = Unavailable("redis", reason)
    else:
        return None
    # A warning, not a stack trace: the fault is outside the code and the client retries.
    log.warning("%s on %s %s (%s: %s)", found.message, request.method, request.path,
                err.__class__.__name__, str(err).strip().splitlines()[0] if str(err).strip() else "")
    return found


def unavailable_json(found: Unavailable):
    response = jsonify(error_body(503, found.message, retry_after_s=found.retry_after_s))
    response.status_code = 503
    response.headers["Retry-After"] = str(found.retry_after_s)
    return response


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
        found = unavailable(err)
        if found is not None:
            return unavailable_json(found)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error_body(500, "internal error; it has been logged")), 500
