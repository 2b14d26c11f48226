"""Test database housekeeping: back to empty between tests, and tests inside one transaction."""
from __future__ import annotations

from contextlib import contextmanager

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker


def table_names() -> list[str]:
    """Every mapped table, dependents before what they reference, so a table added to the
    models is emptied between tests without editing a list here."""
    from app.tables import Base

    return [t.name for t in reversed(Base.metadata.sorted_tables)]


def tables_with_rows(conn, tables: list[str]) -> list[str]:
    """The tables that hold at least one row, in one round trip."""
    flags = conn.execute(text("SELECT " + ", ".join(f"EXISTS (SELECT 1 FROM {t})" for t in tables))).one()
    return [t for t, has_rows in zip(tables, flags) if has_rows]


def reset_database(engine: Engine) -> None:
    """Empty tables and sequences back at 1, as in a fresh database.

    TRUNCATE costs tenths of a second per test on PostgreSQL, so it runs only when a table
    holds rows; after a `db_session` test (rolled back) only the sequences it advanced are
    restarted, the same ones `RESTART IDENTITY` would restart."""
    tables = table_names()
    with engine.begin() as conn:
        if tables_with_rows(conn, tables):
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            return
        conn.execute(text(
            "SELECT setval(s.oid::regclass, 1, false) FROM pg_class s "
            "JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid "
            "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid JOIN pg_sequences q ON q.sequencename = s.relname "
            "AND q.schemaname = current_schema() "
            "WHERE s.relkind = 'S' AND t.relname = ANY(:tables) AND q.last_value IS NOT NULL"), {"tables": tables})


@contextmanager
def joined_transaction(app: Flask):
    """Bind every session the app opens to one connection-level transaction, rolled back at
    the end (SQLAlchemy 2: "Joining a Session into an External Transaction").

    A service's commit releases a SAVEPOINT and its rollback returns to it, so units of work
    behave as usual while nothing reaches the database for good. Code that takes its own
    connection from the engine (certificate runs, the planning progress ticker) does not see
    this transaction: such tests, and tests that need real concurrency, use the plain `app`.
    """
    engine = app.extensions["engine"]
    connection = engine.connect()
    transaction = connection.begin()
    original = app.extensions["sessionmaker"]
    app.extensions["sessionmaker"] = sessionmaker(bind=connection, expire_on_commit=False,
                                                  join_transaction_mode="create_savepoint")
    try:
        yield connection
    finally:
        app.extensions["sessionmaker"] = original
        transaction.rollback()
        connection.close()
    with engine.connect() as conn:
        leaked = tables_with_rows(conn, table_names())
    assert not leaked, f"rows committed outside the test's transaction in {leaked}: use the plain app fixture"
