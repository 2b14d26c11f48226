"""Alembic migrations: one head, reversible, and in agreement with the models."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from app.platform.db import make_engine
from app.tables import Base
from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]
MIGR_DB = "circularity_migr"
CORE_TABLES = {"anomalies", "custody_moves", "trips", "scan_events", "assets", "api_tokens", "users", "sites",
               "customers", "asset_types"}


def model_tables() -> set[str]:
    tables = set(Base.metadata.tables)
    assert tables >= CORE_TABLES
    return tables


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    return cfg


def fresh_pg_database() -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{MIGR_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{MIGR_DB}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{MIGR_DB}"


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_database(request, tmp_path):
    if request.param == "postgresql":
        url = fresh_pg_database()
    else:
        url = f"sqlite:///{tmp_path / 'migr.db'}"
    yield url


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            return compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()


def test_exactly_one_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    heads = script.get_heads()
    assert len(heads) == 1, heads
    # every revision is reachable from the head: no orphaned branch
    revisions = list(script.walk_revisions())
    assert revisions and revisions[-1].down_revision is None
    assert {r.revision for r in script.iterate_revisions(heads[0], "base")} == {r.revision for r in revisions}


def test_upgrade_downgrade_upgrade(empty_database):
    url = empty_database
    cfg = alembic_config(url)
    head = ScriptDirectory.from_config(cfg).get_current_head()

    command.upgrade(cfg, "head")
    assert current_revision(url) == head
    assert table_names(url) == model_tables()
    assert differences(url) == []

    command.downgrade(cfg, "base")
    assert current_revision(url) is None
    assert table_names(url) == set()

    command.upgrade(cfg, "head")
    assert current_revision(url) == head
    assert table_names(url) == model_tables()
    assert differences(url) == []


def test_models_match_migrations_on_the_test_database(migrated_db):
    assert differences(migrated_db) == []
