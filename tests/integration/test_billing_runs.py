"""Billing runs on PostgreSQL: what they store equals app.domain.billing on the same history,
and running a month twice, twice at once, or again after a crash leaves one invoice per
customer with gapless numbers."""
from __future__ import annotations

import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import auth
from tests.helpers.billing import MONTH, at, seed_september, start_run


@pytest.fixture
def september(app, client, world):
    seed_september(client, world["tokens"], world["codes"])
    return world


def stored_invoices(app) -> dict[str, dict]:
    from app.billing.models import Invoice

    with app.app_context():
        from app.platform.db import get_session

        rows = get_session().scalars(select(Invoice).order_by(Invoice.id))
        return {f"{r.customer_id}/{r.period}": {
            "number": r.number, "status": r.status, "net": r.net_total, "tax": r.tax_total, "gross": r.gross_total,
            "lines": [(x.kind, x.asset_code, x.quantity, x.unit_price, x.amount, x.first_day, x.last_day)
                      for x in r.lines]} for r in rows}


def expected_bills(codes: list[str]) -> dict[str, object]:
    """The same history as custody periods written by hand, billed by the pure rules."""
    from app.domain.billing.charges import ChargeEvent, bill_month
    from app.domain.billing.days import BillingMonth, CustodyPeriod
    from app.domain.billing.tariffs import Contract, HireTerms, Price

    month = BillingMonth(2026, 9)
    terms = (HireTerms("*", 3, 10),)
    default = Contract("d", None, at(1, 0, month=1).date(), None, "EUR", 2, Decimal("0.19"), prices=(
        Price("issue_fee", "*", Decimal("2.50")), Price("daily_hire", "ibc", Decimal("0.0375")),
        Price("demurrage", "*", Decimal("0.50")), Price("transfer_fee", "*", Decimal("1.00")),
        Price("cleaning_fee", "*", Decimal("3.00")), Price("damage_charge", "*", Decimal("25.00")),
        Price("lost_asset", "*", Decimal("180.00"))), hire_terms=terms)
    acme_own = Contract("a", "acme", at(15).date(), None, "EUR", 2, Decimal("0.19"), prices=(
        Price("daily_hire", "*", Decimal("0.05")), Price("demurrage", "*", Decimal("0.50")),
        Price("cleaning_fee", "*", Decimal("3.00")), Price("damage_charge", "*", Decimal("25.00"))), hire_terms=terms)
    c = codes
    acme = [CustodyPeriod("acme", c[0], "ibc", "t0", at(3, 7), at(20, 9), "issued", "returned"),
            CustodyPeriod("acme", c[1], "ibc", "t1", at(28, 10, month=8), at(10, 12), "issued", "transfer_out"),
            CustodyPeriod("acme", c[3], "ibc", "t3", at(30, 21, 30), None, "issued")]
    globex = [CustodyPeriod("globex", c[1], "ibc", "t1", at(10, 12), None, "transfer_in"),
              CustodyPeriod("globex", c[2], "ibc", "t2", at(15, 6), at(25, 6), "issued", "lost")]
    events = [ChargeEvent("cleaning_fee", c[0], "ibc", at(20, 11)),
              ChargeEvent("damage_charge", c[0], "ibc", at(20, 12))]
    contracts = [default, acme_own]
    return {"acme": bill_month("acme", ZoneInfo("Europe/Berlin"), month, acme, contracts, events),
            "globex": bill_month("globex", ZoneInfo("Asia/Shanghai"), month, globex, contracts)}


def comparable(lines) -> list[tuple]:
    return sorted((x.kind, x.asset_id, x.quantity, x.unit_price, x.amount, x.first_day, x.last_day) for x in lines)


def test_a_run_stores_what_the_billing_rules_compute(app, client, september):
    from app.domain.billing.totals import invoice_totals

    run = start_run(client, september["tokens"]["admin"])
    assert (run["customers_total"], run["customers_done"], run["invoices_created"]) == (2, 2, 2)
    assert run["progress"] == 1.0 and run["problems"] == []
    stored = stored_invoices(app)
    assert set(stored) == {"acme/2026-09", "globex/2026-09"}
    for customer, lines in expected_bills(september["codes"]).items():
        invoice = stored[f"{customer}/{MONTH}"]
        assert sorted((k, a, q, p.normalize(), m, f, t) for k, a, q, p, m, f, t in invoice["lines"]) == \
            [(k, a, q, p.normalize(), m, f, t) for k, a, q, p, m, f, t in comparable(lines)]
        totals = invoice_totals(lines, "EUR", 2)
        assert (invoice["net"], invoice["tax"], invoice["gross"]) == (totals.net_total, totals.tax_total,
                                                                      totals.gross_total)
        assert invoice["net"] == sum(line[4] for line in invoice["lines"])  # the exact sum of the lines
    kinds = {line[0] for line in stored["acme/2026-09"]["lines"]}
    assert kinds == {"issue_fee", "daily_hire", "demurrage", "transfer_fee", "cleaning_fee", "damage_charge"}
    assert {line[0] for line in stored["globex/2026-09"]["lines"]} == {"daily_hire", "demurrage", "issue_fee",
                                                                       "lost_asset"}
    # 30 Sep 21:30 UTC is 1 October in Berlin: that issue fee belongs to October
    assert september["codes"][3] not in {line[1] for line in stored["acme/2026-09"]["lines"]}
    assert [stored[k]["number"] for k in ("acme/2026-09", "globex/2026-09")] == ["INV-2026-000001",
                                                                                "INV-2026-000002"]


