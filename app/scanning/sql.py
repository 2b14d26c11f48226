"""The statements of scan ingestion for each database, chosen once from the engine's dialect.

`PortableTables` runs plain SQLAlchemy statements (executemany, `IN` lists, SQLite's
upsert): the demo's SQLite database. `PostgresTables` overrides what PostgreSQL does in
bulk: a batch of 5,000 scans must cost a handful of round trips, not thousands, so rows
go in with COPY, updates as one `UPDATE ... FROM unnest(arrays)`, and `IN` as `= ANY(array)`.
Row shapes and the order of the statements are app/scanning/writer.py's.
"""
from __future__ import annotations

import json

from sqlalchemy import JSON, Float, any_, bindparam, cast, delete, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.assets.models import Asset
from app.assets.models import Trip as TripRow
from app.balances.models import CustodyMove, CustomerBalance
from app.platform.base import utcnow
from app.scanning.models import Anomaly, ScanEvent

_NO_SYNC = {"synchronize_session": False}
_BALANCE_KEY = ["customer_id", "asset_type_id", "site_id", "since_day"]


class PortableTables:
    """The `Tables` of app/scanning/writer.py in statements every database understands."""

    upsert = staticmethod(sqlite.insert)

    def __init__(self, session: Session):
        self.session = session

    @staticmethod
    def in_values(column, values: list):
        return column.in_(values)

    def insert_events(self, rows: list[dict]) -> list[int]:
        table = ScanEvent.__table__
        result = self.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return list(result.scalars())

    def forget_derived(self, asset_ids: list[int]) -> None:
        self.session.execute(delete(TripRow).where(self.in_values(TripRow.asset_id, asset_ids)))
        self.session.execute(delete(CustodyMove).where(self.in_values(CustodyMove.asset_id, asset_ids)))

    def set_event_status(self, rows: list[dict]) -> None:
        self._update(ScanEvent.__table__, ["id"], rows)

    def clear_anomalies(self, event_ids: list[int]) -> None:
        self.session.execute(update(Anomaly).where(self.in_values(Anomaly.scan_event_id, event_ids),
                                                   Anomaly.resolved_at.is_(None))
                             .values({Anomaly.cleared_by_later_scan: True}), execution_options=_NO_SYNC)

    def insert_trips(self, rows: list[dict]) -> None:
        self.session.execute(insert(TripRow.__table__), rows)

    def update_trips(self, rows: list[dict]) -> None:
        self._update(TripRow.__table__, ["asset_id", "seq"], rows)

    def insert_moves(self, rows: list[dict]) -> None:
        self.session.execute(insert(CustodyMove.__table__), rows)

    def put_anomalies(self, rows: list[dict]) -> None:
        # A replay re-finds every old anomaly of the asset: one array parameter, not one
        # parameter per row (a long history would pass PostgreSQL's 65,535 limit).
        existing = set(self.session.scalars(select(Anomaly.scan_event_id).where(
            self.in_values(Anomaly.scan_event_id, [r["scan_event_id"] for r in rows]))))
        fresh = [{**r, "created_at": utcnow()} for r in rows if r["scan_event_id"] not in existing]
        again = [{"scan_event_id": r["scan_event_id"], "reason": r["reason"], "cleared_by_replay": False}
                 for r in rows if r["scan_event_id"] in existing]
        if fresh:
            self.session.execute(insert(Anomaly.__table__), fresh)
        if again:
            self._update(Anomaly.__table__, ["scan_event_id"], again)

    def add_to_balances(self, rows: list[dict]) -> None:
        table = CustomerBalance.__table__
        stmt = self.upsert(table)
        stmt = stmt.on_conflict_do_update(index_elements=_BALANCE_KEY,
                                          set_={"count": table.c.count + stmt.excluded.count})
        for row in rows:  # one statement per key keeps the lock order; few keys per batch
            self.session.execute(stmt, row)

    def update_assets(self, rows: list[dict]) -> None:
        self._update(Asset.__table__, ["id"], rows)

    def _update(self, table, keys: list[str], rows: list[dict]) -> None:
        """One executemany UPDATE matching `keys`; their parameters get names of their own,
        as SQLAlchemy keeps the column names for the SET clause."""
        columns = [c for c in rows[0] if c not in keys]
        stmt = (update(table).where(*(table.c[k] == bindparam(f"key_{k}") for k in keys))
                .values({c: bindparam(c) for c in columns}))
        params = [{**{f"key_{k}": r[k] for k in keys}, **{c: r[c] for c in columns}} for r in rows]
        self.session.execute(stmt, params, execution_options=_NO_SYNC)


