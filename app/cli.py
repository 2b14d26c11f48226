"""Command-line interface: `flask --app wsgi <command>`."""
from __future__ import annotations

import hashlib
import hmac
import sys
from datetime import date, timedelta
from pathlib import Path

import click
from flask import Flask, current_app

from app.accounts.principal import ROLES, hash_token


def register_cli(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_api_token)
    from app.certificates.cli import certificates_group
    from app.labels.cli import labels_group
    from app.statements.cli import statements_group
    from app.webhooks.cli import webhooks_group

    app.cli.add_command(labels_group)
    app.cli.add_command(certificates_group)
    app.cli.add_command(statements_group)
    app.cli.add_command(webhooks_group)


def upgrade_database(url: str | None = None) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(Path(__file__).resolve().parent.parent / "alembic.ini"))
    cfg.attributes["database_url"] = url or current_app.config["SETTINGS"].database_url
    command.upgrade(cfg, "head")


@click.command("db-upgrade")
def db_upgrade():
    """Migrate the database to the latest schema."""
    upgrade_database()
    click.echo("database at head")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.command("create-api-token")
@click.option("--role", required=True, type=click.Choice(ROLES), help="admin, depot, driver or customer")
@click.option("--customer", "customer_id", default=None, help="customer id (required for role customer)")
@click.option("--name", default=None, help="user name; created if missing")
def create_api_token(role, customer_id, name):
    """Create a bearer token (printed as the last line)."""
    from app.accounts import services as accounts
    from app.domain.errors import DomainError

    name = name or (f"{customer_id} user" if customer_id else f"{role} user")
    try:
        user = accounts.find_or_create_user(name, role, customer_id)
        token, secret = accounts.issue_token(user.id, f"cli {role}")
    except DomainError as err:
        _fail(f"{err.field}: {err.message}")
    click.echo(f"token {token.prefix}... for user {user.name!r} (role {role}"
               + (f", customer {customer_id}" if customer_id else "") + ")")
    click.echo(secret)


def demo_token(secret_key: str, label: str) -> str:
    # Derived from SECRET_KEY so re-seeding prints the same credentials, while a
    # deployment with a real secret gets tokens nobody can guess from this code.
    return "circ_demo_" + hmac.new(secret_key.encode(), label.encode(), hashlib.sha256).hexdigest()[:32]


@click.command("seed-demo")
def seed_demo():
    """Migrate to head, then build the demo fleet and six months of history (idempotent)."""
    from app.demo import seed

    settings = current_app.config["SETTINGS"]
    upgrade_database()
    with click.progressbar(length=1, label="simulating", show_pos=True) as bar:
        def progress(n):
            if bar.length == 1:
                bar.length = None
            bar.update(n)

        result = seed(settings, progress)
    click.echo(f"created: {result.created}")
    click.echo(f"scans: {result.scans}")
    credentials = _demo_users(settings)
    click.echo("demo credentials (bearer tokens and portal passwords):")
    for line in credentials:
        click.echo("  " + line)
    last_full_month = f"{(date.today().replace(day=1) - timedelta(days=1)):%Y-%m}"
    click.echo(f"avoided-CO2e certificates: the history's last complete month is issued; another month: "
               f"flask --app wsgi certificates issue --month {last_full_month}")


DEMO_USERS = [
    ("Demo Admin", "admin", None, "admin@demo.example"),
    ("Depot Duisburg", "depot", None, "depot@demo.example"),
    ("Driver Tour 1", "driver", None, "driver@demo.example"),
    ("RheinChem Logistics", "customer", "rheinchem", "logistics@rheinchem.example"),
]
DEMO_PASSWORD = "demo-password"


def _demo_users(settings) -> list[str]:
    from sqlalchemy import select

    from app.accounts import services as accounts
    from app.accounts.models import ApiToken, User
    from app.platform.db import get_session, unit_of_work

    lines = []
    for name, role, customer, email in DEMO_USERS:
        user = get_session().scalar(select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(name, role, customer, email, DEMO_PASSWORD)
        secret = demo_token(settings.secret_key, email)
        with unit_of_work() as session:
            if session.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(secret))) is None:
                session.add(ApiToken(user_id=user.id, name="demo", prefix=secret[:12], token_hash=hash_token(secret)))
        lines.append(f"{role:<8} {email:<30} password {DEMO_PASSWORD}  token {secret}")
    return lines
