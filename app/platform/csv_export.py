"""CSV files the service hands out, safe to open in a spreadsheet.

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be
read by Excel, LibreOffice or Google Sheets as a formula (CSV injection, OWASP), and a
site name, note or customer name is text anyone with a scanner or a portal account can
put into the service. Such cells get a leading single quote, which spreadsheets show as
text. Numbers are written as numbers (a negative number is not text), so columns still
sum. Every CSV the service writes goes through `to_csv`.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a CSV cell: numbers and None unchanged, risky text quoted."""
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(header: Iterable, rows: Iterable[Iterable], lineterminator: str = "\r\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
