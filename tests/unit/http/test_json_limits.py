"""The JSON reader of request bodies: depth and number limits, RFC 8259 only."""
from __future__ import annotations

import pytest

from app.platform import json_limits
from app.platform.json_limits import MAX_DEPTH, MAX_NUMBER_DIGITS, InvalidJSON, JSONTooComplex, loads


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_depth_up_to_the_limit_is_read():
    assert loads(nested(MAX_DEPTH)) == eval(nested(MAX_DEPTH))  # noqa: S307 (a literal of empty lists)
    assert loads('{"a": {"b": [1, {"c": 2}]}}') == {"a": {"b": [1, {"c": 2}]}}


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 500, 50_000])
def test_deeper_is_refused(levels):
    with pytest.raises(JSONTooComplex, match=f"deeper than {MAX_DEPTH}"):
        loads(nested(levels))


def test_objects_count_as_levels():
    doc = '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
    with pytest.raises(JSONTooComplex):
        loads(doc)


@pytest.mark.parametrize("literal", ["1" * (MAX_NUMBER_DIGITS + 1), "-" + "9" * 4_400, "1." + "0" * 45,
                                     "1e" + "1" * 45])
def test_long_numbers_are_refused(literal):
    with pytest.raises(JSONTooComplex, match=f"more than {MAX_NUMBER_DIGITS} digits"):
        loads(f"[{literal}]")


def test_numbers_within_the_limit_are_exact():
    assert loads("9" * MAX_NUMBER_DIGITS) == int("9" * MAX_NUMBER_DIGITS)
    assert loads("-12.5e3") == -12500.0


@pytest.mark.parametrize("doc", ["1e400", "-1e999"])
def test_infinite_floats_are_refused(doc):
    with pytest.raises(JSONTooComplex, match="out of range"):
        loads(doc)


@pytest.mark.parametrize("doc", ["NaN", "[Infinity]", '{"a": -Infinity}', "{", "", b"\xff\xfe{"])
def test_not_json_is_invalid_json(doc):
    with pytest.raises(InvalidJSON) as err:
        loads(doc)
    assert not isinstance(err.value, JSONTooComplex)


def test_bytes_are_read():
    assert json_limits.loads(b'{"a": "\\u00e9"}') == {"a": "\u00e9"}
