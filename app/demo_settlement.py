"""The demo's monthly statements: the last three billed months closed for every customer,
one line disputed by a customer and accepted by the operator (its correction shows in the
next month's statement), and another customer's statement confirmed.

Runs once: a database that has statements already gets nothing more, so seeding the demo
again adds nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.platform.db import get_session

# The customer that disputes a delivery of the oldest month, and one that confirms its statement.
DISPUTING_CUSTOMER, CONFIRMING_CUSTOMER = "rheinchem", "ruhr-polymers"
DISPUTE_REASON = "These IBCs were never delivered to our plant: the driver turned back at the gate."
ACCEPT_REASON = "The delivery was scanned at the wrong site; corrected in the next statement."


def closed_months(history_end: datetime, count: int) -> list[str]:
    """The `count` complete months before the month of the history's last day, oldest first
    (the months the demo also bills)."""
    months, first = [], (history_end - timedelta(days=1)).replace(day=1)
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(f"{first:%Y-%m}")
    return months[::-1]


def seed_statements(history_end: datetime, count: int = 3) -> int:
    """Closes the months, the dispute and its acceptance, one confirmation; the statements made."""
    from app.domain.policy import OPERATOR, Viewer
    from app.statements import actions, closing
    from app.statements.models import Statement, StatementLine

    session = get_session()
    if session.scalar(select(func.count()).select_from(Statement)):
        return 0
    oldest, *later = closed_months(history_end, count)
    first = {s.customer_id: s for s in closing.close_month(OPERATOR, oldest)}
    disputed = first.get(DISPUTING_CUSTOMER)
    line_id = disputed and session.scalar(
        select(StatementLine.id).where(StatementLine.statement_id == disputed.id, StatementLine.kind == "issued")
        .order_by(StatementLine.seq).limit(1))
    if line_id:
        customer = Viewer("customer", DISPUTING_CUSTOMER)
        dispute = actions.open_dispute(customer, disputed.id, [line_id], DISPUTE_REASON)
        actions.comment(customer, dispute["id"], "Our gate log for that day is attached to the delivery note.")
        actions.decide(OPERATOR, dispute["id"], True, ACCEPT_REASON)
    for month in later:
        closing.close_month(OPERATOR, month)
    if CONFIRMING_CUSTOMER in first:
        actions.confirm(Viewer("customer", CONFIRMING_CUSTOMER), first[CONFIRMING_CUSTOMER].id)
    return session.scalar(select(func.count()).select_from(Statement))
