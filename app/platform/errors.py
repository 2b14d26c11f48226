"""Every error leaves as JSON naming the field and the problem; never a stack trace.
A browser asking for a page (not /api/) gets the same error as an HTML page."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus

from flask import Flask, g, jsonify, make_response, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from app.domain.errors import DomainError
from app.platform import db, redis_store
from app.platform.i18n import _, html_lang, lazy_gettext

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
        found = unavailable(err)
        if found is not None:
            return unavailable_json(found)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error_body(500, "internal error; it has been logged")), 500


# ---- HTML error pages for browsers ----

# Fixed wording where the detail would tell too much (404, 403) or nothing useful (500).
PAGE_TEXT = {
    403: (lazy_gettext("Not allowed"), lazy_gettext("Your account's role cannot open this page.")),
    404: (lazy_gettext("Page not found"), lazy_gettext("There is no such page, or your account cannot see it.")),
    500: (lazy_gettext("Something went wrong"),
          lazy_gettext("The error has been logged. Please try again in a moment.")),
}
# Pages' titles for the other statuses; the English title is the HTTP phrase as before.
PAGE_TITLES = {
    400: lazy_gettext("Bad Request"), 405: lazy_gettext("Method Not Allowed"),
    413: lazy_gettext("Request Entity Too Large"), 429: lazy_gettext("Too Many Requests"),
}
# Werkzeug's own descriptions, said in the page's language; a view's own message stays.
PAGE_DETAILS = {
    400: lazy_gettext("The browser (or proxy) sent a request that this server could not understand."),
    405: lazy_gettext("The method is not allowed for the requested URL."),
    413: lazy_gettext("The data value transmitted exceeds the capacity limit."),
    429: lazy_gettext("This user has exceeded an allotted request count. Try again later."),
}
UNAVAILABLE_PARTS = {"database": lazy_gettext("database"), "redis": lazy_gettext("redis")}


def install_error_pages(app: Flask) -> None:
    """Wrap the JSON handlers for HTTP errors and unexpected exceptions registered above, so
    that a browser gets an HTML page and every answer keeps the exception's own headers
    (Allow on 405, Retry-After, WWW-Authenticate). Call it after every other handler is
    registered."""
    handlers = app.error_handler_spec[None][None]
    json_http, json_unexpected = handlers[HTTPException], handlers[Exception]

    def _http(err: HTTPException):
        data = getattr(err, "data", None) or {}
        headers = {k: v for k, v in err.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        if wants_html():
            status = err.code or 500
            default = err.description == type(err).description
            message = data.get("message") or (PAGE_DETAILS.get(status) if default else None) or err.description or ""
            return html_error(status, message, headers, PAGE_TITLES.get(status, err.name))
        response = app.make_response(json_http(err))
        for key, value in headers.items():
            response.headers.setdefault(key, value)
        return response

    def _unexpected(err: Exception):
        if not wants_html():
            return json_unexpected(err)
        found = unavailable(err)
        if found is not None:
            g.setdefault("web_principal", None)  # the page chrome must not ask the failing database again
            return html_error(503, _("The %(part)s is briefly unavailable (%(reason)s). Reload the page in %(s)s "
                                     "seconds.", part=UNAVAILABLE_PARTS[found.component], reason=found.reason,
                                     s=found.retry_after_s),
                              {"Retry-After": str(found.retry_after_s)}, _("Temporarily unavailable"))
        log.exception("unhandled error on %s %s", request.method, request.path)
        return html_error(500, "")

    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)


def wants_html() -> bool:
    """A browser asking for a page: never under /api/, and HTML preferred to JSON (a
    client sending no Accept header or */* gets JSON)."""
    if request.path.startswith("/api/"):
        return False
    return request.accept_mimetypes.best_match(("application/json", "text/html")) == "text/html"


def html_error(status: int, message: str, headers: dict | None = None, title: str | None = None):
    title, message = PAGE_TEXT.get(status, (title or _phrase(status), message))
    try:
        body = render_template("error.html", status=status, title=title, message=message)
    except Exception:  # e.g. the database is down while the page chrome looks up the user
        log.exception("error page for %s could not be rendered", status)
        body = (f"<!doctype html><html lang={html_lang()}><title>{escape(title)}</title><h1>{escape(title)}</h1>"
                f"<p>{escape(message)}</p></html>")
    response = make_response(body, status)
    response.headers.update(headers or {})
    return response
