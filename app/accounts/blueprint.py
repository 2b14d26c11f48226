"""The API's blueprint: authenticate first, parse within limits, document every answer.

Every view of an `ApiBlueprint` is checked by `auth.check_access` before flask-smorest
parses its arguments, so an anonymous body never reaches a parser; views anyone may call
are marked with `auth.public`. The OpenAPI document lists the error answers each view
can give, derived from the same declarations (roles, path parameters, JSON body).
"""
from __future__ import annotations

import re
from functools import wraps

import flask_smorest
from flask import request
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

from app.accounts import auth
from app.platform import json_limits, paths, responses


class ApiParser(FlaskParser):
    """webargs' Flask parser with the JSON limits; a body it cannot read answers 400 naming the problem.

    Unknown query parameters are refused like unknown body fields (the schemas say so:
    webargs would otherwise drop them silently, and a typo would go unnoticed).
    """

    INVALID_JSON_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        data = req.get_data(cache=True)
        if not data:
            return core.missing  # no body: the schema reports the missing fields
        try:
            return json_limits.loads(data)
        except json_limits.InvalidJSON as exc:
            abort(self.INVALID_JSON_STATUS, message=f"json: {exc}", messages={"json": [str(exc)]})


_PATH_PARAMETER = re.compile(r"<([^>]+)>")


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = ApiParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(auth.check_access)
        self.before_request(paths.raise_deferred)  # a bad path parameter: 422, once the caller is known

    def route(self, rule, *, parameters=None, tags=None, **options):
        register = super().route(rule, parameters=parameters, tags=tags, **options)
        # Every path parameter names something that may not exist (or not for this caller).
        names_something = bool(_PATH_PARAMETER.search(rule))
        # A text path parameter with a control character answers 422 (app/platform/paths.py).
        takes_text = any(":" not in p or p.startswith(("string:", "path:")) for p in _PATH_PARAMETER.findall(rule))

        def decorator(view):
            view = self._decorate_view_func_or_method_view(
                lambda fn: _document_access(fn, names_something, takes_text), view)
            return register(view)

        return decorator

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        parse = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json":
            return lambda view: responses.documented(422)(parse(view))

        def decorator(view):
            parsed = parse(view)
            if required:
                parsed = _body_required(parsed)
            return responses.documented(self.ARGUMENTS_PARSER.INVALID_JSON_STATUS, 413, 422)(parsed)

        return decorator


def _body_required(view):
    """A request without a body is refused, also where every field is optional (an empty PATCH)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not request.get_data(cache=True):
            abort(422, message="json: a JSON document is required", messages={"json": ["a JSON document is required"]})
        return view(*args, **kwargs)

    return wrapper


def _document_access(view, names_something: bool, takes_text: bool = False):
    """The answers `auth.check_access` and the path give, in the view's OpenAPI operation."""
    access = auth.access_of(view)
    # Any operation may meet a passing database fault (503 + Retry-After, app/platform/errors.py).
    statuses = [503] + ([404] if names_something else []) + ([422] if takes_text else [])
    if access == auth.PUBLIC:
        return flask_smorest.Blueprint.doc(security=[])(responses.documented(*statuses)(view))
    statuses += [401, 429] + ([403] if access else [])
    return responses.documented(*sorted(statuses))(view)
