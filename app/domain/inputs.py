"""What any value from outside must be before it reaches the database (stdlib only).

PostgreSQL refuses NUL in text and the driver cannot encode a lone UTF-16 surrogate
("\\ud800" is valid JSON), so either would surface as a server error deep inside a
transaction. Names and identifiers are single-line printable text; free text (notes,
reasons, addresses) may also hold tab, line feed and carriage return. Timestamps must
fit a configured range, and integers the database's 64-bit columns.
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

log = logging.getLogger(__name__)

# Largest value of a PostgreSQL bigint / integer column.
BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1

# C0 and C1 control characters, DEL, and the UTF-16 surrogate block.
_FORBIDDEN = frozenset([*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000)])
MULTILINE = "\t\n\r"
# ASCII group separator: GS1 scanners send FNC1 as GS inside raw code data, and
# keyboard-wedge scanners end a read with CR/LF (labels.codes strips those).
CODE_CONTROLS = "\x1d\t\n\r"


@lru_cache(maxsize=8)
def _pattern(allowed: str) -> re.Pattern:
    banned = sorted(_FORBIDDEN - {ord(c) for c in allowed})
    ranges, start = [], banned[0]
    for prev, cur in zip(banned, banned[1:] + [None]):
        if cur != prev + 1:
            ranges.append(f"\\u{start:04x}" if start == prev else f"\\u{start:04x}-\\u{prev:04x}")
            start = cur
    return re.compile("[" + "".join(ranges) + "]")


def text_problem(value: str, allowed: str = "") -> str | None:
    """Why `value` is not acceptable text (None if it is). `allowed`: control
    characters this field may carry anyway, e.g. MULTILINE for free text."""
    found = _pattern(allowed).search(value)
    if found is None:
        return None
    char, position = found.group(), found.start() + 1
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"contains a lone UTF-16 surrogate (U+{ord(char):04X}) at character {position}: not valid Unicode text"
    hint = " (tab, line feed and carriage return are allowed)" if allowed == MULTILINE else ""
    return f"contains the control character U+{ord(char):04X} at character {position}; only printable text is accepted{hint}"


def bad_text(value: str, allowed: str = "") -> bool:
    """The fast yes/no of `text_problem`, for hot paths."""
    return _pattern(allowed).search(value) is not None


def timestamp_problem(value: datetime, earliest: datetime, latest: datetime) -> str | None:
    """Why an aware timestamp is outside [earliest, latest] (None if inside)."""
    if earliest <= value <= latest:
        return None
    return (f"{value.isoformat()} is outside the accepted range "
            f"{_iso(earliest)} to {_iso(latest)}")


def day_problem(value: date, earliest: datetime, latest: datetime) -> str | None:
    """Why a calendar day (its midnight UTC) is outside [earliest, latest]."""
    if earliest <= datetime.combine(value, time(0), timezone.utc) <= latest:
        return None
    return f"{value.isoformat()} is outside the accepted range {earliest.date()} to {latest.date()}"


def _iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


# Files zoneinfo can open that are not IANA zone names.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1)
def iana_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_ZONES


def zone_problem(name: str) -> str | None:
    """Why `name` is not an IANA time zone (None if it is), e.g. 'Europe/Berlin'."""
    if name in iana_zones():
        return None
    return f"unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin' or 'UTC'"


def zone(name: str | None) -> ZoneInfo:
    """The site's zone; a stored name that is not an IANA zone (saved before sites were
    checked) reads as UTC rather than failing every page and plan that shows the site."""
    if name and zone_problem(name) is None:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    if name:
        log.warning("unknown time zone %r; using UTC", name)
    return ZoneInfo("UTC")
