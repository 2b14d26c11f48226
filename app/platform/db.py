"""Engine and session handling: one session per request or CLI command."""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import any_, bindparam, cast, create_engine, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import NotFound

log = logging.getLogger(__name__)
Row = TypeVar("Row")


def make_engine(url: str, echo: bool = False) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - driver hook
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    # Sessions in UTC, so date() of a timestamp is the UTC day whatever the server's zone.
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True,
                           connect_args={"options": "-c timezone=UTC"})
    loader = _clamped_loader_class()

    @event.listens_for(engine, "connect")
    def _clamp_timestamps(dbapi_conn, _record):  # pragma: no cover - driver hook
        dbapi_conn.adapters.register_loader("timestamptz", loader)

    return engine


@lru_cache(maxsize=1)
def _clamped_loader_class():
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    inner_class = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)
    earliest = datetime.min.replace(tzinfo=timezone.utc)
    latest = datetime.max.replace(tzinfo=timezone.utc)

    class ClampedTimestamptzLoader(Loader):
        """PostgreSQL stores years Python cannot hold (BC, after 9999, infinity). Such a
        value, accepted before input was bounded, reads as the nearest end of Python's
        range instead of failing every read of its row (an asset's history forever)."""

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._inner = inner_class(oid, context)

        def load(self, data):
            try:
                return self._inner.load(data)
            except psycopg.DataError as exc:
                problem = str(exc)
                if not problem.startswith(("timestamp too small", "timestamp too large")):
                    raise
                log.warning("stored timestamp outside Python's range read as its nearest end: %s", problem)
                return earliest if problem.startswith("timestamp too small") else latest

    return ClampedTimestamptzLoader


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    if settings.database_url.startswith("sqlite:///"):
        from pathlib import Path

        Path(settings.database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url, settings.sql_echo)
    app.extensions["engine"] = engine
    app.extensions["sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["sessionmaker"]()
    return g.db_session


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back anything a failed request left uncommitted


def get_or_404(model: type[Row], key: Any, field: str, what: str,
               visible: Callable[[Row], bool] | None = None) -> Row:
    """The row of `model` with primary key `key`, or NotFound(field, "unknown <what> <key!r>").

    A row `visible` rejects answers exactly like a missing one, so a caller cannot tell
    another customer's row (or a row of the wrong kind) from none at all."""
    row = get_session().get(model, key)
    if row is None or (visible is not None and not visible(row)):
        raise NotFound(field, f"unknown {what} {key!r}")
    return row


@contextmanager
def unit_of_work():
    """A transaction that commits on success and rolls back on any exception."""
    session = get_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def in_values(session: Session, column, values: list):
    """`column IN values`; on PostgreSQL as `= ANY(array)` with one parameter, because an
    expanded IN of 5,000 parameters costs more to build and parse than to execute."""
    if is_postgres(session):
        return column == any_(cast(bindparam(None, values, type_=ARRAY(column.type)), ARRAY(column.type)))
    return column.in_(values)


# PostgreSQL error codes that say "this attempt failed, the same request may succeed":
# the transaction was rolled back by the server or never started.
_TRANSIENT_SQLSTATES = {
    "40001": "serialization failure",
    "40P01": "deadlock detected",
    "57P01": "session terminated by the server",
    "57P02": "server crashed",
    "57P03": "database starting up",
    "53300": "too many connections",
}


def transient_failure(exc: BaseException) -> str | None:
    """Why `exc` is a passing database fault worth retrying, or None if it is not one.

    Connection loss, killed sessions, serialization failures, deadlocks and an exhausted
    pool roll the whole transaction back, so a client may resend the same request."""
    import sqlite3

    import psycopg
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.TimeoutError):
        return "no free database connection"
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return "connection lost"
        exc = exc.orig
    if isinstance(exc, psycopg.Error):
        state = exc.sqlstate
        if state in _TRANSIENT_SQLSTATES:
            return _TRANSIENT_SQLSTATES[state]
        if (state or "").startswith("08") or (state is None and isinstance(exc, psycopg.OperationalError)):
            return "connection lost or refused"  # class 08, or a socket closed without a server message
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return "database busy"
    return None
