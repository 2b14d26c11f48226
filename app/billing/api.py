"""Contracts (tariffs) and billing runs."""
from __future__ import annotations

from flask.views import MethodView

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.billing import contracts, runs
from app.billing.schemas import (
    ContractInSchema,
    ContractPageSchema,
    ContractQuerySchema,
    ContractSchema,
    EndContractSchema,
    PreviewQuerySchema,
    PreviewSchema,
    RunInSchema,
    RunPageSchema,
    RunQuerySchema,
    RunSchema,
)
from app.domain.policy import roles_for
from app.platform.responses import documented

blp = ApiBlueprint("billing", __name__, description="Contracts (tariffs) and monthly billing runs")
LOCATION = {"Location": {"description": "the run: `/api/v1/billing-runs/<id>`", "required": True,
                         "schema": {"type": "string"}}}


@blp.route("/contracts")
class Contracts(MethodView):
    @blp.arguments(ContractQuerySchema, location="query")
    @blp.response(200, ContractPageSchema)
    @documented(404)
    @requires(*roles_for("contract.read"))
    def get(self, args):
        """Contracts and default tariffs. A customer user sees its own and the default tariffs."""
        return {"items": contracts.list_contracts(current(), args["customer"], args["default"], args["valid_on"],
                                                  args["limit"], args["offset"])}

    @blp.arguments(ContractInSchema)
    @blp.response(201, ContractSchema)
    @documented(404)
    @requires(*roles_for("contract.write"))
    def post(self, body):
        """Add a contract for a customer, or a default tariff (`customer` null).

        An unknown currency, a negative price, or a validity overlapping or leaving a gap to the
        customer's other contracts answers 422 naming the field; nothing is stored."""
        return contracts.create(current(), body)


@blp.route("/contracts/<int:contract_id>")
@blp.response(200, ContractSchema)
@requires(*roles_for("contract.read"))
def get_contract(contract_id):
    """One contract (a customer user: its own or a default tariff)."""
    return contracts.get(current(), contract_id)


@blp.route("/contracts/<int:contract_id>/end", methods=["POST"])
@blp.arguments(EndContractSchema)
@blp.response(200, ContractSchema)
@documented(409)
@requires(*roles_for("contract.write"))
def post_end_contract(body, contract_id):
    """End a contract: from `valid_until` on it prices nothing (409 when an invoice priced a later day with it)."""
    return contracts.end(current(), contract_id, body["valid_until"])


def _started(run, mode: str):
    headers = {"Location": f"/api/v1/billing-runs/{run.id}"}
    return (run, 201, headers) if mode == "inline" else (run, 202, headers)


@blp.route("/billing-runs")
class BillingRuns(MethodView):
    @blp.arguments(RunQuerySchema, location="query")
    @blp.response(200, RunPageSchema)
    @requires(*roles_for("billing.run"))
    def get(self, args):
        """Billing runs, newest first."""
        return {"items": runs.list_runs(current(), args["month"], args["status"], args["limit"], args["offset"])}

    @blp.arguments(RunInSchema)
    @blp.response(201, RunSchema, description="run inline (no worker listens): the finished run", headers=LOCATION)
    @blp.alt_response(202, schema=RunSchema, description="queued for a worker: poll the Location until `done`",
                      headers=LOCATION)
    @requires(*roles_for("billing.run"))
    def post(self, body):
        """Bill a month: one invoice per customer with charges (issued, or drafts with `issue: false`).

        Idempotent: customers invoiced for the month already are skipped (their drafts issued)."""
        return _started(*runs.start(current(), body["month"], body["issue"]))


@blp.route("/billing-runs/preview")
@blp.arguments(PreviewQuerySchema, location="query")
@blp.response(200, PreviewSchema)
@documented(404)
@requires(*roles_for("billing.run"))
def get_preview(args):
    """What a run would bill for the month now, per customer (lines, VAT, totals); nothing is stored."""
    return {"month": args["month"], "customers": runs.preview(current(), args["month"], args["customer"])}


@blp.route("/billing-runs/<uuid:run_id>")
@blp.response(200, RunSchema)
@requires(*roles_for("billing.run"))
def get_run(run_id):
    """A billing run: status, progress, invoices created and the customers it could not bill."""
    return runs.get(current(), str(run_id))
