"""Scan ingestion over HTTP (gunicorn + PostgreSQL) against a raw insert of the same rows.

    .venv/bin/python -m bench.ingest_bench [--scans 200000] [--workers 3] [--clients 2]

Prints JSON and writes bench/results/ingest.json. The raw insert (psycopg executemany
of the same event rows into a copy of scan_events with the same indexes) is the physical
limit on this machine: the service can at best match it, since it must also read, lock,
fold and update projections.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql://postgres@127.0.0.1:5432/"
DB = "circularity_bench"
EVENTS = ["issue", "deliver", "collect", "receive", "clean"]


def setup_db(n_assets: int, n_customers: int) -> None:
    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    env = {**os.environ, "DATABASE_URL": PG + DB}
    env.pop("REDIS_URL", None)
    code = f"""
from app import create_app
from app.cli import upgrade_database
from app.services import catalog, registry, accounts
app = create_app()
with app.app_context():
    upgrade_database()
    catalog.create("site", {{"id": "depot-1", "name": "D1", "kind": "depot", "lat": 51.43, "lon": 6.76}})
    for i in range({n_customers}):
        catalog.create("customer", {{"id": f"c{{i}}", "name": f"C{{i}}"}})
        catalog.create("site", {{"id": f"c{{i}}-s", "name": "s", "kind": "customer", "customer_id": f"c{{i}}",
                                 "lat": 51.0 + i * 0.01, "lon": 7.0}})
    catalog.create("asset_type", {{"id": "crate", "name": "Crate", "company_prefix": "4012345",
                                   "grai_asset_type": "12345", "tare_mass_kg": 2.0}})
    left = {n_assets}
    while left:
        n = min(left, 10000); registry.register("crate", n, "depot-1"); left -= n
    u = accounts.create_user("bench", "admin")
    print(accounts.issue_token(u.id, "bench")[1])
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def make_scans(codes: list[str], n_customers: int, total: int) -> list[list[dict]]:
    """Batches of 5,000 in physical order: each asset goes through issue..clean."""
    t0 = datetime(2026, 1, 5, 6, 0, tzinfo=timezone.utc)
    batches, count = [], 0
    per_asset = len(EVENTS)
    for step, event in enumerate(EVENTS):
        scans = []
        for i, code in enumerate(codes):
            if count >= total:
                break
            count += 1
            cust = f"c{i % n_customers}"
            site = "depot-1" if event in ("issue", "receive", "clean") else f"{cust}-s"
            item = {"id": str(uuid.uuid4()), "code": code, "event": event, "site": site,
                    "occurred_at": (t0 + timedelta(hours=step * 10, seconds=i)).isoformat()}
            if event == "issue":
                item["customer"] = cust
            scans.append(item)
        batches += [scans[i:i + 5000] for i in range(0, len(scans), 5000)]
    assert per_asset * len(codes) >= total
    return batches


def start_gunicorn(workers: int, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": PG + DB, "REDIS_URL": "redis://127.0.0.1:6379/14",
           "AUTH_FAILURES_PER_MINUTE": "100000"}
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--timeout", "300", "wsgi:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def post(port: int, token: str, batch: list[dict]) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/scans", data=json.dumps({"scans": batch}).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.loads(resp.read())


def http_ingest(port: int, token: str, batches: list[list[dict]], clients: int) -> dict:
    # Batches of one step (e.g. all "issue" scans) may run in parallel; steps run in order,
    # as a fleet's scans arrive over time.
    per_step = {}
    for b in batches:
        per_step.setdefault(b[0]["event"], []).append(b)
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def send(b):
        res = post(port, token, b)
        with lock:
            for k, v in res["summary"].items():
                statuses[k] = statuses.get(k, 0) + v

    t = time.perf_counter()
    for event in EVENTS:
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(send, per_step.get(event, [])))
    elapsed = time.perf_counter() - t
    n = sum(len(b) for b in batches)
    return {"scans": n, "seconds": round(elapsed, 2), "scans_per_s": round(n / elapsed), "statuses": statuses}


def raw_insert(batches: list[list[dict]]) -> dict:
    """The same event rows into a same-shaped table, 5,000 per executemany, no logic."""
    with psycopg.connect(PG + DB) as conn:
        conn.execute("DROP TABLE IF EXISTS scan_events_raw")
        conn.execute("CREATE TABLE scan_events_raw (LIKE scan_events INCLUDING ALL)")
        conn.execute("ALTER TABLE scan_events_raw DROP CONSTRAINT IF EXISTS scan_events_raw_asset_id_fkey")
        conn.commit()
        ids = dict(conn.execute("SELECT code, id FROM assets").fetchall())
        now = datetime.now(timezone.utc)
        code_map = {"issue": 110, "deliver": 120, "collect": 140, "receive": 150, "clean": 160}
        t = time.perf_counter()
        with conn.cursor() as cur:
            for b in batches:
                rows = [(uuid.UUID(s["id"]), ids[s["code"]], code_map[s["event"]], s["occurred_at"], now, s["site"],
                         s.get("customer"), s["code"], 1) for s in b]
                cur.executemany("INSERT INTO scan_events_raw (scan_id, asset_id, event, occurred_at, recorded_at, "
                                "site_id, customer_id, raw_code, status) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", rows)
                conn.commit()
        elapsed = time.perf_counter() - t
        conn.execute("DROP TABLE scan_events_raw")
        conn.commit()
    n = sum(len(b) for b in batches)
    return {"rows": n, "seconds": round(elapsed, 2), "rows_per_s": round(n / elapsed)}


def single_latency(port: int, token: str, codes: list[str], clients: int = 16, per_client: int = 150) -> dict:
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
    lat: list[float] = []
    lock = threading.Lock()

    def run(c):
        mine = []
        for i in range(per_client):
            code = codes[(c * per_client + i) % len(codes)]
            item = {"id": str(uuid.uuid4()), "code": code, "event": "check", "site": "depot-1",
                    "occurred_at": (t0 + timedelta(seconds=c * per_client + i)).isoformat()}
            t = time.perf_counter()
            post(port, token, [item])
            mine.append((time.perf_counter() - t) * 1000)
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=run, args=(c,)) for c in range(clients)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    lat.sort()
    return {"clients": clients, "requests": len(lat), "p50_ms": round(statistics.median(lat), 1),
            "p99_ms": round(lat[int(len(lat) * 0.99) - 1], 1), "requests_per_s": round(len(lat) / elapsed)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", type=int, default=200_000)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    n_assets = -(-args.scans // len(EVENTS))
    token = setup_db(n_assets, 50)
    with psycopg.connect(PG + DB) as conn:
        codes = [r[0] for r in conn.execute("SELECT code FROM assets ORDER BY id")]
    batches = make_scans(codes, 50, args.scans)
    raw = raw_insert(batches)
    proc = start_gunicorn(args.workers, args.port)
    try:
        http = http_ingest(args.port, token, batches, args.clients)
        latency = single_latency(args.port, token, codes)
    finally:
        proc.terminate()
        proc.wait()
    result = {"benchmark": "scan_ingest", "machine_cores": os.cpu_count(), "gunicorn_workers": args.workers,
              "http_clients": args.clients, "batch_size": 5000, "http": http, "raw_insert": raw,
              "ratio_to_raw_insert": round(http["scans_per_s"] / raw["rows_per_s"], 3),
              "single_scan_latency": latency}
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