class PostgresTables(PortableTables):
    upsert = staticmethod(postgresql.insert)

    @staticmethod
    def in_values(column, values: list):
        """`= ANY(array)` with one parameter: an expanded IN of 5,000 parameters costs more
        to build and parse than to execute."""
        array = postgresql.ARRAY(column.type)
        return column == any_(cast(bindparam(None, values, type_=array), array))

    def insert_events(self, rows: list[dict]) -> list[int]:
        return self._copy(ScanEvent.__table__, rows)

    def insert_trips(self, rows: list[dict]) -> None:
        self._copy(TripRow.__table__, rows)

    def update_trips(self, rows: list[dict]) -> None:
        self._unnest_update(TripRow.__table__, ["asset_id", "seq"], rows)

    def insert_moves(self, rows: list[dict]) -> None:
        self._copy(CustodyMove.__table__, rows)

    def update_assets(self, rows: list[dict]) -> None:
        self._unnest_update(Asset.__table__, ["id"], rows)

    def _copy(self, table, rows: list[dict], id_column: str = "id") -> list[int]:
        """COPY with ids drawn from the table's sequence: several times faster than a
        multi-row INSERT for thousands of rows. Returns the ids in row order."""
        from psycopg.types.json import Json

        ids = self.session.execute(text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', '{id_column}')) "
                                        "FROM generate_series(1, :n)"), {"n": len(rows)}).scalars().all()
        columns = [id_column] + [c for c in rows[0] if c != id_column]
        json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
        driver = self.session.connection().connection.driver_connection
        with driver.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for id_, row in zip(ids, rows):
                copy.write_row((id_, *(Json(row[c]) if c in json_columns else row[c] for c in columns[1:])))
        return ids

    def _unnest_update(self, table, keys: list[str], rows: list[dict]) -> None:
        """One `UPDATE ... FROM unnest(arrays)` for many rows: a single statement and round
        trip instead of one UPDATE per row."""
        names = keys + [c for c in rows[0] if c not in keys]
        params, casts = {}, []
        for i, name in enumerate(names):
            col = table.c[name]
            values = [r[name] for r in rows]
            if isinstance(col.type, Float):  # psycopg refuses an array mixing int and float
                values = [None if v is None else float(v) for v in values]
            if isinstance(col.type, JSON):
                values = [None if v is None else json.dumps(v) for v in values]
                casts.append((f"CAST(:p{i} AS TEXT[])", f"v.c{i}::json"))
            else:
                casts.append((f"CAST(:p{i} AS {col.type.compile(dialect=postgresql.dialect())}[])", f"v.c{i}"))
            params[f"p{i}"] = values
        sets = ", ".join(f"{n} = {casts[i][1]}" for i, n in enumerate(names) if n not in keys)
        where = " AND ".join(f"t.{n} = v.c{i}" for i, n in enumerate(names) if n in keys)
        self.session.execute(text(f"UPDATE {table.name} AS t SET {sets} FROM unnest({', '.join(c for c, _ in casts)}) "
                                  f"AS v({', '.join(f'c{i}' for i in range(len(names)))}) WHERE {where}"), params)


_BY_DIALECT: dict[str, type[PortableTables]] = {"postgresql": PostgresTables}


def tables_class(session: Session) -> type[PortableTables]:
    """The one place the dialect is chosen: PostgreSQL's bulk statements, else portable ones."""
    return _BY_DIALECT.get(session.get_bind().dialect.name, PortableTables)


def tables_for(session: Session) -> PortableTables:
    return tables_class(session)(session)
