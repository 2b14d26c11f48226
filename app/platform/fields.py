"""The field types every request schema is built from, so one rule holds for every input.

- `Text`: a string without control characters or lone surrogates (app/domain/inputs.py);
  `multiline=True` for free text (notes, reasons, addresses) also allows tab, LF and CR.
- `Id`: an identifier as the catalog assigns them, matched in full.
- `Timestamp` / `Day`: ISO 8601 values inside the configured TIMESTAMP_MIN..TIMESTAMP_MAX.
- `FullMatch`: a pattern that must match the whole value (`$` alone lets "x\\n" pass).
"""
from __future__ import annotations

import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from app.domain.inputs import MULTILINE, day_problem, text_problem, timestamp_problem, zone_problem
from app.platform.config import timestamp_bounds

# Deep paging by offset gets slow long before this; the bound keeps OFFSET a valid bigint.
MAX_OFFSET = 1_000_000


class FullMatch(validate.Regexp):
    """Regexp over the whole value, with ASCII classes (`\\d` is not every script's digits)."""

    def __init__(self, pattern: str, *, error: str | None = None):
        # Anchored for the OpenAPI document, where a JSON Schema `pattern` matches anywhere
        # in the value; the check itself is a full match (no trailing-newline loophole).
        super().__init__(f"^(?:{pattern})$", flags=re.ASCII, error=error)

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


ID = FullMatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}", error="1-40 letters, digits, '.', '_' or '-'")
CLOCK = FullMatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", error="expected HH:MM, e.g. 06:30")
CLOCK_OR_24 = FullMatch(r"([01][0-9]|2[0-3]):[0-5][0-9]|24:00", error="expected HH:MM, e.g. 06:30 (24:00 ends the day)")
# The years the service computes certificates for (certificate_data.parse_month): 2000 to 2999.
MONTH = FullMatch(r"2[0-9]{3}-(0[1-9]|1[0-2])", error="expected a month as YYYY-MM (2000-01 to 2999-12), e.g. 2026-10")


class Text(fields.String):
    """A string of printable text; `allowed` names control characters it may carry anyway."""

    def __init__(self, *, multiline: bool = False, allowed: str = "", **kwargs):
        super().__init__(**kwargs)
        self.allowed = MULTILINE if multiline else allowed

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text, self.allowed)
        if problem:
            raise ValidationError(problem)
        return text


def Id(**kwargs) -> Text:  # noqa: N802 - reads as a field type in schemas
    """An identifier (customer, site, asset type, vehicle...), 1-40 of [A-Za-z0-9._-]."""
    return Text(validate=ID, **kwargs)


def Filter(**kwargs) -> Text:  # noqa: N802
    """A query value compared with stored ids: printable, bounded, not judged further."""
    return Text(validate=validate.Length(1, 200), **kwargs)


def Cursor(**kwargs) -> Text:  # noqa: N802
    """An opaque page cursor as this API hands them out (checked when decoded)."""
    return Text(validate=validate.Length(1, 32), **kwargs)


class Email(Text):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Email(error="not a valid email address"))


def time_zone(value: str) -> str:
    problem = zone_problem(value)
    if problem:
        raise ValidationError(problem)
    return value


class Timestamp(fields.AwareDateTime):
    """An ISO 8601 timestamp with a UTC offset, inside the configured range."""

    default_error_messages = {
        "invalid": "not an ISO 8601 timestamp",
        "invalid_awareness": "needs a UTC offset, e.g. 2026-11-21T08:15:00+01:00",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        at = super()._deserialize(value, attr, data, **kwargs)
        problem = timestamp_problem(at, *timestamp_bounds())
        if problem:
            raise ValidationError(problem)
        return at


class Day(fields.Date):
    """A calendar day YYYY-MM-DD inside the configured range."""

    default_error_messages = {"invalid": "not a date as YYYY-MM-DD"}

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        problem = day_problem(day, *timestamp_bounds())
        if problem:
            raise ValidationError(problem)
        return day


def Limit(default: int, most: int) -> fields.Integer:  # noqa: N802
    return fields.Integer(load_default=default, validate=validate.Range(1, most))


def Offset() -> fields.Integer:  # noqa: N802
    return fields.Integer(load_default=0, validate=validate.Range(0, MAX_OFFSET))


class Strict(Schema):
    class Meta:
        unknown = RAISE


class StrictBoolean(fields.Boolean):
    """A JSON `true` or `false`, nothing else (marshmallow's Boolean also takes 0, 1, "yes", ...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def query_boolean(**kwargs) -> fields.Boolean:
    """`true` or `false` in a query string."""
    return fields.Boolean(truthy={"true"}, falsy={"false"}, **kwargs)
