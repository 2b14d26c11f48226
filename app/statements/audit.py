"""The statements' audit log: who did what to which statement or dispute, and when."""
from __future__ import annotations

from sqlalchemy import select

from app.domain.policy import Caller
from app.statements.models import Dispute, Statement, StatementAudit


def record(session, caller: Caller | None, action: str, statement: Statement, dispute: Dispute | None = None,
           **detail) -> None:
    """Adds the entry to the caller's transaction, so it is stored exactly when the action is."""
    session.add(StatementAudit(user_id=getattr(caller, "user_id", None),
                               actor_role=caller.role if caller is not None else "service",
                               action=action, statement_id=statement.id,
                               dispute_id=dispute.id if dispute is not None else None, detail=detail))


def entries(session, statement_id: int) -> list[dict]:
    rows = session.scalars(select(StatementAudit).where(StatementAudit.statement_id == statement_id)
                           .order_by(StatementAudit.id)).all()
    return [{"at": r.at, "user_id": r.user_id, "actor_role": r.actor_role, "action": r.action,
             "dispute_id": r.dispute_id, "detail": r.detail} for r in rows]