def test_the_preview_shows_the_run_before_anything_is_stored(app, client, september):
    admin = auth(september["tokens"]["admin"])
    r = client.get(f"/api/v1/billing-runs/preview?month={MONTH}", headers=admin)
    assert r.status_code == 200, r.get_json()
    preview = {b["customer"]: b for b in r.get_json()["customers"]}
    assert stored_invoices(app) == {}
    start_run(client, september["tokens"]["admin"])
    for key, invoice in stored_invoices(app).items():
        bill = preview[key.split("/")[0]]
        assert bill["time_zone"] == {"acme": "Europe/Berlin", "globex": "Asia/Shanghai"}[bill["customer"]]
        assert Decimal(bill["gross_total"]) == invoice["gross"] and len(bill["lines"]) == len(invoice["lines"])
    one = client.get(f"/api/v1/billing-runs/preview?month={MONTH}&customer=globex", headers=admin).get_json()
    assert [b["customer"] for b in one["customers"]] == ["globex"]
    assert client.get(f"/api/v1/billing-runs/preview?month={MONTH}&customer=nope", headers=admin).status_code == 404


def test_running_a_month_again_changes_nothing(app, client, september):
    token = september["tokens"]["admin"]
    start_run(client, token)
    before = stored_invoices(app)
    again = start_run(client, token)
    assert again["invoices_created"] == 0 and again["customers_done"] == 2
    assert stored_invoices(app) == before


def test_two_runs_at_once_give_one_invoice_per_customer(app, september):
    from app.billing import runs
    from app.domain.policy import OPERATOR

    barrier, results, errors = threading.Barrier(2), [], []

    def work():
        try:
            with app.app_context():
                barrier.wait()
                run, mode = runs.start(OPERATOR, MONTH)
                results.append((run.status, run.invoices_created, mode))
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(r[0] for r in results) == ["done", "done"] and {r[2] for r in results} == {"inline"}
    assert sum(r[1] for r in results) == 2  # between them, one invoice per customer
    stored = stored_invoices(app)
    assert set(stored) == {"acme/2026-09", "globex/2026-09"}
    assert sorted(i["number"] for i in stored.values()) == ["INV-2026-000001", "INV-2026-000002"]


def test_the_unique_constraint_decides_when_two_runs_write_one_customer_at_once(app, september):
    """The second writer waits on the first's uncommitted invoice, then finds it there:
    no second invoice, and no number taken for it."""
    import time

    from app.billing import compute, invoices
    from app.domain.billing.days import BillingMonth
    from app.platform.db import get_session, unit_of_work

    month = BillingMonth(2026, 9)
    with app.app_context():
        bill = next(b for b in compute.bills(get_session(), month) if b.customer_id == "acme")
    first_written, results, errors = threading.Event(), {}, []

    def writer(name: str):
        try:
            with app.app_context():
                if name == "second":
                    first_written.wait(10)
                with unit_of_work() as session:
                    invoice = invoices.write(session, bill, month, None, issue=True)
                    results[name] = invoice.number if invoice is not None else None
                    if name == "first":
                        first_written.set()
                        time.sleep(0.5)  # the second writer is blocked on the same key meanwhile
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert results == {"first": "INV-2026-000001", "second": None}
    assert [i["number"] for i in stored_invoices(app).values()] == ["INV-2026-000001"]
    with app.app_context(), unit_of_work() as session:  # the next number follows on: none was lost
        from app.billing import numbers

        assert numbers.take(session, numbers.INVOICE_SERIES, 2026) == "INV-2026-000002"


class Killed(BaseException):
    """The process dies: nothing after this line of the run happens."""


