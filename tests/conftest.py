"""Shared fixtures: a real PostgreSQL database (migrated with Alembic) and a real Redis.

TEST_DATABASE_URL and TEST_REDIS_URL point elsewhere if needed. Each test starts from
empty tables (tests/helpers/database.py) because services commit their own transactions,
which is what the concurrency and idempotency tests must exercise. Tests that need no
real concurrency can run inside one rolled-back transaction instead: `db_session`.
"""
from __future__ import annotations

import os
import subprocess
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import redis
from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# One database and one Redis db per pytest process, so parallel runs cannot truncate
# each other's data; the database is created fresh (migrated to head) and dropped after.
DATABASE_URL = os.environ.get("TEST_DATABASE_URL",
                              f"postgresql+psycopg://postgres@127.0.0.1:5432/circularity_test_{os.getpid()}")
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{1 + os.getpid() % 15}")


def ensure_database(url: str, fresh: bool = False) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if fresh:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_db():
    from app.cli import upgrade_database

    ensure_database(DATABASE_URL, fresh=True)
    upgrade_database(DATABASE_URL)
    yield DATABASE_URL
    if "TEST_DATABASE_URL" not in os.environ:
        drop_database(DATABASE_URL)


@pytest.fixture
def settings(migrated_db):
    from app.platform.config import Settings

    return Settings(database_url=migrated_db, redis_url=REDIS_URL, secret_key="test-secret",
                    auth_failures_per_minute=1000)


@pytest.fixture
def app(settings, request):
    from app import create_app
    from tests.helpers.database import joined_transaction, reset_database

    application = create_app({"SETTINGS": settings, "TESTING": True})
    engine = application.extensions["engine"]
    reset_database(engine)
    redis.Redis.from_url(REDIS_URL).flushdb()
    if "db_session" in request.fixturenames:
        # Joined here, before any fixture writes through the app (see db_session).
        with joined_transaction(application):
            yield application
    else:
        yield application
    engine.dispose()


@pytest.fixture
def db_session(app):
    """The test runs inside one connection-level transaction, rolled back afterwards: every
    session of the app (requests, services, fixtures) is bound to it, and each service
    commit becomes a SAVEPOINT. For tests that need no real concurrency and whose code
    reaches the database only through the app's sessions (tests/helpers/database.py,
    `joined_transaction`). Yields a session in that transaction for the test's own reads."""
    session = app.extensions["sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(app):
    """Two depots, two customers with one site each, one asset type and 20 assets."""
    from app.accounts import services as accounts

    with app.app_context():
        codes = seed_places_and_assets()
        tokens = {}
        for role, customer in (("admin", None), ("depot", None), ("driver", None), ("customer", "acme"),
                               ("customer", "globex")):
            user = accounts.create_user(f"{role}-{customer}", role, customer)
            tokens[customer or role] = accounts.issue_token(user.id, "test")[1]
    return {"codes": codes, "tokens": tokens}


def seed_places_and_assets(**asset_type) -> list[str]:
    """Depots A and B, customers acme and globex with one site each, the `ibc` asset type
    (`asset_type` adds fields) and 20 IBCs at depot A; their codes. Needs an app context."""
    from app.catalog import services as catalog
    from app.assets import registry

    catalog.create("site", {"id": "depot-a", "name": "Depot A", "kind": "depot", "lat": 51.43, "lon": 6.76})
    catalog.create("site", {"id": "depot-b", "name": "Depot B", "kind": "depot", "lat": 50.90, "lon": 6.92})
    for cid, lat, lon in (("acme", 51.03, 6.98), ("globex", 51.48, 7.22)):
        catalog.create("customer", {"id": cid, "name": cid.title()})
        catalog.create("site", {"id": f"{cid}-site", "name": f"{cid} plant", "kind": "customer",
                                "customer_id": cid, "lat": lat, "lon": lon})
    catalog.create("asset_type", {"id": "ibc", "name": "IBC 1000 L", "company_prefix": "4012345",
                                  "grai_asset_type": "12345", "tare_mass_kg": 72.0, **asset_type})
    return [a.code for a in registry.register("ibc", 20, "depot-a")]


def give_holdings(app, held: dict[tuple[str, str, str], int]) -> None:
    """Let customers hold assets without scanning them there: {(customer, site or "", asset type): count}
    added to the balance counters, which a return request may not ask beyond."""
    from app.balances.models import CustomerBalance
    from app.platform.db import unit_of_work

    with app.app_context(), unit_of_work() as session:
        for (customer, site, type_id), n in held.items():
            session.add(CustomerBalance(customer_id=customer, site_id=site, asset_type_id=type_id,
                                        since_day=datetime.now(timezone.utc).date(), count=n))


def stop_process(proc, timeout_s: float = 15) -> None:
    """Stop a child process the tests started: politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


T0 = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)


def scan(code: str, event: str, site: str, at: datetime, customer: str | None = None, id_: str | None = None) -> dict:
    item = {"id": id_ or str(uuid.uuid4()), "code": code, "event": event, "site": site, "occurred_at": at.isoformat()}
    if customer:
        item["customer"] = customer
    return item


def full_trip(code: str, start: datetime, customer: str = "acme", depot: str = "depot-a") -> list[dict]:
    """The scans of one complete trip, one hour apart."""
    steps = [("issue", depot, customer), ("deliver", f"{customer}-site", None), ("collect", f"{customer}-site", None),
             ("receive", depot, None), ("clean", depot, None), ("inspect_pass", depot, None)]
    return [scan(code, ev, site, start + timedelta(hours=i), cust) for i, (ev, site, cust) in enumerate(steps)]
