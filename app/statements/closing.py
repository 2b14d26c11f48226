"""Closing a month: each customer's statement is built from its custody moves, frozen and numbered.

Idempotent and safe to run twice at once: a customer's month is closed in its own
transaction, numbers come from a per-year counter row locked FOR UPDATE (so they stay
gapless: a close that fails rolls its number back), and the unique constraint on
(customer, month) decides between two closes that race; the loser returns the winner's
statement. Closing month n first closes any month of the customer between its last
statement and n, so opening(n) is always closing(n - 1).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.assets.models import Asset
from app.balances.models import CustodyMove
from app.catalog.models import Customer
from app.domain import statements as rules
from app.domain.billing.numbering import format_number
from app.domain.errors import Conflict
from app.domain.policy import Caller, authorize
from app.platform.base import utcnow
from app.platform.db import get_or_404, get_session, is_postgres
from app.scanning.models import ScanEvent
from app.statements import audit, reading
from app.statements.models import Dispute, Statement, StatementCounter, StatementLine
from app.webhooks import events


def close_month(caller: Caller, month: str, customer_id: str | None = None,
                now: datetime | None = None) -> list[Statement]:
    """The month's statements of one customer or of every customer (closing what is not yet)."""
    authorize(caller, "statement.close")
    _start, end = rules.month_bounds(month)
    now = now or utcnow()
    if end > now:
        raise Conflict("month", f"{month} is not over yet")
    if customer_id is not None:
        get_or_404(Customer, customer_id, "customer", "customer")
        return [_close_through(caller, customer_id, month, _history_start())]
    history_start, out = _history_start(), []
    for cid in get_session().scalars(select(Customer.id).order_by(Customer.id)).all():
        latest = _latest(cid)
        if latest is not None and latest.month > month and _existing(cid, month) is None:
            continue  # the customer's statements start after `month`
        if latest is None and history_start > month:
            continue  # the custody history starts after `month`: nothing to close
        out.append(_close_through(caller, cid, month, history_start))
    return out


def _history_start() -> str:
    """The month of the first custody move of any customer ("0000-00" without any). No
    first statement is older, so closing a month never has to catch up through years of
    empty statements."""
    first = get_session().scalar(select(func.min(CustodyMove.occurred_at)))
    return rules.month_of(first) if first is not None else "0000-00"


def _close_through(caller: Caller, customer_id: str, month: str, history_start: str) -> Statement:
    existing = _existing(customer_id, month)
    if existing is not None:
        return existing
    latest = _latest(customer_id)
    if latest is not None and latest.month > month:
        raise Conflict("month", f"{customer_id}'s statements start after {month}")
    if latest is None and history_start > month:
        raise Conflict("month", f"the custody history starts in {history_start}, after {month}")
    todo = month if latest is None else rules.next_month(latest.month)
    while True:
        statement = _close_one(caller, customer_id, todo)
        if todo == month:
            return statement
        todo = rules.next_month(todo)


def _existing(customer_id: str, month: str) -> Statement | None:
    return get_session().scalar(select(Statement).where(Statement.customer_id == customer_id,
                                                        Statement.month == month))


def _latest(customer_id: str) -> Statement | None:
    return get_session().scalar(select(Statement).where(Statement.customer_id == customer_id)
                                .order_by(Statement.month.desc()).limit(1))


def _close_one(caller: Caller, customer_id: str, month: str) -> Statement:
    session = get_session()
    try:
        seq = _take_number(session, int(month[:4]))
        # The counter lock orders racing closes: the second sees the first's statement now.
        existing = _existing(customer_id, month)
        if existing is not None:
            session.rollback()
            return existing
        statement, line_count = _freeze(session, customer_id, month, seq)
        audit.record(session, caller, "close", statement, number=statement.number, lines=line_count)
        events.emit("statement.closed", reading.event_data(statement), customer_id, session)
        session.commit()
        return statement
    except IntegrityError:
        session.rollback()
        existing = _existing(customer_id, month)
        if existing is None:
            raise
        return existing
    except BaseException:
        session.rollback()
        raise


def _take_number(session, year: int) -> int:
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(StatementCounter).values(year=year, last_seq=0).on_conflict_do_nothing())
    counter = session.scalar(select(StatementCounter).where(StatementCounter.year == year).with_for_update())
    counter.last_seq += 1
    return counter.last_seq


