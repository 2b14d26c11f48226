"""`flask --app wsgi seed-demo` on SQLite with no Redis: a realistic fleet, and idempotent."""
from __future__ import annotations

from decimal import Decimal

import ast
import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.integration.state import assert_conservation, assert_projection_is_fold_of_events

ROOT = Path(__file__).resolve().parents[2]
COUNTED = ["sites", "customers", "asset_types", "assets", "scan_events", "trips", "custody_moves", "anomalies",
           "users", "api_tokens"]

pytestmark = pytest.mark.slow


def run_seed(db: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = f"sqlite:///{db}"
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def printed(output: str, label: str) -> dict:
    match = re.search(rf"^{label}: (\{{.*\}})$", output, re.MULTILINE)
    assert match, output
    return ast.literal_eval(match.group(1))


def table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts).replace(tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    result = run_seed(db)
    return db, result.stdout, table_counts(db)


def test_seed_builds_a_realistic_fleet(seeded):
    db, out, counts = seeded
    created = printed(out, "created")
    scans = printed(out, "scans")
    assert created["depots"] >= 3 and created["customers"] >= 10 and created["asset_types"] >= 3
    assert created["assets"] >= 2000
    assert created["certificates"] >= 2  # customers with trips in the month, plus the operator summary
    assert set(scans) <= {"applied", "anomaly"} and sum(scans.values()) == counts["scan_events"]
    tokens = re.findall(r"^\s+(\w+)\s+\S+@\S+\s+password \S+\s+token (circ_\S+)$", out, re.MULTILINE)
    assert {role for role, _ in tokens} >= {"admin", "depot", "driver", "customer"}

    assert query(db, "SELECT count(*) FROM sites WHERE kind = 'depot'")[0][0] >= 3
    assert counts["customers"] >= 10 and counts["asset_types"] >= 3 and counts["assets"] >= 2000

    first, last = query(db, "SELECT min(occurred_at), max(occurred_at) FROM scan_events")[0]
    assert parse(last) - parse(first) >= timedelta(days=180)
    assert parse(last) <= datetime.now(timezone.utc) + timedelta(minutes=5)
    # the history ends at a point the first run fixed, so a later run cannot add scans that
    # only fell due in between
    registered = query(db, "SELECT min(registered_at) FROM assets")[0][0]
    assert parse(last) <= parse(registered)

    # trips with transfers between customers
    assert query(db, "SELECT count(*) FROM scan_events WHERE event = 130")[0][0] > 0
    assert query(db, "SELECT count(*) FROM trips WHERE transfer_km > 0")[0][0] > 0
    # losses, damage and repairs
    assert query(db, "SELECT count(*) FROM assets WHERE state = 80")[0][0] > 0
    assert query(db, "SELECT count(*) FROM trips WHERE outcome = 'lost'")[0][0] > 0
    assert query(db, "SELECT count(*) FROM scan_events WHERE event IN (175, 185)")[0][0] > 0
    assert query(db, "SELECT count(*) FROM scan_events WHERE event = 180")[0][0] > 0
    # completed trips with distances, and customers holding assets longer than allowed
    assert query(db, "SELECT count(*) FROM trips WHERE outcome = 'completed' AND outbound_km > 0 "
                     "AND return_km > 0")[0][0] > 1000
    now = datetime.now(timezone.utc)
    overdue = sum(1 for since, days in query(db, "SELECT a.holder_since, t.overdue_days FROM assets a JOIN asset_types t "
                                                 "ON t.id = a.asset_type_id WHERE a.holder_customer_id IS NOT NULL")
                  if parse(since) < now - timedelta(days=days))
    assert overdue > 0


def test_seed_bills_three_months_with_a_default_tariff_and_one_contract(seeded):
    db, out, _counts = seeded
    assert printed(out, "created")["invoices"] >= 3
    assert query(db, "SELECT count(*) FROM contracts WHERE customer_id IS NULL")[0][0] == 1
    assert query(db, "SELECT count(*) FROM contracts WHERE customer_id = 'autoteile-bochum'")[0][0] == 1
    periods = [p for (p,) in query(db, "SELECT DISTINCT period FROM invoices ORDER BY period")]
    assert len(periods) == 3
    # issued, numbered without gaps per year, totals the exact sum of their lines
    rows = query(db, "SELECT number, status FROM invoices ORDER BY number")
    assert {status for _n, status in rows} == {"issued"}
    by_year: dict[str, list[int]] = {}
    for number, _status in rows:
        _series, year, seq = number.split("-")
        by_year.setdefault(year, []).append(int(seq))
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in by_year.values())
    for invoice_id, net in query(db, "SELECT id, net_total FROM invoices"):
        lines = query(db, f"SELECT amount FROM invoice_lines WHERE invoice_id = {int(invoice_id)}")
        assert sum(Decimal(str(a)) for (a,) in lines) == Decimal(str(net))


