"""`flask --app wsgi webhooks ...`"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.webhooks import delivery


@click.group("webhooks", cls=AppGroup)
def webhooks_group():
    """Signed webhooks."""


@webhooks_group.command("retry-due")
def retry_due_command():
    """Send every pending delivery whose time has come (run every minute by cron or a timer)."""
    outcomes = delivery.retry_due()
    for delivery_id, outcome in outcomes.items():
        click.echo(f"{delivery_id} {outcome}")
    click.echo(f"{len(outcomes)} delivery(ies) due", err=True)
