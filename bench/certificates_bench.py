"""Issuing one month of certificates: 1,000 customers, 1,000,000 trips, on PostgreSQL.

    .venv/bin/python -m bench.certificates_bench [--trips 1000000] [--customers 1000] [--keep]

Creates the database `circularity_certbench` (dropped and recreated), migrates it with
`app.cli.upgrade_database`, and bulk-inserts synthetic reference data and trips with
`INSERT ... SELECT generate_series` (seeded): the month's completed trips plus 11 earlier
months of completed and lost trips for the observed loss rate. Customer volumes are
skewed (customer k gets a share ~ 1/sqrt(k)), one asset type in 20 trips has no LCA
profile (listed as not credited).

Then, each in a fresh child process (so ru_maxrss is the issuing process's own peak):
`issuing.issue(month)` for every customer + the operator summary, twice (the second
run re-issues, superseding the first). Compared in the same run against the floor: one
SQL aggregate scan of the same trips (GROUP BY customer, asset type) from Python.
Prints JSON and writes bench/results/certificates.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DB_NAME = "circularity_certbench"
DB_URL = os.environ.get("BENCH_DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}")
MONTH = "2026-10"
ASSETS = 200_000
TYPES = [  # id, lca profile, tare kg
    ("ibc-1000", "ibc-1000-vs-steel-drums", 72.0),
    ("ibc-1000c", "ibc-1000-vs-composite-ibc", 72.0),
    ("crate-6040", "crate-600x400-vs-corrugated", 2.1),
    ("pallet-box", "pallet-box-vs-wooden-crate", 38.0),
    ("legacy-box", None, 20.0),
]


def _engine(url):
    from sqlalchemy import create_engine

    return create_engine(url, isolation_level="AUTOCOMMIT")


def setup(trips: int, customers: int, history: int) -> dict:
    from sqlalchemy import text

    from app.cli import upgrade_database

    admin = _engine(ADMIN_URL)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    t0 = time.perf_counter()
    upgrade_database(DB_URL)
    eng = _engine(DB_URL)
    with eng.connect() as conn:
        conn.execute(text("SELECT setseed(0.2026)"))
        for i, (tid, profile, tare) in enumerate(TYPES):
            conn.execute(text(
                "INSERT INTO asset_types (id, name, company_prefix, grai_asset_type, tare_mass_kg, load_units, lca_profile,"
                " overdue_days, next_serial, created_at) VALUES (:id, :id, '4012345', :g, :tare, 1, :p, 45, 1, now())"),
                {"id": tid, "g": f"{i + 1}0001", "tare": tare, "p": profile})
        conn.execute(text(
            "INSERT INTO customers (id, name, active, created_at) "
            "SELECT 'cust-' || lpad(g::text, 4, '0'), 'Customer ' || g, true, now() FROM generate_series(1, :n) g"),
            {"n": customers})
        conn.execute(text(
            "INSERT INTO assets (id, code, asset_type_id, serial, state, trip_count, trips_opened, label_prints, registered_at) "
            "SELECT g, lpad(g::text, 22, '0'), (ARRAY[:t0, :t1, :t2, :t3, :t4])[1 + (g % 20 = 0)::int * 4 + "
            " (g % 20 <> 0)::int * (g % 4)], g::text, 10, 0, 0, 0, now() FROM generate_series(1, :n) g"),
            {f"t{i}": t[0] for i, t in enumerate(TYPES)} | {"n": ASSETS})
        # trips: the month's completed ones, then `history` earlier ones (2 % lost) for loss rates
        insert = (
            "INSERT INTO trips (id, asset_id, asset_type_id, seq, opened_at, closed_at, outcome, customer_id, legs,"
            " outbound_km, transfer_km, return_km) "
            "SELECT g, a.id, a.asset_type_id, g / :assets + 1, c - interval '9 days', c, o, cust, '[]', ob, tr, ob * rf "
            "FROM (SELECT g, 1 + (g % :assets) AS aid,"
            "      {closed} AS c, {outcome} AS o,"
            "      'cust-' || lpad((1 + floor(:customers * random() ^ 2))::int::text, 4, '0') AS cust,"
            "      round((20 + 380 * random())::numeric, 1)::float8 AS ob,"
            "      CASE WHEN random() < 0.1 THEN round((5 + 45 * random())::numeric, 1)::float8 ELSE 0 END AS tr,"
            "      0.9 + 0.6 * random() AS rf"
            "      FROM generate_series(:first, :last) g) s JOIN assets a ON a.id = s.aid")
        conn.execute(text(insert.format(
            closed="timestamptz '2026-10-01 00:00+00' + random() * interval '31 days' - interval '1 second'",
            outcome="'completed'")), {"assets": ASSETS, "customers": customers, "first": 1, "last": trips})
        conn.execute(text(insert.format(
            closed="timestamptz '2025-11-01 00:00+00' + random() * interval '334 days'",
            outcome="CASE WHEN random() < 0.02 THEN 'lost' ELSE 'completed' END")),
            {"assets": ASSETS, "customers": customers, "first": trips + 1, "last": trips + history})
        conn.execute(text("VACUUM ANALYZE trips"))
        conn.execute(text("VACUUM ANALYZE assets"))
    eng.dispose()
    return {"setup_s": round(time.perf_counter() - t0, 1)}


def floor_scan() -> dict:
    """The least work: one SQL aggregate over the month's trips, fetched into Python."""
    from sqlalchemy import text

    eng = _engine(DB_URL)
    sql = text("SELECT customer_id, asset_type_id, count(*), sum(outbound_km + transfer_km), sum(return_km) FROM trips "
               "WHERE outcome = 'completed' AND closed_at >= '2026-10-01' AND closed_at < '2026-11-01' GROUP BY 1, 2")
    times = []
    with eng.connect() as conn:
        for _ in range(3):
            t0 = time.perf_counter()
            rows = conn.execute(sql).all()
            times.append(time.perf_counter() - t0)
    eng.dispose()
    return {"floor_sql_group_by_s": round(min(times), 3), "groups": len(rows)}