def _freeze(session, customer_id: str, month: str, seq: int) -> tuple[Statement, int]:
    start, end = rules.month_bounds(month)
    previous = _latest(customer_id)
    now_by_period = _moves_by_period(session, customer_id, start, previous)
    if previous is None:
        opening = rules.add_up({}, [])
        for balance in now_by_period.values():
            opening = rules.add_up(opening, _as_lines(balance))
        lines = []
    else:
        opening = rules.balance_from_rows(previous.closing)
        lines = rules.adjustments(month, _frozen_by_period(session, customer_id), now_by_period)
    lines = _move_lines(session, customer_id, start, end) + lines
    pending = session.scalars(select(Dispute).where(Dispute.customer_id == customer_id, Dispute.status == "accepted",
                                                    Dispute.correction_statement_id.is_(None))
                              .order_by(Dispute.id)).all()
    for dispute in pending:
        disputed = _lines_of(session, dispute.line_ids)
        for_month = session.get(Statement, dispute.statement_id).month
        lines += rules.correction_lines(month, dispute.id, disputed, for_month)
    settings = current_app.config["SETTINGS"]
    published = utcnow()
    statement = Statement(number=format_number(rules.NUMBER_PREFIX, int(month[:4]), seq), customer_id=customer_id,
                          month=month, status=rules.PUBLISHED, opening=rules.balance_rows(opening),
                          closing=rules.balance_rows(rules.add_up(opening, lines)), published_at=published,
                          deadline=rules.dispute_deadline(published, settings.statement_dispute_days))
    session.add(statement)
    session.flush()
    for dispute in pending:
        dispute.correction_statement_id = statement.id
    session.add_all(StatementLine(statement_id=statement.id, seq=i, day=ln.day, reference=ln.reference,
                                  asset_code=ln.asset_code, asset_type_id=ln.asset_type, site_id=ln.site,
                                  kind=ln.kind, quantity=ln.quantity, adjustment_for=ln.adjustment_for,
                                  dispute_id=ln.dispute_id) for i, ln in enumerate(lines, 1))
    return statement, len(lines)


def _as_lines(balance: dict) -> list[rules.Line]:
    return [rules.Line(None, "", t, s, "", q) for (t, s), q in balance.items()]


def _lines_of(session, line_ids: list[int]) -> list[rules.Line]:
    rows = session.scalars(select(StatementLine).where(StatementLine.id.in_(line_ids))).all()
    return [as_rule_line(r) for r in rows]


def as_rule_line(row: StatementLine) -> rules.Line:
    return rules.Line(row.day, row.reference, row.asset_type_id, row.site_id, row.kind, row.quantity,
                      row.asset_code, row.adjustment_for, row.dispute_id)


def _move_lines(session, customer_id: str, start: datetime, end: datetime) -> list[rules.Line]:
    rows = session.execute(
        select(CustodyMove.occurred_at, CustodyMove.kind, CustodyMove.delta, CustodyMove.asset_type_id,
               ScanEvent.site_id, ScanEvent.scan_id, Asset.code)
        .join(ScanEvent, ScanEvent.id == CustodyMove.scan_event_id).join(Asset, Asset.id == CustodyMove.asset_id)
        .where(CustodyMove.customer_id == customer_id, CustodyMove.occurred_at >= start, CustodyMove.occurred_at < end)
        .order_by(CustodyMove.occurred_at, CustodyMove.id)).all()
    return [rules.Line(at.date(), str(scan_id), type_id, site or "", kind, delta, code)
            for at, kind, delta, type_id, site, scan_id, code in rows]


def _moves_by_period(session, customer_id: str, start: datetime,
                     previous: Statement | None) -> dict[str, dict]:
    """Net custody moves before `start` by period (a month; before the customer's first
    statement, all in the month before it) and (asset type, site)."""
    month = (func.to_char(CustodyMove.occurred_at, "YYYY-MM") if is_postgres(session)
             else func.strftime("%Y-%m", CustodyMove.occurred_at))
    rows = session.execute(
        select(month, CustodyMove.asset_type_id, ScanEvent.site_id, func.sum(CustodyMove.delta))
        .join(ScanEvent, ScanEvent.id == CustodyMove.scan_event_id)
        .where(CustodyMove.customer_id == customer_id, CustodyMove.occurred_at < start)
        .group_by(month, CustodyMove.asset_type_id, ScanEvent.site_id)).all()
    first = _first_month(session, customer_id) if previous is not None else None
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for period, type_id, site, n in rows:
        if first is not None and period < first:
            period = rules.previous_month(first)
        out[period][(type_id, site or "")] += int(n)
    return out


def _first_month(session, customer_id: str) -> str:
    return session.scalar(select(func.min(Statement.month)).where(Statement.customer_id == customer_id))


def _frozen_by_period(session, customer_id: str) -> dict[str, dict]:
    """What the customer's statements hold for each period: its move lines plus later
    adjustments for it; the first statement's opening for everything before it."""
    period = func.coalesce(StatementLine.adjustment_for, Statement.month)
    rows = session.execute(
        select(period, StatementLine.asset_type_id, StatementLine.site_id, func.sum(StatementLine.quantity))
        .join(Statement, Statement.id == StatementLine.statement_id)
        .where(Statement.customer_id == customer_id, StatementLine.kind != rules.CORRECTION)
        .group_by(period, StatementLine.asset_type_id, StatementLine.site_id)).all()
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for p, type_id, site, n in rows:
        out[p][(type_id, site)] += int(n)
    first = session.scalar(select(Statement).where(Statement.customer_id == customer_id)
                           .order_by(Statement.month).limit(1))
    before = out[rules.previous_month(first.month)]
    for row in first.opening:
        before[(row["asset_type"], row["site"])] += int(row["quantity"])
    return out
