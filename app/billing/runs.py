"""Billing runs: a month's invoices for every customer, as a background job with progress.

A run is a `billing_runs` row: queued -> running -> done | failed, with progress 0..1
(customers settled / customers to bill). The work goes through app.platform.jobs (an RQ
worker when one listens, inline otherwise). Each customer is settled in its own
transaction, in customer-id order: its invoice (with lines, totals and, when the run
issues, its number) and the run's progress commit together.

Idempotent: the unique constraint (customer, period, kind) admits one invoice per
customer and month, so a second run, or two runs at once, skip the customers that have
one (a run that issues also issues the month's drafts). A run killed half-way keeps the
invoices it committed; starting the month again, or the same run again (a re-enqueued
job resumes a `running` run), bills the remaining customers in the same order with the
same lines and, numbers being gapless, the same numbers.
"""
from __future__ import annotations

import logging
import uuid

from sqlalchemy import select

from app.billing import compute, invoices
from app.billing.compute import Bill
from app.billing.models import BillingRun, Invoice
from app.catalog.models import Customer
from app.domain.billing.days import BillingMonth
from app.domain.policy import Caller, authorize
from app.platform.base import utcnow
from app.platform.db import get_or_404, get_session, unit_of_work
from app.platform.jobs import dispatch, in_app_context

log = logging.getLogger(__name__)
RUNNABLE = ("queued", "running")  # running: a job that died and was started again resumes


def start(caller: Caller, month_text: str, issue: bool = True) -> tuple[BillingRun, str]:
    """Check the month, create the run row, dispatch the job. Returns (run, "inline" | "queued")."""
    authorize(caller, "billing.run")
    month = compute.parse_month(month_text, complete=True)
    with unit_of_work() as session:
        run = BillingRun(id=str(uuid.uuid4()), month=str(month), issue=issue, status="queued", progress=0.0,
                         problems=[], created_by=getattr(caller, "user_id", None), created_at=utcnow())
        session.add(run)
    mode = dispatch(run_billing, run.id).mode
    session = get_session()
    session.expire_all()
    return session.get(BillingRun, run.id), mode


@in_app_context
def run_billing(run_id: str) -> str:
    """The job: bill the run's month, customer by customer. Returns the final status."""
    with unit_of_work() as session:
        run = session.scalar(select(BillingRun).where(BillingRun.id == run_id).with_for_update())
        if run is None or run.status not in RUNNABLE:  # finished already (a retried job): nothing to do
            return run.status if run else "missing"
        run.status, run.started_at, run.customers_done, run.progress = "running", run.started_at or utcnow(), 0, 0.0
        month, issue = BillingMonth.parse(run.month), run.issue
    try:
        bills = compute.bills(get_session(), month)
        with unit_of_work() as session:
            session.get(BillingRun, run_id).customers_total = len(bills)
        for bill in bills:
            settle(run_id, month, bill, issue)
    except Exception as exc:  # a job must end in a state the caller can see, never stay running
        log.exception("billing run %s failed", run_id)
        return _fail(run_id, f"internal error ({exc.__class__.__name__}); it has been logged")
    with unit_of_work() as session:
        run = session.get(BillingRun, run_id)
        run.status, run.progress, run.finished_at = "done", 1.0, utcnow()
    return "done"


def settle(run_id: str, month: BillingMonth, bill: Bill, issue: bool) -> None:
    """One customer: its invoice (unless it has one) and the run's progress, in one transaction."""
    with unit_of_work() as session:
        run = session.get(BillingRun, run_id)
        if bill.problem is not None:
            problem = {"customer": bill.customer_id, "field": bill.problem.field, "message": bill.problem.message}
            run.problems = [p for p in run.problems if p["customer"] != bill.customer_id] + [problem]
        elif invoices.exists(session, bill.customer_id, month):
            if issue:
                _issue_draft(session, bill.customer_id, month)
        elif invoices.write(session, bill, month, run_id, issue) is not None:
            run.invoices_created += 1
        run.customers_done += 1
        run.progress = round(run.customers_done / max(run.customers_total, 1), 4)


def _issue_draft(session, customer_id: str, month: BillingMonth) -> None:
    draft = session.scalar(select(Invoice).where(Invoice.customer_id == customer_id, Invoice.period == str(month),
                                                 Invoice.kind == invoices.RENTAL, Invoice.status == "draft")
                           .with_for_update())
    if draft is not None:
        invoices.freeze(session, draft, utcnow())


def _fail(run_id: str, message: str) -> str:
    session = get_session()
    session.rollback()
    with unit_of_work() as session:
        run = session.get(BillingRun, run_id)
        run.status, run.error, run.finished_at = "failed", message, utcnow()
    return "failed"


def preview(caller: Caller, month_text: str, customer_id: str | None) -> list[Bill]:
    """What a run would bill now (any month in range, also one not over yet); nothing is stored."""
    authorize(caller, "billing.run")
    month = compute.parse_month(month_text, complete=False)
    if customer_id is not None:
        get_or_404(Customer, customer_id, "customer", "customer")
    return compute.bills(get_session(), month, customer_id)


def get(caller: Caller, run_id: str) -> BillingRun:
    authorize(caller, "billing.run")
    return get_or_404(BillingRun, run_id, "run_id", "billing run")


def list_runs(caller: Caller, month: str | None, status: str | None, limit: int, offset: int) -> list[BillingRun]:
    authorize(caller, "billing.run")
    stmt = select(BillingRun).order_by(BillingRun.created_at.desc(), BillingRun.id)
    if month:
        stmt = stmt.where(BillingRun.month == month)
    if status:
        stmt = stmt.where(BillingRun.status == status)
    return list(get_session().scalars(stmt.limit(limit).offset(offset)))
