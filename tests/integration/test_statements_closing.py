"""Closing months into frozen, numbered statements on PostgreSQL: numbering, freezing,
late scans as adjustments (closing(n) == opening(n+1)), concurrent closes, CSV, CLI."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.conftest import auth, scan

JUL, AUG, SEP = "2026-07", "2026-08", "2026-09"
URL = "/api/v1/statements"


def at(month: str, day: int, hour: int = 8) -> datetime:
    y, m = map(int, month.split("-"))
    return datetime(y, m, day, hour, tzinfo=timezone.utc)


def post_scans(client, admin, scans):
    r = client.post("/api/v1/scans", json={"scans": scans}, headers=admin)
    assert r.status_code == 200 and "rejected" not in r.get_json()["summary"], r.get_json()


def issue_and_deliver(code, when, customer="acme"):
    return [scan(code, "issue", "depot-a", when, customer), scan(code, "deliver", f"{customer}-site",
                                                                   when + timedelta(hours=1))]


def collect_and_receive(code, when, customer="acme"):
    return [scan(code, "collect", f"{customer}-site", when), scan(code, "receive", "depot-a", when + timedelta(hours=1))]


def close(client, headers, month, customer="acme"):
    r = client.post(f"{URL}/close", json={"month": month, "customer": customer}, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"][0]


def detail(client, headers, statement_id):
    r = client.get(f"{URL}/{statement_id}", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def total(rows) -> int:
    return sum(r["quantity"] for r in rows)


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


def test_close_numbers_and_freezes_the_month(app, client, world, admin):
    c = world["codes"]
    post_scans(client, admin, issue_and_deliver(c[0], at(JUL, 3)) + issue_and_deliver(c[1], at(JUL, 4))
               + collect_and_receive(c[0], at(JUL, 20)) + issue_and_deliver(c[2], at(AUG, 2)))
    first = close(client, admin, JUL)
    assert first["number"] == "STM-2026-000001" and first["status"] == "published"
    assert first["opening"] == [] and total(first["closing"]) == 1
    body = detail(client, admin, first["id"])
    assert [(ln["kind"], ln["quantity"], ln["asset_code"]) for ln in body["lines"]] == [
        ("issued", 1, c[0]), ("issued", 1, c[1]), ("returned", -1, c[0])]
    assert [a["action"] for a in body["audit"]] == ["close"]
    # idempotent: the same statement again, no second number
    assert close(client, admin, JUL)["number"] == "STM-2026-000001"
    # a month not over yet
    r = client.post(f"{URL}/close", json={"month": "2099-01", "customer": "acme"}, headers=admin)
    assert r.status_code == 409
    # every customer: globex gets its own number, acme's July stays the same
    r = client.post(f"{URL}/close", json={"month": JUL}, headers=admin)
    assert sorted(s["number"] for s in r.get_json()["items"]) == ["STM-2026-000001", "STM-2026-000002"]
    # a closed statement does not change when more scans of its month arrive late
    post_scans(client, admin, issue_and_deliver(c[3], at(JUL, 25)))
    assert detail(client, admin, first["id"])["lines"] == body["lines"]


def test_closing_equals_next_opening_with_a_late_scan_as_an_adjustment(app, client, world, admin):
    c = world["codes"]
    post_scans(client, admin, issue_and_deliver(c[0], at(JUL, 3)) + issue_and_deliver(c[1], at(AUG, 3)))
    jul = close(client, admin, JUL)
    # a scan for July arrives after July was closed
    post_scans(client, admin, issue_and_deliver(c[2], at(JUL, 30)))
    aug = close(client, admin, AUG)
    post_scans(client, admin, collect_and_receive(c[2], at(JUL, 31)) + collect_and_receive(c[1], at(SEP, 2)))
    sep = close(client, admin, SEP)
    assert jul["closing"] == aug["opening"] and aug["closing"] == sep["opening"]
    aug_lines = detail(client, admin, aug["id"])["lines"]
    adjustments = [ln for ln in aug_lines if ln["kind"] == "adjustment"]
    assert [(a["reference"], a["quantity"], a["adjustment_for"]) for a in adjustments] == [
        ("adjustment for 2026-07", 1, JUL)]
    sep_adjustments = [ln for ln in detail(client, admin, sep["id"])["lines"] if ln["kind"] == "adjustment"]
    assert [(a["quantity"], a["adjustment_for"]) for a in sep_adjustments] == [(-1, JUL)]
    for s in (jul, aug, sep):
        body = detail(client, admin, s["id"])
        assert total(body["opening"]) + total(body["lines"]) == total(body["closing"])
    # after the adjustments, the last closing is what the moves say now: c0 held, c1 and c2 back
    assert total(sep["closing"]) == 1


def test_closing_a_later_month_first_closes_the_months_before(app, client, world, admin):
    post_scans(client, admin, issue_and_deliver(world["codes"][0], at(JUL, 3)))
    close(client, admin, JUL)
    sep = close(client, admin, SEP)
    r = client.get(URL, query_string={"customer": "acme"}, headers=admin)
    assert [s["month"] for s in r.get_json()["items"]] == [SEP, AUG, JUL]
    assert sep["number"] == "STM-2026-000003"
    r = client.post(f"{URL}/close", json={"month": "2026-06", "customer": "acme"}, headers=admin)
    assert r.status_code == 409


def test_two_closes_at_once_give_one_statement(app, world, admin):
    from app.domain.policy import OPERATOR
    from app.platform.db import get_session
    from app.statements import closing
    from app.statements.models import Statement, StatementLine

    client = app.test_client()
    post_scans(client, admin, issue_and_deliver(world["codes"][0], at(JUL, 3)))
    barrier, numbers, errors = threading.Barrier(4), [], []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                numbers.append(sorted(s.number for s in closing.close_month(OPERATOR, JUL)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(n == ["STM-2026-000001", "STM-2026-000002"] for n in numbers), numbers
    with app.app_context():
        s = get_session()
        assert len(s.scalars(select(Statement)).all()) == 2
        assert len(s.scalars(select(StatementLine)).all()) == 1


def test_csv_and_cli(app, client, world, admin):
    post_scans(client, admin, issue_and_deliver(world["codes"][0], at(JUL, 3)))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["statements", "close", "--month", JUL, "--customer", "acme"])
    assert result.exit_code == 0 and result.output.strip() == "STM-2026-000001", result.output
    result = runner.invoke(args=["statements", "close", "--month", "July"])
    assert result.exit_code != 0 and "--month" in result.output
    statement = client.get(URL, headers=admin).get_json()["items"][0]
    r = client.get(f"{URL}/{statement['id']}.csv", headers=admin)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = r.get_data(as_text=True).splitlines()
    assert rows[0].startswith("statement,customer,month,line,date")
    assert rows[1].endswith("issued,1,") and rows[-1].endswith(",closing,1,")


def test_no_statement_before_the_custody_history_starts(app, client, world, admin):
    """A first statement years before any custody move would make every later close catch
    up through the empty months in between: refused, and nothing is stored."""
    c = world["codes"]
    post_scans(client, admin, issue_and_deliver(c[0], at(JUL, 3)))
    r = client.post(f"{URL}/close", json={"month": "2001-01", "customer": "acme"}, headers=admin)
    assert r.status_code == 409 and list(r.get_json()["errors"]) == ["month"], r.get_json()
    assert "2026-07" in r.get_json()["message"]
    r = client.post(f"{URL}/close", json={"month": "2001-01"}, headers=admin)
    assert r.status_code == 200 and r.get_json()["items"] == [], r.get_json()
    assert client.get(URL, headers=admin).get_json()["items"] == []
    assert close(client, admin, JUL)["month"] == JUL
