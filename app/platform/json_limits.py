"""JSON request bodies within limits: nesting depth and number length are capped.

Python's json module recurses once per nesting level (a body 50,000 levels deep raises
RecursionError) and turns number literals of any length into ints (CPython refuses more
than 4,300 digits with ValueError; below that, conversion time grows quadratically). No
document this service accepts needs more than a few levels or more than 17 significant
digits, so everything beyond the limits is refused with a message naming the problem.
"""
from __future__ import annotations

import json
import math

from flask import Flask, Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 40


class InvalidJSON(ValueError):
    """The body is not a JSON document; str() says why."""


class JSONTooComplex(InvalidJSON):
    """The body is JSON beyond the limits (nesting depth, number length)."""


def loads(data: bytes | str):
    """Parse a JSON document (RFC 8259: no NaN or Infinity) within the limits."""
    try:
        value = json.loads(data, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise JSONTooComplex(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except JSONTooComplex:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, InvalidJSON from _constant
        raise InvalidJSON(f"not a valid JSON document ({exc})") from None
    _check_depth(value)
    return value


def _digits(literal: str) -> int:
    return sum(ch.isdigit() for ch in literal)


def _int(literal: str) -> int:
    if _digits(literal) > MAX_NUMBER_DIGITS:
        raise JSONTooComplex(f"number {literal[:20]}... has more than {MAX_NUMBER_DIGITS} digits")
    return int(literal)


def _float(literal: str) -> float:
    if _digits(literal) > MAX_NUMBER_DIGITS:
        raise JSONTooComplex(f"number {literal[:20]}... has more than {MAX_NUMBER_DIGITS} digits")
    value = float(literal)
    if not math.isfinite(value):
        raise JSONTooComplex(f"number {literal} is out of range")
    return value


def _constant(name: str):
    raise InvalidJSON(f"{name} is not a JSON value")


def _check_depth(value) -> None:
    # Iterative: the parsed document may still be a few hundred levels deep.
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JSONTooComplex(f"JSON nested deeper than {MAX_DEPTH} levels")
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


class LimitedJSONProvider(DefaultJSONProvider):
    """Flask's `request.get_json()` with the same limits."""

    def loads(self, s, **kwargs):
        return loads(s)


class NamingRequest(Request):
    """A body `get_json()` refuses answers 400 naming the problem (Flask says why only in debug mode)."""

    def on_json_loading_failed(self, e: ValueError | None):
        if isinstance(e, InvalidJSON):
            raise BadRequest(f"body: {e}")
        return super().on_json_loading_failed(e)


def init_app(app: Flask) -> None:
    app.json = LimitedJSONProvider(app)
    app.request_class = NamingRequest
