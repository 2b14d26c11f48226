"""The API's blueprint: authenticate first, parse within limits, document every answer.

Every view of an `ApiBlueprint` is checked by `auth.check_access` before flask-smorest
parses its arguments, so an anonymous body never reaches a parser; views anyone may call
are marked with `auth.public`. The OpenAPI document lists the error answers each view
can give, derived from the same declarations (roles, path parameters, JSON body).
"""
from __future__ import annotations

import re

import flask_smorest
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

from .. import auth, json_limits
from . import responses


class ApiParser(FlaskParser):
    """webargs' Flask parser with the JSON limits; a body it cannot read answers 400 naming the problem."""

    INVALID_JSON_STATUS = 400

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


_PATH_PARAMETER = re.compile(r"<[^>]+>")


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = ApiParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(auth.check_access)

    def route(self, rule, *, parameters=None, tags=None, **options):
        register = super().route(rule, parameters=parameters, tags=tags, **options)
        # Every path parameter names something that may not exist (or not for this caller).
        names_something = bool(_PATH_PARAMETER.search(rule))

        def decorator(view):
            view = self._decorate_view_func_or_method_view(lambda fn: _document_access(fn, names_something), view)
            return register(view)

        return decorator

    def arguments(self, schema, *, location="json", **kwargs):
        parse = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return lambda view: responses.documented(422)(parse(view))

        def decorator(view):
            return responses.documented(self.ARGUMENTS_PARSER.INVALID_JSON_STATUS, 413, 422)(parse(view))

        return decorator


def _document_access(view, names_something: bool):
    """The answers `auth.check_access` and the path give, in the view's OpenAPI operation."""
    access = auth.access_of(view)
    statuses = [404] if names_something else []
    if access == auth.PUBLIC:
        return flask_smorest.Blueprint.doc(security=[])(responses.documented(*statuses)(view))
    statuses += [401, 429] + ([403] if access else [])
    return responses.documented(*sorted(statuses))(view)
