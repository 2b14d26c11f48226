from __future__ import annotations

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.balances import services as balances
from app.balances.schemas import BalanceSchema, OverdueSchema, StatementQuerySchema, StatementSchema
from app.domain.policy import roles_for

blp = ApiBlueprint("balances", __name__, description="Customer balances and statements")


@blp.route("/customers/<customer_id>/balance")
@blp.response(200, BalanceSchema)
@requires(*roles_for("customer.balance"))
def get_balance(customer_id):
    """How many assets the customer holds, by type and site, and how many are overdue."""
    return balances.balance(current(), customer_id)


@blp.route("/customers/<customer_id>/statement")
@blp.arguments(StatementQuerySchema, location="query")
@blp.response(200, StatementSchema)
@requires(*roles_for("customer.statement"))
def get_statement(args, customer_id):
    """Movements in [from, to): opening, issued, transfers, returned, lost, found, closing, by type."""
    return balances.statement(current(), customer_id, args["from_"], args["to"])


@blp.route("/customers/<customer_id>/overdue")
@blp.response(200, OverdueSchema)
@requires(*roles_for("customer.overdue"))
def get_overdue(customer_id):
    """Assets held longer than their type's overdue limit, oldest first."""
    return {"customer": customer_id, "items": balances.overdue_assets(current(), customer_id)}
