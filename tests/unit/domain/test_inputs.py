"""Input rules (app/domain/inputs.py) and the configured timestamp range (app/platform/config.py)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.platform.config import Settings, env_datetime
from app.domain.inputs import (CODE_CONTROLS, MULTILINE, bad_text, day_problem, text_problem, timestamp_problem,
                               zone_problem)

UTC = timezone.utc
LOW, HIGH = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]]


@pytest.mark.parametrize("char", CONTROLS)
def test_names_refuse_every_control_character(char):
    problem = text_problem(f"ab{char}c")
    assert problem is not None and f"U+{ord(char):04X}" in problem and "character 3" in problem
    assert bad_text(f"ab{char}c")


@pytest.mark.parametrize("char", CONTROLS)
def test_free_text_allows_only_tab_lf_cr(char):
    assert (text_problem(f"line{char}line", MULTILINE) is None) == (char in "\t\n\r")


@pytest.mark.parametrize("char", CONTROLS)
def test_codes_allow_gs_and_scanner_line_ends(char):
    assert (text_problem(f"]Q38003{char}10", CODE_CONTROLS) is None) == (char in "\x1d\t\n\r")


@pytest.mark.parametrize("value", ["\ud800", "a\udfffb", "\udbff\udc00"])
def test_lone_surrogates_are_refused_everywhere(value):
    for allowed in ("", MULTILINE, CODE_CONTROLS):
        problem = text_problem(value, allowed)
        assert problem is not None and "surrogate" in problem


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))))
def test_printable_text_in_any_script_passes(value):
    assert text_problem(value) is None and not bad_text(value)


def test_nul_message_names_the_character_and_position():
    assert text_problem("dev\x00ice") == ("contains the control character U+0000 at character 4; only printable text "
                                          "is accepted")


@pytest.mark.parametrize("value, ok", [
    (LOW, True), (HIGH, True), (datetime(2026, 9, 1, 8, tzinfo=UTC), True),
    (datetime.fromisoformat("0001-01-01T00:00:00+14:00"), False),
    (datetime.fromisoformat("9999-12-31T23:59:59-14:00"), False),
    (datetime.fromisoformat("1999-12-31T23:59:59+00:00"), False),
    (datetime.fromisoformat("2000-01-01T00:30:00+01:00"), False),  # 1999-12-31T23:30Z
])
def test_timestamp_range_is_inclusive_and_offset_aware(value, ok):
    problem = timestamp_problem(value, LOW, HIGH)
    assert (problem is None) == ok
    if not ok:
        assert "2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z" in problem


@pytest.mark.parametrize("value, ok", [(date(2000, 1, 1), True), (date(2100, 1, 1), True), (date(1, 1, 1), False),
                                       (date(9999, 12, 31), False), (date(1999, 12, 31), False)])
def test_day_range(value, ok):
    assert (day_problem(value, LOW, HIGH) is None) == ok


@pytest.mark.parametrize("name", ["Europe/Berlin", "UTC", "America/Argentina/Buenos_Aires", "Asia/Shanghai"])
def test_iana_zones_pass(name):
    assert zone_problem(name) is None


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd", "/etc/passwd", "Europe", "Europe/", "zone.tab",
                                  "localtime", "posixrules", "utc", "", "Europe/Berlin\n", "a\x00b", "x" * 300])
def test_anything_else_is_not_a_zone(name):
    assert "unknown time zone" in zone_problem(name)


def test_settings_default_range_and_env_override(monkeypatch):
    s = Settings()
    assert (s.timestamp_min, s.timestamp_max) == (LOW, HIGH)
    monkeypatch.setenv("TIMESTAMP_MIN", "2010-01-01T00:00:00+01:00")
    monkeypatch.setenv("TIMESTAMP_MAX", "2050-01-01T00:00:00Z")
    s = Settings()
    assert s.timestamp_min == datetime(2009, 12, 31, 23, tzinfo=UTC)
    assert s.timestamp_max == datetime(2050, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("raw, words", [("tomorrow", "ISO 8601"), ("2010-01-01T00:00:00", "UTC offset")])
def test_bad_env_timestamp_stops_start_up(monkeypatch, raw, words):
    monkeypatch.setenv("TIMESTAMP_MIN", raw)
    with pytest.raises(RuntimeError, match=words):
        env_datetime("TIMESTAMP_MIN", LOW)


@pytest.mark.parametrize("low, high", [(HIGH, LOW), (LOW, LOW), (datetime(1, 1, 1, tzinfo=UTC), HIGH),
                                       (LOW, datetime(9999, 1, 1, tzinfo=UTC))])
def test_range_must_be_ordered_with_headroom(low, high):
    with pytest.raises(RuntimeError, match="TIMESTAMP_MIN"):
        Settings(timestamp_min=low, timestamp_max=high)
