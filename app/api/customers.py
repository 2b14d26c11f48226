from __future__ import annotations

from ..auth import current, requires
from ..domain.errors import NotFound
from ..schemas.api import BalanceSchema, OverdueSchema, StatementQuerySchema, StatementSchema
from ..services import balances
from .blueprint import ApiBlueprint

blp = ApiBlueprint("balances", __name__, description="Customer balances and statements")


def _visible(customer_id: str) -> None:
    p = current()
    if p.is_customer and p.customer_id != customer_id:
        raise NotFound("customer", f"unknown customer {customer_id!r}")


@blp.route("/customers/<customer_id>/balance")
@blp.response(200, BalanceSchema)
@requires()
def get_balance(customer_id):
    """How many assets the customer holds, by type and site, and how many are overdue."""
    _visible(customer_id)
    return balances.balance(customer_id)


@blp.route("/customers/<customer_id>/statement")
@blp.arguments(StatementQuerySchema, location="query")
@blp.response(200, StatementSchema)
@requires()
def get_statement(args, customer_id):
    """Movements in [from, to): opening, issued, transfers, returned, lost, found, closing, by type."""
    _visible(customer_id)
    return balances.statement(customer_id, args["from_"], args["to"])


@blp.route("/customers/<customer_id>/overdue")
@blp.response(200, OverdueSchema)
@requires()
def get_overdue(customer_id):
    """Assets held longer than their type's overdue limit, oldest first."""
    _visible(customer_id)
    return {"customer": customer_id, "items": balances.overdue_assets(customer_id)}
