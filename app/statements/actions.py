"""What both sides do with a published statement: confirm, dispute, comment, decide, auto-confirm.

Each action locks the statement row (FOR UPDATE) so a confirmation, a dispute and the
deadline's auto-confirmation cannot cross, checks the status machine
(app/domain/statements.py) and writes its audit entry in the same transaction.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.domain import statements as rules
from app.domain.errors import Conflict, DomainError
from app.domain.policy import Caller
from app.platform.base import utcnow
from app.platform.db import get_session, unit_of_work
from app.statements import audit
from app.statements.models import Dispute, DisputeComment, Statement, StatementLine
from app.statements.reading import dispute_summary, shown_summary, visible_dispute, visible_statement
from app.webhooks import events


def confirm(caller: Caller, statement_id: int) -> dict:
    with unit_of_work() as session:
        statement = visible_statement(caller, "statement.confirm", statement_id, lock=True)
        statement.status = rules.transition(statement.status, "confirm")
        statement.confirmed_at, statement.confirmed_by = utcnow(), _user(caller)
        audit.record(session, caller, "confirm", statement)
    return shown_summary(caller, statement)


def open_dispute(caller: Caller, statement_id: int, line_ids: list[int], reason: str) -> dict:
    with unit_of_work() as session:
        statement = visible_statement(caller, "statement.dispute", statement_id, lock=True)
        rules.check_dispute_window(utcnow(), statement.deadline)
        status = rules.transition(statement.status, "dispute")
        wanted = sorted(set(line_ids))
        found = set(session.scalars(select(StatementLine.id).where(StatementLine.statement_id == statement.id,
                                                                   StatementLine.id.in_(wanted))))
        unknown = [i for i in wanted if i not in found]
        if unknown:
            raise DomainError("lines", f"not lines of statement {statement.number}: {unknown}")
        dispute = Dispute(statement_id=statement.id, customer_id=statement.customer_id, line_ids=wanted,
                          reason=reason, opened_by=_user(caller))
        session.add(dispute)
        session.flush()
        statement.status = status
        audit.record(session, caller, "dispute", statement, dispute, lines=wanted)
        events.emit("dispute.opened", dispute_summary(dispute), dispute.customer_id, session)
    return dispute_summary(dispute)


def comment(caller: Caller, dispute_id: int, body: str) -> dict:
    with unit_of_work() as session:
        dispute, statement = visible_dispute(caller, "statement.comment", dispute_id, lock=True)
        row = DisputeComment(dispute_id=dispute.id, author_id=_user(caller), author_role=caller.role, body=body)
        session.add(row)
        session.flush()
        audit.record(session, caller, "comment", statement, dispute, comment_id=row.id)
    return {"id": row.id, "author_role": row.author_role, "body": row.body, "created_at": row.created_at}


def decide(caller: Caller, dispute_id: int, accept: bool, reason: str | None) -> dict:
    """Accept (the next statement closed reverses the disputed lines) or reject with a reason."""
    if not accept and not (reason or "").strip():
        raise DomainError("reason", "a rejection needs a reason")
    with unit_of_work() as session:
        dispute, statement = visible_dispute(caller, "statement.resolve", dispute_id, lock=True)
        if dispute.status != "open":
            raise Conflict("dispute_id", f"dispute {dispute.id} is already {dispute.status}")
        dispute.status = "accepted" if accept else "rejected"
        dispute.resolved_at, dispute.resolved_by, dispute.resolution_reason = utcnow(), _user(caller), reason
        session.flush()
        if _open_disputes(session, statement.id) == 0:
            statement.status = rules.transition(statement.status, "resolve")
        audit.record(session, caller, "accept" if accept else "reject", statement, dispute, reason=reason)
        events.emit("dispute.resolved", dispute_summary(dispute), dispute.customer_id, session)
    return dispute_summary(dispute)


def _user(caller: Caller) -> int | None:
    return getattr(caller, "user_id", None)  # None: the operator's batch jobs and CLI


def _open_disputes(session, statement_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Dispute)
                          .where(Dispute.statement_id == statement_id, Dispute.status == "open"))


def auto_confirm(now: datetime | None = None) -> list[str]:
    """Confirms every statement past its deadline without an open dispute; their numbers."""
    now = now or utcnow()
    session = get_session()
    due = session.scalars(select(Statement.id).where(Statement.status.in_((rules.PUBLISHED, rules.RESOLVED)),
                                                      Statement.deadline <= now).order_by(Statement.id)).all()
    confirmed = []
    for statement_id in due:
        with unit_of_work() as session:
            statement = session.get(Statement, statement_id, with_for_update=True, populate_existing=True)
            if not rules.due_for_auto_confirm(statement.status, statement.deadline,
                                              _open_disputes(session, statement.id), now):
                continue
            statement.status = rules.transition(statement.status, "auto_confirm")
            statement.confirmed_at, statement.confirmed_by = now, None
            audit.record(session, None, "auto_confirm", statement)
            confirmed.append(statement.number)
    return confirmed
