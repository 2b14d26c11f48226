"""Gapless document numbers: one series per operator and document kind, restarting each year.

A number reads `<PREFIX>-<YEAR>-<SEQUENCE>`, e.g. `INV-2026-000123`: the prefix names the
series (capital letters and digits, dash-separated segments each starting with a letter,
so `ACME-INV` works and the year stays unambiguous), the sequence counts from 1 within
the year, zero-padded to `width` digits and simply longer beyond them. Text is accepted
only in exactly this canonical form, so formatting and parsing are inverse. Handing out
the next number without gaps is the store's job (one counter row per series and year,
taken inside the transaction that issues the document); `missing` checks a series.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.domain.errors import DomainError

PREFIX = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z][A-Z0-9]*)*")
NUMBER = re.compile(rf"(?P<prefix>{PREFIX.pattern})-(?P<year>[0-9]{{4}})-(?P<seq>[0-9]+)")
DEFAULT_WIDTH = 6


@dataclass(frozen=True, order=True)
class DocumentNumber:
    prefix: str
    year: int
    seq: int

    def format(self, width: int = DEFAULT_WIDTH) -> str:
        return format_number(self.prefix, self.year, self.seq, width)

    def next(self) -> "DocumentNumber":
        return DocumentNumber(self.prefix, self.year, self.seq + 1)


def format_number(prefix: str, year: int, seq: int, width: int = DEFAULT_WIDTH) -> str:
    if not PREFIX.fullmatch(prefix):
        raise DomainError("prefix", f"{prefix!r}: capital letters and digits in dash-separated segments, "
                                    "each starting with a letter")
    if not 1000 <= year <= 9999:
        raise DomainError("year", f"{year} is not a four-digit year")
    if seq < 1:
        raise DomainError("seq", f"{seq}: sequences start at 1")
    return f"{prefix}-{year}-{seq:0{width}d}"


def parse_number(text: str, width: int = DEFAULT_WIDTH) -> DocumentNumber:
    """The number `text` spells, in canonical form only (so `format_number` gives `text` back)."""
    m = NUMBER.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise DomainError("number", f"{text!r} is not a document number like INV-2026-{1:0{width}d}")
    number = DocumentNumber(m["prefix"], int(m["year"]), int(m["seq"]))
    if number.seq < 1 or number.year < 1000:
        raise DomainError("number", f"{text!r}: years have four digits and sequences start at 1")
    if number.format(width) != text:
        raise DomainError("number", f"{text!r} is not in canonical form ({number.format(width)})")
    return number


def first_number(prefix: str, year: int) -> DocumentNumber:
    format_number(prefix, year, 1)  # validates
    return DocumentNumber(prefix, year, 1)


def next_number(prefix: str, year: int, last: DocumentNumber | None) -> DocumentNumber:
    """The number after `last` in the series `prefix` for `year` (1 when the year has none yet)."""
    if last is not None and last.prefix != prefix:
        raise DomainError("prefix", f"{last.format()} is not in the series {prefix!r}")
    if last is not None and last.year > year:
        raise DomainError("year", f"{year} is before the series' last number {last.format()}")
    if last is None or last.year < year:
        return first_number(prefix, year)
    return last.next()


def missing(seqs: Iterable[int]) -> list[int]:
    """The sequence numbers absent from 1..max(seqs): empty for a gapless series."""
    present = set(seqs)
    return [n for n in range(1, max(present, default=0) + 1) if n not in present]
