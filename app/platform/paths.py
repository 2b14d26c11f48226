"""Path parameters: integers that fit the id columns, strings of printable text.

Both checks run before any view (for the API, the text check right after
authentication), so no route has to remember them: an id beyond the column's range
cannot exist (404 instead of PostgreSQL's "bigint out of range"), and a string with a
NUL or another control character is refused with 422 naming it.
"""
from __future__ import annotations

from flask import Flask, g, request
from werkzeug.routing import IntegerConverter, ValidationError

from app.domain.errors import DomainError
from app.domain.inputs import BIGINT_MAX, CODE_CONTROLS, text_problem


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` limited to a bigint; `<int(max=2147483647):...>` for integer columns."""

    def __init__(self, map, fixed_digits=0, min=None, max=BIGINT_MAX, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(BIGINT_MAX)):  # also spares int() a many-thousand-digit string
            raise ValidationError()
        return super().to_python(value)


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered: rules bind their converters when added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_value_preprocessor(_check_text_values)


def _check_text_values(_endpoint, values: dict | None) -> None:
    for name, value in (values or {}).items():
        if isinstance(value, str):
            # An asset code may be raw scanner data, as in a scan's `code`.
            problem = text_problem(value, CODE_CONTROLS if name == "code" else "")
            if problem and request.path.startswith("/api/"):
                # The API authenticates before it reads anything (401 before 422): the
                # API blueprint raises this after the token check (`raise_deferred`).
                g.path_problem = DomainError(name, problem)
                return
            if problem:
                raise DomainError(name, problem)


def raise_deferred() -> None:
    """A before_request hook of the API blueprints, after authentication."""
    problem = g.pop("path_problem", None)
    if problem is not None:
        raise problem
