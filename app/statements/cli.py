"""`flask --app wsgi statements ...`"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.domain.errors import DomainError
from app.domain.policy import OPERATOR
from app.statements import actions, closing


@click.group("statements", cls=AppGroup)
def statements_group():
    """Monthly packaging-account statements."""


@statements_group.command("close")
@click.option("--month", required=True, help="a month that is over, YYYY-MM")
@click.option("--customer", "customer_id", default=None, help="one customer id; omitted: every customer")
def close_command(month, customer_id):
    """Close a month: one frozen, numbered statement per customer (idempotent). Prints the numbers."""
    try:
        for statement in closing.close_month(OPERATOR, month, customer_id):
            click.echo(statement.number)
    except DomainError as err:
        raise click.BadParameter(err.message, param_hint=f"'--{err.field}'") from None


@statements_group.command("auto-confirm")
def auto_confirm_command():
    """Confirm every statement past its dispute deadline without an open dispute (run daily)."""
    numbers = actions.auto_confirm()
    for number in numbers:
        click.echo(number)
    click.echo(f"{len(numbers)} statement(s) confirmed", err=True)
