"""A month of custody history for the billing tests, and the tariffs it is billed by.

September 2026 (acme's site in Europe/Berlin, globex's moved to Asia/Shanghai):
- asset 0: issued to acme on 3 Sep, collected on 20 Sep, received, cleaned and failed its
  inspection at the depot (a cleaning fee and a damage charge for acme);
- asset 1: issued to acme on 28 Aug, passed on to globex on 10 Sep, still at globex;
- asset 2: issued to globex on 15 Sep, declared lost on 25 Sep;
- asset 3: issued to acme on 30 Sep 21:30 UTC, which is 1 October in Berlin.
The default tariff prices every kind; acme's own contract from 15 Sep changes daily hire.
"""
from __future__ import annotations

from datetime import datetime, timezone

from tests.conftest import auth, scan

MONTH = "2026-09"
DEFAULT_TARIFF = {
    "valid_from": "2026-01-01", "currency": "EUR", "tax_rate": "0.19", "reference": "Standard tariff 2026",
    "prices": [{"kind": "issue_fee", "asset_type": "*", "unit_price": "2.50"},
               {"kind": "daily_hire", "asset_type": "ibc", "unit_price": "0.0375"},
               {"kind": "demurrage", "asset_type": "*", "unit_price": "0.50"},
               {"kind": "transfer_fee", "asset_type": "*", "unit_price": "1.00"},
               {"kind": "cleaning_fee", "asset_type": "*", "unit_price": "3.00"},
               {"kind": "damage_charge", "asset_type": "*", "unit_price": "25.00"},
               {"kind": "lost_asset", "asset_type": "*", "unit_price": "180.00"}],
    "hire_terms": [{"asset_type": "*", "free_days": 3, "demurrage_after_days": 10}],
}
ACME_CONTRACT = {
    "customer": "acme", "valid_from": "2026-09-15", "currency": "EUR", "tax_rate": "0.19",
    "prices": [{"kind": "daily_hire", "asset_type": "*", "unit_price": "0.05"},
               {"kind": "demurrage", "asset_type": "*", "unit_price": "0.50"},
               {"kind": "cleaning_fee", "asset_type": "*", "unit_price": "3.00"},
               {"kind": "damage_charge", "asset_type": "*", "unit_price": "25.00"}],
    "hire_terms": [{"asset_type": "*", "free_days": 3, "demurrage_after_days": 10}],
}


def at(day: int, hour: int = 8, minute: int = 0, month: int = 9) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


def september_scans(codes: list[str]) -> list[dict]:
    c = codes
    return [
        scan(c[0], "issue", "depot-a", at(3, 7), "acme"), scan(c[0], "deliver", "acme-site", at(3, 9)),
        scan(c[0], "collect", "acme-site", at(20, 9)), scan(c[0], "receive", "depot-a", at(20, 10)),
        scan(c[0], "clean", "depot-a", at(20, 11)), scan(c[0], "inspect_fail", "depot-a", at(20, 12)),
        scan(c[1], "issue", "depot-a", at(28, 10, month=8), "acme"),
        scan(c[1], "deliver", "acme-site", at(28, 12, month=8)),
        scan(c[1], "transfer", "acme-site", at(10, 12), "globex"),
        scan(c[2], "issue", "depot-a", at(15, 6), "globex"), scan(c[2], "lose", "depot-a", at(25, 6)),
        scan(c[3], "issue", "depot-a", at(30, 21, 30), "acme"),
    ]


def seed_september(client, tokens: dict, codes: list[str], acme_contract: bool = True) -> None:
    """The tariffs and the history above, through the API."""
    admin = auth(tokens["admin"])
    r = client.patch("/api/v1/sites/globex-site", json={"timezone": "Asia/Shanghai"}, headers=admin)
    assert r.status_code == 200, r.get_json()
    r = client.post("/api/v1/contracts", json=DEFAULT_TARIFF, headers=admin)
    assert r.status_code == 201, r.get_json()
    if acme_contract:
        r = client.post("/api/v1/contracts", json=ACME_CONTRACT, headers=admin)
        assert r.status_code == 201, r.get_json()
    r = client.post("/api/v1/scans", json={"scans": september_scans(codes)}, headers=admin)
    assert r.status_code == 200 and not r.get_json()["summary"].get("rejected"), r.get_json()


def start_run(client, token: str, month: str = MONTH, **body) -> dict:
    r = client.post("/api/v1/billing-runs", json={"month": month, **body}, headers=auth(token))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["status"] == "done", r.get_json()
    return r.get_json()
