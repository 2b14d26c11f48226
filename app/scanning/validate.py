"""One scan as sent to a typed `ScanIn`, or the `Rejection` naming the field at fault.

The wire format is defined once, by `ScanInSchema` (app/scanning/schemas.py). Judging
5,000 scans through marshmallow costs more than folding them, so `parse` first tries a
strict fast path that accepts only what the schema certainly accepts, and leaves every
other scan to the schema (which also words the error). The fast path reads its rules
(keys, lengths, allowed control characters, event names) off the schema's fields, and
tests/unit/scanning/test_validate.py checks that both paths answer alike on any input.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from marshmallow import ValidationError
from marshmallow import validate as mv

from app.domain.inputs import bad_text
from app.domain.states import EVENT_NAMES, EventType
from app.platform.config import timestamp_bounds
from app.platform.fields import Text
from app.scanning.schemas import ScanInSchema
from labels.codes import Alias, parse_code
from labels.errors import LabelError


@dataclass(frozen=True, slots=True)
class ScanIn:
    """A well-formed scan: the schema's fields, the event as its code, and how to find
    the asset: ("code", GRAI AI value) or ("alias", text)."""

    id: uuid.UUID
    code: str  # as sent (stored as the scan's raw code)
    event: EventType
    site: str
    customer: str | None
    occurred_at: datetime
    device: str | None
    lookup: tuple[str, str]

    @property
    def scan_id(self) -> str:
        return str(self.id)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a scan is not stored: the field (of the scan, "" for the scan itself) and the problem."""

    field: str
    problem: str
    scan_id: str | None = None  # the id as sent, when it was a string


@dataclass(frozen=True)
class Limits:
    """The bounds a scan's time must keep: the accepted range (the same bounds the schema's
    Timestamp field reads) and how far ahead of the server clock a device may be."""

    earliest: datetime
    latest: datetime
    now: datetime
    future_tolerance_s: int

    @classmethod
    def of(cls, settings, now: datetime | None = None) -> Limits:
        earliest, latest = timestamp_bounds()
        return cls(earliest, latest, now or datetime.now(timezone.utc), settings.future_tolerance_s)


_schema = ScanInSchema()


def parse(raw, limits: Limits, fast: bool = True) -> ScanIn | Rejection:
    """Judge one item of a batch on its own. `fast=False` skips the fast path (for tests)."""
    if not isinstance(raw, dict):
        return Rejection("", "each scan must be a JSON object")
    sent_id = raw["id"] if isinstance(raw.get("id"), str) else None
    data = _fast_load(raw, limits) if fast else None
    if data is None:
        try:
            data = _schema.load(raw)
        except ValidationError as err:
            field, msgs = next(iter(sorted(err.messages.items())))
            return Rejection(field, "; ".join(msgs) if isinstance(msgs, list) else str(msgs), sent_id)
    sent_id = str(data["id"])
    at = data["occurred_at"]
    if at > limits.now + timedelta(seconds=limits.future_tolerance_s):
        return Rejection("occurred_at", f"{at.isoformat()} is in the future (server time "
                                        f"{limits.now.isoformat(timespec='seconds')})", sent_id)
    try:
        code = parse_code(data["code"])
    except LabelError as err:
        return Rejection("code", err.message, sent_id)
    lookup = ("alias", code.text) if isinstance(code, Alias) else ("code", code.ai_value)
    return ScanIn(data["id"], data["code"], EVENT_NAMES[data["event"]], data["site"], data["customer"], at,
                  data["device"], lookup)


@dataclass(frozen=True)
class _TextRule:
    key: str
    required: bool
    most: int  # characters
    allowed: str  # control characters the field may carry


def _text_rules(schema: ScanInSchema) -> tuple[_TextRule, ...]:
    """The length-limited text fields of the schema, as the fast path checks them."""
    rules = []
    for name, f in schema.load_fields.items():
        lengths = [v for v in f.validators if isinstance(v, mv.Length)]
        if isinstance(f, Text) and lengths:
            (length,) = lengths
            assert length.min == 1 and length.max is not None and length.equal is None, name
            rules.append(_TextRule(f.data_key or name, f.required, length.max, f.allowed))
    return tuple(rules)


_KEYS = frozenset(f.data_key or name for name, f in _schema.load_fields.items())
_TEXT = _text_rules(_schema)
_EVENTS = frozenset(next(v for v in _schema.fields["event"].validators if isinstance(v, mv.OneOf)).choices)
assert _KEYS == {"id", "code", "event", "site", "customer", "occurred_at", "device"}, _KEYS  # what _fast_load builds
assert {r.key for r in _TEXT} == {"code", "site", "customer", "device"}, _TEXT


def _fast_load(raw: dict, limits: Limits) -> dict | None:
    """The schema's result for a plainly well-formed scan, or None to let the schema judge."""
    if not raw.keys() <= _KEYS:
        return None
    for rule in _TEXT:
        value = raw.get(rule.key)
        if value is None and not rule.required:
            continue
        if type(value) is not str or not 0 < len(value) <= rule.most or bad_text(value, rule.allowed):
            return None
    event, at, scan_id = raw.get("event"), raw.get("occurred_at"), raw.get("id")
    if type(event) is not str or event not in _EVENTS:
        return None
    if type(at) is not str or len(at) < 20 or at[10] != "T" or type(scan_id) is not str or len(scan_id) != 36:
        return None
    try:
        occurred_at = datetime.fromisoformat(at)
        parsed_id = uuid.UUID(scan_id)
    except ValueError:
        return None
    if occurred_at.utcoffset() is None or not limits.earliest <= occurred_at <= limits.latest:
        return None
    return {"id": parsed_id, "code": raw["code"], "event": event, "site": raw["site"],
            "customer": raw.get("customer"), "occurred_at": occurred_at, "device": raw.get("device")}
