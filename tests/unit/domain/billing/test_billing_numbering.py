"""Gapless document numbers: format, parse back, next in the series, gaps."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.billing.numbering import DocumentNumber, first_number, format_number, missing, next_number, parse_number
from app.domain.errors import DomainError


def test_numbers_read_prefix_year_and_padded_sequence():
    assert format_number("INV", 2026, 123) == "INV-2026-000123"
    assert format_number("ACME-CN", 2026, 7, width=4) == "ACME-CN-2026-0007"
    assert format_number("INV", 2026, 1234567) == "INV-2026-1234567"  # wider once past the padding
    assert parse_number("ACME-INV-2026-000123") == DocumentNumber("ACME-INV", 2026, 123)


@pytest.mark.parametrize("text", ["INV-2026-123", "INV-2026-0000123", "inv-2026-000123", "INV-26-000123",
                                  "INV-2026-000000", "INV2026000123", "-2026-000123", "INV-2026-000123 ",
                                  "INV-1A-2026-000001", "INV--2026-000001", "INV-0999-000001"])
def test_only_the_canonical_form_parses(text):
    with pytest.raises(DomainError) as e:
        parse_number(text)
    assert e.value.field == "number"


@pytest.mark.parametrize("args,field", [(("inv", 2026, 1), "prefix"), (("INV", 26, 1), "year"),
                                        (("INV", 2026, 0), "seq"), (("2026", 2026, 1), "prefix")])
def test_bad_parts_are_refused_naming_them(args, field):
    with pytest.raises(DomainError) as e:
        format_number(*args)
    assert e.value.field == field


def test_the_series_restarts_each_year_and_never_runs_back():
    assert next_number("INV", 2026, None) == first_number("INV", 2026) == DocumentNumber("INV", 2026, 1)
    assert next_number("INV", 2026, DocumentNumber("INV", 2026, 41)) == DocumentNumber("INV", 2026, 42)
    assert next_number("INV", 2027, DocumentNumber("INV", 2026, 41)) == DocumentNumber("INV", 2027, 1)
    with pytest.raises(DomainError):
        next_number("INV", 2025, DocumentNumber("INV", 2026, 41))
    with pytest.raises(DomainError):
        next_number("CN", 2026, DocumentNumber("INV", 2026, 41))


def test_missing_lists_the_gaps_of_a_series():
    assert missing([]) == [] and missing([1, 2, 3]) == []
    assert missing([3, 1, 6]) == [2, 4, 5]


prefixes = st.from_regex(r"[A-Z][A-Z0-9]{0,4}(-[A-Z][A-Z0-9]{0,4}){0,2}", fullmatch=True)


@given(prefixes, st.integers(1000, 9999), st.integers(1, 10**9), st.integers(1, 9))
def test_parse_inverts_format(prefix, year, seq, width):
    text = format_number(prefix, year, seq, width)
    assert parse_number(text, width) == DocumentNumber(prefix, year, seq)
    assert parse_number(text, width).format(width) == text


@given(st.lists(st.integers(1, 200), unique=True))
def test_a_series_is_gapless_exactly_when_it_is_1_to_n(seqs):
    assert (missing(seqs) == []) == (sorted(seqs) == list(range(1, len(seqs) + 1)))
