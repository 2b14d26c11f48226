"""Balance and statement latency for a customer holding 100,000 assets, 5,000,000 events.

    .venv/bin/python -m bench.balance_bench [--assets 100000] [--events 5000000] [--runs 30] [--out FILE]

The data is generated in SQL (generate_series), not through the scan service: this
measures the read side. Each asset of the big customer has made trips every ~18 days for
six months (issue + return custody moves), so the month's statement sums ~330,000 moves.
Times are server side: the service functions called in an app context, median of runs.
The floor is PostgreSQL's own time for the statement's aggregate query (EXPLAIN ANALYZE).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql://postgres@127.0.0.1:5432/"
DB = "circularity_balbench"


def setup(n_assets: int, n_events: int) -> dict:
    from app.cli import upgrade_database

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    upgrade_database(PG + DB)
    t = time.perf_counter()
    with psycopg.connect(PG + DB) as conn:
        _insert_reference_rows(conn)
        _insert_assets(conn, n_assets)
        _insert_history(conn, n_assets, n_events)
        conn.commit()
    # Steady state as autovacuum leaves it: statistics and the visibility map that lets
    # counts run as index-only scans.
    with psycopg.connect(PG + DB, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    with psycopg.connect(PG + DB) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("assets", "scan_events", "custody_moves")}
    counts["setup_s"] = round(time.perf_counter() - t, 1)
    return counts


def _insert_reference_rows(conn: psycopg.Connection) -> None:
    """Two customers, a depot and two customer sites, two asset types."""
    conn.execute("""
        INSERT INTO customers (id, name, active, created_at) VALUES ('big', 'Big Customer', true, now()),
          ('other', 'Other', true, now());
        INSERT INTO sites (id, name, kind, customer_id, lat, lon, timezone, active, created_at) VALUES
          ('depot', 'Depot', 'depot', NULL, 51.4, 6.7, 'UTC', true, now()),
          ('big-a', 'Big A', 'customer', 'big', 51.0, 7.0, 'UTC', true, now()),
          ('big-b', 'Big B', 'customer', 'big', 51.2, 7.1, 'UTC', true, now());
        INSERT INTO asset_types (id, name, company_prefix, grai_asset_type, tare_mass_kg, load_units,
                                 overdue_days, next_serial, created_at) VALUES
          ('crate', 'Crate', '4012345', '12345', 2.0, 0.05, 30, 1, now()),
          ('ibc', 'IBC', '4012345', '12346', 72.0, 1.0, 45, 1, now());
    """)


def _insert_assets(conn: psycopg.Connection, n_assets: int) -> None:
    """The big customer's assets, all held by it, and the balance counters over them."""
    conn.execute("""
        INSERT INTO assets (id, code, asset_type_id, serial, state, holder_customer_id, holder_since, site_id,
                            trip_count, trips_opened, last_event_at, label_prints, registered_at)
        SELECT g, '04012345123456' || lpad(g::text, 8, '0'), CASE WHEN g %% 4 = 0 THEN 'ibc' ELSE 'crate' END,
               lpad(g::text, 8, '0'), 30, 'big', timestamptz '2026-11-01' - (g %% 90) * interval '1 day',
               CASE WHEN g %% 3 = 0 THEN 'big-b' ELSE 'big-a' END, 10, 10, timestamptz '2026-11-15', 0,
               timestamptz '2026-04-01'
        FROM generate_series(1, %s) g
    """, (n_assets,))
    # The counters the scan service keeps, derived the same way the migration does.
    conn.execute("""
        INSERT INTO customer_balances (customer_id, asset_type_id, site_id, since_day, count)
        SELECT holder_customer_id, asset_type_id, COALESCE(site_id, ''),
               CAST(holder_since AT TIME ZONE 'UTC' AS DATE), count(*) FROM assets
        WHERE holder_customer_id IS NOT NULL GROUP BY 1, 2, 3, 4
    """)


def _insert_history(conn: psycopg.Connection, n_assets: int, n_events: int) -> None:
    """Event history: n_events scans spread over the assets and six months, and their custody moves."""
    conn.execute("""
        INSERT INTO scan_events (scan_id, asset_id, event, occurred_at, recorded_at, site_id, customer_id,
                                 raw_code, status)
        SELECT md5(g::text)::uuid, 1 + g %% %(a)s, (ARRAY[110,120,140,150,160,170])[1 + g %% 6],
               timestamptz '2026-05-15' + (g::float8 / %(e)s) * interval '183 days', now(),
               CASE WHEN g %% 6 IN (1, 2) THEN 'big-a' ELSE 'depot' END,
               CASE WHEN g %% 6 = 0 THEN 'big' END, 'x', 1
        FROM generate_series(1, %(e)s) g
    """, {"a": n_assets, "e": n_events})
    # Custody moves matching the issues (+1) and collections (-1): one pair per trip.
    conn.execute("""
        INSERT INTO custody_moves (asset_id, asset_type_id, customer_id, kind, delta, occurred_at, scan_event_id)
        SELECT e.asset_id, a.asset_type_id, 'big',
               CASE WHEN e.event = 110 THEN 'issued' ELSE 'returned' END,
               CASE WHEN e.event = 110 THEN 1 ELSE -1 END, e.occurred_at, e.id
        FROM scan_events e JOIN assets a ON a.id = e.asset_id WHERE e.event IN (110, 140)
    """)


def measure(runs: int) -> dict:
    os.environ["DATABASE_URL"] = PG + DB
    os.environ.pop("REDIS_URL", None)
    from app import create_app
    from app.balances import services as balances
    from app.domain.policy import OPERATOR

    app = create_app()
    start, end = datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 11, 1, tzinfo=timezone.utc)
    out = {}
    with app.app_context():
        for name, fn in (("balance", lambda: balances.balance(OPERATOR, "big")),
                         ("statement_month", lambda: balances.statement(OPERATOR, "big", start, end))):
            fn()  # warm caches
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
            out[name] = {"p50_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1), "runs": runs}
        sample = balances.statement(OPERATOR, "big", start, end)
        out["statement_month"]["moves_in_period"] = sum(
            sample["total"][k] for k in ("issued", "returned", "transfer_in", "transfer_out", "lost", "found"))
    with psycopg.connect(PG + DB) as conn:
        plan = conn.execute("""EXPLAIN (ANALYZE, FORMAT JSON)
            SELECT asset_type_id, kind, sum(delta), occurred_at < %s FROM custody_moves
            WHERE customer_id = 'big' AND occurred_at >= %s GROUP BY 1, 2, 4""", (end, start)).fetchone()[0]
        out["floor_statement_sql_ms"] = round(plan[0]["Execution Time"], 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--assets", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "balance.json",
                    help="where to write the JSON result (default: %(default)s)")
    args = ap.parse_args()
    counts = setup(args.assets, args.events)
    result = {"benchmark": "balance_statement", "data": counts, **measure(args.runs),
              "targets_ms": {"balance_p50": 10, "statement_month_p50": 200}}
    result["ratio_statement_to_sql_floor"] = round(result["statement_month"]["p50_ms"] / result["floor_statement_sql_ms"], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