def test_a_run_killed_half_way_and_restarted_gives_the_same_invoices(app, client, september, monkeypatch):
    from app.billing import runs
    from app.billing.models import BillingRun
    from app.domain.policy import OPERATOR
    from app.platform.db import get_session

    settle, calls = runs.settle, []

    def dying_settle(*args):
        if calls:
            raise Killed()
        calls.append(args)
        settle(*args)

    monkeypatch.setattr(runs, "settle", dying_settle)
    with app.app_context(), pytest.raises(Killed):
        runs.start(OPERATOR, MONTH)
    half = stored_invoices(app)
    assert list(half) == ["acme/2026-09"]
    with app.app_context():
        run = get_session().scalar(select(BillingRun))
        assert (run.status, run.customers_done) == ("running", 1)
    monkeypatch.setattr(runs, "settle", settle)
    with app.app_context():
        assert runs.run_billing(run.id) == "done"  # the job started again resumes its run
    resumed = stored_invoices(app)
    assert resumed["acme/2026-09"] == half["acme/2026-09"]
    expected = expected_bills(september["codes"])
    assert sorted((x[0], x[1], x[2], x[4]) for x in resumed["globex/2026-09"]["lines"]) == \
        sorted((x.kind, x.asset_id, x.quantity, x.amount) for x in expected["globex"])
    assert [resumed[k]["number"] for k in ("acme/2026-09", "globex/2026-09")] == ["INV-2026-000001",
                                                                                 "INV-2026-000002"]
    # and a new run of the month adds nothing
    assert start_run(client, september["tokens"]["admin"])["invoices_created"] == 0


def test_numbers_stay_gapless_across_runs_drafts_and_rollbacks(app, client, september):
    from app.billing import numbers
    from app.billing.models import Invoice
    from app.domain.billing.numbering import missing, parse_number
    from app.platform.db import get_session, unit_of_work

    token = september["tokens"]["admin"]
    drafts = start_run(client, token, "2026-08", issue=False)  # acme held asset 1 from 28 August
    assert drafts["invoices_created"] == 1
    with app.app_context(), pytest.raises(RuntimeError):
        with unit_of_work() as session:  # a number taken by a transaction that fails is handed back
            numbers.take(session, numbers.INVOICE_SERIES, 2026)
            raise RuntimeError("the issue fails after taking its number")
    start_run(client, token)  # September: two numbers
    draft = stored_invoices(app)["acme/2026-08"]
    assert draft["status"] == "draft" and draft["number"] is None
    with app.app_context():
        draft_id = get_session().scalar(select(Invoice.id).where(Invoice.status == "draft"))
    r = client.post(f"/api/v1/invoices/{draft_id}/issue", headers=auth(token))
    assert r.status_code == 200 and r.get_json()["number"] == "INV-2026-000003", r.get_json()
    assert client.post(f"/api/v1/invoices/{draft_id}/issue", headers=auth(token)).status_code == 409
    with app.app_context():
        seqs = [parse_number(n).seq for n in get_session().scalars(select(Invoice.number))]
        assert sorted(seqs) == [1, 2, 3] and missing(seqs) == []
        assert get_session().scalar(select(func.count()).select_from(Invoice)) == 3


def test_a_run_issues_the_months_drafts_and_a_discarded_draft_is_billed_again(app, client, september):
    token = september["tokens"]["admin"]
    start_run(client, token, issue=False)
    assert {i["status"] for i in stored_invoices(app).values()} == {"draft"}
    listed = client.get("/api/v1/invoices?status=draft", headers=auth(token)).get_json()["items"]
    acme_draft = next(i for i in listed if i["customer"] == "acme")
    assert client.delete(f"/api/v1/invoices/{acme_draft['id']}", headers=auth(token)).status_code == 204
    assert set(stored_invoices(app)) == {"globex/2026-09"}
    run = start_run(client, token)  # issues globex's draft, bills acme again
    assert run["invoices_created"] == 1
    assert {i["status"] for i in stored_invoices(app).values()} == {"issued"}


def test_runs_refuse_months_not_over_and_list_their_progress(client, september):
    admin = auth(september["tokens"]["admin"])
    r = client.post("/api/v1/billing-runs", json={"month": "2099-01"}, headers=admin)
    assert r.status_code == 422 and "month" in r.get_json()["errors"]
    assert client.post("/api/v1/billing-runs", json={"month": MONTH}, headers=auth(september["tokens"]["acme"])
                       ).status_code == 403
    run = start_run(client, september["tokens"]["admin"])
    r = client.get(f"/api/v1/billing-runs/{run['id']}", headers=admin)
    assert r.status_code == 200 and r.get_json()["progress"] == 1.0
    assert [x["id"] for x in client.get("/api/v1/billing-runs", headers=admin).get_json()["items"]] == [run["id"]]
