"""Gapless document numbers from a counter row per series and year, locked FOR UPDATE.

The number is taken inside the transaction that issues the document: the counter row
stays locked until that transaction ends, so concurrent issues queue for it, and a
transaction that rolls back hands its number back with it. A database sequence would
not: it never returns a value, and every failed issue would leave a gap.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.billing.models import DocumentCounter
from app.domain.billing.numbering import format_number
from app.platform.db import is_postgres

INVOICE_SERIES = "INV"
CREDIT_NOTE_SERIES = "CN"


def take(session: Session, series: str, year: int) -> str:
    """The next number of `series` in `year`, e.g. INV-2026-000042, counted in this transaction."""
    format_number(series, year, 1)  # refuses a malformed series or year before touching the table
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # a new year's row: whoever inserts first wins, the others wait for it and insert nothing
    session.execute(insert(DocumentCounter).values(series=series, year=year, last_seq=0)
                    .on_conflict_do_nothing(index_elements=["series", "year"]))
    counter = session.scalar(select(DocumentCounter).where(DocumentCounter.series == series,
                                                           DocumentCounter.year == year)
                             .with_for_update().execution_options(populate_existing=True))
    counter.last_seq += 1
    session.flush()
    return format_number(series, year, counter.last_seq)
