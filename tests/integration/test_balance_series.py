"""The portal's balance-over-time series (one aggregate query) equals the statements."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.domain.policy import Viewer
from app.balances import services as balances
from tests.conftest import auth, full_trip, scan


def test_daily_moves_reproduce_statement_closings(app, client, world):
    codes, admin = world["codes"], auth(world["tokens"]["admin"])
    now = datetime.now(timezone.utc).replace(microsecond=0)
    scans = []
    for i, code in enumerate(codes[:6]):  # completed trips over the last weeks
        scans += full_trip(code, now - timedelta(days=40 - 5 * i), customer="acme" if i % 2 else "globex")
    for i, code in enumerate(codes[6:10]):  # still held by acme
        scans.append(scan(code, "issue", "depot-a", now - timedelta(days=20 - 3 * i), "acme"))
    assert client.post("/api/v1/scans", json={"scans": scans}, headers=admin).status_code == 200
    acme = Viewer("customer", "acme")  # the portal reads these as the customer's user
    with app.app_context():
        since = now - timedelta(days=60)
        current, by_day = balances.daily_moves(acme, "acme", since)
        assert current == balances.balance(acme, "acme")["total"] == 4
        for back in (0, 7, 14, 21, 35):
            end_day = (now - timedelta(days=back)).date()
            end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=timezone.utc)
            net = sum(sum(v if k in ("issued", "transfer_in", "found") else -v for k, v in kinds.items())
                      for d, kinds in by_day.items() if d >= end_day)
            closing = balances.statement(acme, "acme", end - timedelta(days=7), end)["total"]["closing"]
            assert current - net == closing