def test_seed_closes_three_months_with_one_dispute_accepted_and_corrected(seeded):
    db, out, _counts = seeded
    assert printed(out, "created")["statements"] >= 3
    months = [m for (m,) in query(db, "SELECT DISTINCT month FROM statements ORDER BY month")]
    assert len(months) == 3
    customers = query(db, "SELECT count(DISTINCT customer_id) FROM statements")[0][0]
    assert query(db, "SELECT count(*) FROM statements")[0][0] == 3 * customers
    # one dispute, on the oldest month, accepted; its correction is a line of the next month's statement
    disputes = query(db, "SELECT d.id, d.status, s.month, d.correction_statement_id FROM statement_disputes d "
                         "JOIN statements s ON s.id = d.statement_id")
    assert [(status, month) for _id, status, month, _c in disputes] == [("accepted", months[0])]
    dispute_id = disputes[0][0]
    corrections = query(db, "SELECT s.month, l.quantity, l.adjustment_for FROM statement_lines l JOIN statements s "
                            f"ON s.id = l.statement_id WHERE l.kind = 'correction' AND l.dispute_id = {dispute_id}")
    assert corrections == [(months[1], -1, months[0])]
    # another statement confirmed by its customer
    confirmed = query(db, "SELECT customer_id, month FROM statements WHERE status = 'confirmed'")
    assert confirmed == [("ruhr-polymers", months[0])]


def test_demo_state_is_consistent_and_served(seeded):
    from app import create_app
    from app.platform.config import Settings

    db, out, _ = seeded
    app = create_app({"SETTINGS": Settings(database_url=f"sqlite:///{db}", redis_url=None, secret_key="x"),
                      "TESTING": True})
    try:
        assert assert_projection_is_fold_of_events(app) > 2000
        tokens = dict(re.findall(r"^\s+(\w+)\s+\S+@\S+\s+password \S+\s+token (circ_\S+)$", out, re.MULTILINE))
        client = app.test_client()
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        assert_conservation(app, client, admin)
        ready = client.get("/readyz").get_json()
        assert ready["status"] == "ok" and ready["redis"] == "in-process substitute"
        customer = {"Authorization": f"Bearer {tokens['customer']}"}
        own = client.get("/api/v1/customers/rheinchem/balance", headers=customer)
        assert own.status_code == 200 and own.get_json()["total"] > 0
        assert client.get("/api/v1/customers/ruhr-polymers/balance", headers=customer).status_code == 404
        # signed certificates: the publishing customer's figures are public, the others' are not
        listed = client.get("/api/v1/certificates", headers=admin).get_json()["items"]
        published = {c["customer"]: client.get(f"/api/v1/certificates/{c['serial']}/verification").get_json()
                     for c in listed if c["customer"]}
        assert published["rheinchem"]["figures_published"] and published["rheinchem"]["signature_valid"]
        assert not any(v["figures_published"] for cid, v in published.items() if cid != "rheinchem")
    finally:
        app.extensions["engine"].dispose()


def test_second_run_adds_nothing(seeded):
    db, first_out, counts = seeded
    result = run_seed(db)
    assert table_counts(db) == counts
    assert set(printed(result.stdout, "created").values()) == {0}
    assert printed(result.stdout, "scans") == {"duplicate": counts["scan_events"]}
    # same credentials printed again
    token_lines = lambda out: re.findall(r"token (circ_\S+)$", out, re.MULTILINE)  # noqa: E731
    assert token_lines(result.stdout) == token_lines(first_out)
