"""Reading statements: lists, one statement with its lines and disputes, and its CSV.

A customer user sees its own customer's statements only; another customer's statement
answers 404 exactly like a missing one. Sites of other customers (where an asset was
passed on to it) show as empty, as on the live balance.
"""
from __future__ import annotations

from sqlalchemy import select

from app.assets.queries import site_filter
from app.domain.errors import NotFound
from app.domain.policy import Caller, authorize
from app.platform.csv_export import to_csv
from app.platform.db import get_session
from app.statements import audit
from app.statements.models import Dispute, DisputeComment, DisputeEvidence, Statement, StatementLine


def visible_statement(caller: Caller, operation: str, statement_id: int, lock: bool = False) -> Statement:
    session = get_session()
    statement = session.get(Statement, statement_id, with_for_update=lock or None, populate_existing=lock)
    if statement is None:
        raise NotFound("statement_id", f"unknown statement {statement_id!r}")
    authorize(caller, operation, statement.customer_id, field="statement_id", what="statement")
    return statement


def visible_dispute(caller: Caller, operation: str, dispute_id: int, lock: bool = False) -> tuple[Dispute, Statement]:
    session = get_session()
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound("dispute_id", f"unknown dispute {dispute_id!r}")
    authorize(caller, operation, dispute.customer_id, field="dispute_id", what="dispute")
    statement = session.get(Statement, dispute.statement_id, with_for_update=lock or None, populate_existing=lock)
    if lock:
        session.refresh(dispute)  # as it is now that the statement is locked
    return dispute, statement


def list_statements(caller: Caller, customer_id: str | None, month: str | None, status: str | None,
                    limit: int, offset: int) -> list[dict]:
    own = authorize(caller, "statement.read", customer_id, what="customer")
    query = select(Statement).order_by(Statement.month.desc(), Statement.customer_id)
    for column, value in ((Statement.customer_id, own or customer_id), (Statement.month, month),
                          (Statement.status, status)):
        if value is not None:
            query = query.where(column == value)
    return [shown_summary(caller, s) for s in get_session().scalars(query.limit(limit).offset(offset))]


def shown_summary(caller: Caller, s: Statement) -> dict:
    """The summary as `caller` may see it: other customers' sites blank (see the module)."""
    mask = _site_mask(caller, [r["site"] for r in s.opening + s.closing])
    return {**summary(s), "opening": mask(s.opening), "closing": mask(s.closing)}


def _site_mask(caller: Caller, sites):
    shown = site_filter(caller, {site for site in sites if site})
    return lambda rows: [{**r, "site": shown(r["site"] or None) or ""} for r in rows]


def summary(s: Statement) -> dict:
    return {"id": s.id, "number": s.number, "customer": s.customer_id, "month": s.month, "status": s.status,
            "published_at": s.published_at, "deadline": s.deadline, "confirmed_at": s.confirmed_at,
            "confirmed_by": s.confirmed_by, "opening": s.opening, "closing": s.closing}


def event_data(s: Statement) -> dict:
    """A statement in a webhook: what identifies it (the receiver reads the rest through the API)."""
    return {k: v for k, v in summary(s).items() if k not in ("opening", "closing")}


def statement_detail(caller: Caller, statement_id: int) -> dict:
    statement = visible_statement(caller, "statement.read", statement_id)
    session = get_session()
    lines = _lines(session, statement.id)
    masked = _site_mask(caller, [ln["site"] for ln in lines] + [r["site"] for r in statement.opening + statement.closing])
    disputes = session.scalars(select(Dispute).where(Dispute.statement_id == statement.id).order_by(Dispute.id)).all()
    return {**summary(statement), "opening": masked(statement.opening), "closing": masked(statement.closing),
            "lines": masked(lines), "disputes": [dispute_summary(d) for d in disputes],
            "audit": audit.entries(session, statement.id)}


def _lines(session, statement_id: int) -> list[dict]:
    rows = session.scalars(select(StatementLine).where(StatementLine.statement_id == statement_id)
                           .order_by(StatementLine.seq)).all()
    return [{"id": r.id, "seq": r.seq, "day": r.day, "reference": r.reference, "asset_code": r.asset_code,
             "asset_type": r.asset_type_id, "site": r.site_id, "kind": r.kind, "quantity": r.quantity,
             "adjustment_for": r.adjustment_for, "dispute_id": r.dispute_id} for r in rows]


def dispute_summary(d: Dispute) -> dict:
    return {"id": d.id, "statement_id": d.statement_id, "customer": d.customer_id, "lines": d.line_ids,
            "reason": d.reason, "status": d.status, "opened_at": d.opened_at, "resolved_at": d.resolved_at,
            "resolution_reason": d.resolution_reason, "correction_statement_id": d.correction_statement_id}


def dispute_detail(caller: Caller, dispute_id: int) -> dict:
    dispute, _statement = visible_dispute(caller, "statement.read", dispute_id)
    session = get_session()
    comments = session.scalars(select(DisputeComment).where(DisputeComment.dispute_id == dispute.id)
                               .order_by(DisputeComment.id)).all()
    evidence = session.execute(select(DisputeEvidence.id, DisputeEvidence.filename, DisputeEvidence.content_type,
                                      DisputeEvidence.size_bytes, DisputeEvidence.sha256, DisputeEvidence.uploaded_at)
                               .where(DisputeEvidence.dispute_id == dispute.id).order_by(DisputeEvidence.id)).all()
    return {**dispute_summary(dispute),
            "comments": [{"id": c.id, "author_role": c.author_role, "body": c.body, "created_at": c.created_at}
                         for c in comments],
            "evidence": [dict(r._mapping) for r in evidence]}


def evidence_file(caller: Caller, dispute_id: int, evidence_id: int) -> DisputeEvidence:
    dispute, _statement = visible_dispute(caller, "statement.read", dispute_id)
    row = get_session().get(DisputeEvidence, evidence_id)
    if row is None or row.dispute_id != dispute.id:
        raise NotFound("evidence_id", f"unknown evidence {evidence_id!r}")
    return row


CSV_HEADER = ("statement", "customer", "month", "line", "date", "reference", "asset_code", "asset_type", "site",
              "kind", "quantity", "adjustment_for")


def statement_csv(caller: Caller, statement_id: int) -> tuple[str, str]:
    """(file name, CSV text): opening rows, every line, closing rows, by asset type and site."""
    detail = statement_detail(caller, statement_id)
    head = (detail["number"], detail["customer"], detail["month"])
    rows = [(*head, "opening", None, None, None, r["asset_type"], r["site"], "opening", r["quantity"], None)
            for r in detail["opening"]]
    rows += [(*head, ln["seq"], ln["day"].isoformat(), ln["reference"], ln["asset_code"], ln["asset_type"],
              ln["site"], ln["kind"], ln["quantity"], ln["adjustment_for"]) for ln in detail["lines"]]
    rows += [(*head, "closing", None, None, None, r["asset_type"], r["site"], "closing", r["quantity"], None)
             for r in detail["closing"]]
    return f"{detail['number']}.csv", to_csv(CSV_HEADER, rows)