def issue_child(key_file: str) -> None:
    """Runs in a child process: issue the month, report timings and this process's peak RSS."""
    from app import create_app
    from app.certificates import data as certificate_data
    from app.certificates import issuing
    from app.platform.config import Settings

    phases = {}
    read = certificate_data.read_month

    def timed_read(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return read(*args, **kwargs)
        finally:
            phases["read_aggregate_and_hash_s"] = round(time.perf_counter() - t0, 3)

    issuing.read_month = timed_read
    app = create_app({"SETTINGS": Settings(database_url=DB_URL, redis_url=None), "SIGNING_KEY_FILE": key_file})
    with app.app_context():
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        serials = issuing.issue(MONTH)
        wall = time.perf_counter() - t0
    print(json.dumps({"wall_s": round(wall, 3), **phases,
                      "compute_sign_store_s": round(wall - phases["read_aggregate_and_hash_s"], 3),
                      "certificates": len(serials), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "rss_before_issue_mb": round(rss0 / 1024, 1)}))


def run_issue(key_file: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.certificates_bench", "--child", key_file], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def summary() -> dict:
    from sqlalchemy import text

    eng = _engine(DB_URL)
    with eng.connect() as conn:
        row = conn.execute(text(
            "SELECT count(*) FILTER (WHERE status = 'valid'), count(*), max(trip_count) FILTER (WHERE scope = 'operator'),"
            " sum(trip_count) FILTER (WHERE scope <> 'operator' AND status = 'valid'),"
            " count(*) FILTER (WHERE status = 'valid' AND (document->'inputs'->>'trips_embedded')::boolean),"
            " pg_size_pretty(pg_total_relation_size('certificates')) FROM certificates")).one()
    eng.dispose()
    return {"valid": row[0], "rows": row[1], "operator_trip_count": row[2], "customer_trip_count_sum": row[3],
            "documents_with_embedded_trips": row[4], "certificates_table_size": row[5]}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        issue_child(sys.argv[2])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--trips", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=1000)
    ap.add_argument("--history", type=int, default=300_000, help="earlier trips (11 months) for the loss rate")
    ap.add_argument("--keep", action="store_true", help="reuse the existing database (skip setup)")
    args = ap.parse_args()
    result = {"benchmark": "certificates", "month": MONTH, "trips_in_month": args.trips, "customers": args.customers,
              "earlier_trips": args.history, "python": platform.python_version(), "cpus": os.cpu_count()}
    if not args.keep:
        result.update(setup(args.trips, args.customers, args.history))
    result.update(floor_scan())
    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp) / "signing-key.pem"
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        result["issue_first"] = run_issue(str(key))
        result["issue_reissue"] = run_issue(str(key))
    result["stored"] = summary()
    best = min(result["issue_first"]["wall_s"], result["issue_reissue"]["wall_s"])
    result["ratio_issue_to_floor"] = round(best / result["floor_sql_group_by_s"], 1)
    result["target_wall_s"] = 60
    text_out = json.dumps(result, indent=2)
    print(text_out)
    out = ROOT / "bench" / "results" / "certificates.json"
    out.write_text(text_out + "\n")


if __name__ == "__main__":
    main()
