"""Planning runs (collection tours, depot rebalancing): start, run as a job, read.

A run is a `plans` row: queued -> running -> done | failed, with progress 0..1. Input
is checked before the row exists, so bad ids or times answer 4xx at once; the solve
runs through `app.jobs.dispatch` (an RQ worker when one listens, inline otherwise).
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import date

from flask import current_app
from sqlalchemy import select, update

from app.accounts.auth import Principal
from app.domain.errors import Conflict, DomainError
from app.domain.policy import Caller, authorize
from app.domain.return_requests import PENDING, ReturnRequestStatus
from app.pickups.models import ReturnRequest
from app.planning import collections as collection_planning
from app.planning import rebalancing
from app.planning.models import Plan
from app.planning.schemas import CollectionPlanInSchema
from app.platform.base import utcnow
from app.platform.db import get_or_404, get_session, unit_of_work
from app.platform.jobs import dispatch, in_app_context

log = logging.getLogger(__name__)
SOLVERS = {"collections": collection_planning, "rebalancing": rebalancing}
# Share of the progress bar the search gets; the rest is reading input and writing results.
SEARCH_FROM, SEARCH_TO = 0.15, 0.9


def start(principal: Principal, kind: str, body: dict) -> tuple[Plan, str]:
    """Validate, create the plan row, dispatch the job. Returns (plan, "inline" | "queued")."""
    authorize(principal, f"plan.{kind}")
    params = SOLVERS[kind].validate(body)
    with unit_of_work() as session:
        plan = Plan(id=str(uuid.uuid4()), kind=kind, status="queued", progress=0.0, params=params,
                    created_by=principal.user_id, created_at=utcnow())
        session.add(plan)
    # Redis down or gone mid-enqueue: dispatch runs the plan here instead (app/platform/jobs.py).
    mode = dispatch(run_plan, plan.id, job_timeout=int(params["time_limit_s"]) + 600).mode
    session = get_session()
    session.expire_all()
    return session.get(Plan, plan.id), mode


def even_fleet(depot_ids: list[str], vehicles: int, capacity_units: float) -> list[dict]:
    """`vehicles` trucks of one type shared out over the depots in turn (truck-1 at the first)."""
    return [{"id": f"truck-{i + 1}", "capacity_units": capacity_units, "start_depot": depot_ids[i % len(depot_ids)]}
            for i in range(vehicles)]


def start_collections(principal: Principal, day: date, depot_ids: list[str], objective: str, time_limit_s: int,
                      vehicles: int, capacity_units: float) -> Plan:
    """Collection tours for `day` with an even fleet (the console's form), checked exactly like
    the API's body: a ValidationError or DomainError names the offending field."""
    body = {"date": day.isoformat(), "depots": depot_ids, "objective": objective, "time_limit_s": time_limit_s,
            "vehicles": even_fleet(depot_ids, vehicles, capacity_units)}
    plan, _mode = start(principal, "collections", CollectionPlanInSchema().load(body))
    return plan


@in_app_context
def run_plan(plan_id: str) -> str:
    """The job: solve the plan's params and store the result. Returns the final status."""
    with unit_of_work() as session:
        plan = session.scalar(select(Plan).where(Plan.id == plan_id).with_for_update())
        if plan is None or plan.status != "queued":  # already run (a retried job): nothing to do
            return plan.status if plan else "missing"
        plan.status, plan.progress = "running", 0.05
        kind, params = plan.kind, dict(plan.params)
    ticker = _Ticker(plan_id, float(params.get("time_limit_s", 10)))
    try:
        result, statuses = SOLVERS[kind].solve(params, ticker.at)
    except DomainError as err:
        ticker.stop()
        return _fail(plan_id, f"{err.field}: {err.message}")
    except Exception as exc:  # a job must end in a state the caller can see, never stay running
        ticker.stop()
        log.exception("planning run %s failed", plan_id)
        return _fail(plan_id, f"internal error ({exc.__class__.__name__}); it has been logged")
    ticker.stop()
    with unit_of_work() as session:
        plan = session.get(Plan, plan_id)
        if statuses:
            result["warnings"] = result.get("warnings", []) + _apply_statuses(session, plan_id, statuses)
        plan.result, plan.status, plan.progress, plan.finished_at = result, "done", 1.0, utcnow()
    return "done"


def _apply_statuses(session, plan_id: str, statuses: dict[int, tuple[ReturnRequestStatus, str | None]]) -> list[str]:
    """Move the requests the plan covered; a request changed meanwhile keeps its status."""
    warnings = []
    now = utcnow()
    rows = session.scalars(select(ReturnRequest).where(ReturnRequest.id.in_(list(statuses)))
                           .order_by(ReturnRequest.id).with_for_update())
    for req in rows:
        status, reason = statuses[req.id]
        if req.status not in PENDING:
            warnings.append(f"request {req.id} became {req.status} while planning; it was left as it is")
            continue
        req.status, req.status_reason, req.plan_id, req.updated_at = status, reason, plan_id, now
    return warnings


def _fail(plan_id: str, message: str) -> str:
    session = get_session()
    session.rollback()
    with unit_of_work() as session:
        plan = session.get(Plan, plan_id)
        plan.status, plan.error, plan.finished_at = "failed", message, utcnow()
    return "failed"


class _Ticker:
    """Moves `progress` along while the search runs, so a caller polling sees it advance.

    Writes through its own connection (the run's session may be mid-transaction) and
    only while the plan is `running`, so it can never overwrite the final state."""

    def __init__(self, plan_id: str, search_s: float):
        self.plan_id, self.search_s = plan_id, max(search_s, 1.0)
        self.engine = current_app.extensions["engine"]
        self.began: float | None = None
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    def at(self, fraction: float) -> None:
        self._write(fraction)
        if fraction >= SEARCH_FROM and self.thread is None:
            self.began = time.monotonic()
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(1.0):
            share = min(1.0, (time.monotonic() - self.began) / self.search_s)
            self._write(SEARCH_FROM + share * (SEARCH_TO - SEARCH_FROM))

    def _write(self, fraction: float) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(update(Plan).where(Plan.id == self.plan_id, Plan.status == "running",
                                                Plan.progress < fraction).values(progress=round(fraction, 3)))
        except Exception as exc:  # progress is a courtesy; never fail the run for it
            log.warning("could not record progress of plan %s: %s", self.plan_id, exc)

    def stop(self) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join(timeout=5)


def get(viewer: Caller, plan_id: str) -> Plan:
    """A planning run: its stops name every customer on the tours, so staff only."""
    authorize(viewer, "plan.read")
    return get_or_404(Plan, plan_id, "id", "plan")


def get_done(viewer: Caller, plan_id: str, kind: str) -> Plan:
    plan = get(viewer, plan_id)
    if plan.kind != kind:
        raise DomainError("id", f"plan {plan_id} is a {plan.kind} plan; exports exist for {kind} plans")
    if plan.status != "done":
        raise Conflict("status", f"plan {plan_id} is {plan.status}; exports are ready when it is done")
    return plan


def list_plans(viewer: Caller, kind: str | None, status: str | None, limit: int, offset: int) -> list[Plan]:
    authorize(viewer, "plan.read")
    stmt = select(Plan).order_by(Plan.created_at.desc(), Plan.id)
    if kind:
        stmt = stmt.where(Plan.kind == kind)
    if status:
        stmt = stmt.where(Plan.status == status)
    return list(get_session().scalars(stmt.limit(limit).offset(offset)))
