"""Fleet KPIs computed in SQL against trips whose durations are known by construction."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import auth, full_trip, scan


def test_kpis_from_known_trips(client, world):
    codes, admin = world["codes"], auth(world["tokens"]["admin"])
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=30)
    # full_trip: issue, deliver (+1 h), collect (+2 h), receive (+3 h): cycle 3 h, dwell 1 h
    scans = full_trip(codes[0], start) + full_trip(codes[1], start + timedelta(days=1))
    # a third asset: issued, delivered, then declared lost
    scans += [scan(codes[2], "issue", "depot-a", start, "acme"),
              scan(codes[2], "deliver", "acme-site", start + timedelta(hours=1)),
              scan(codes[2], "lose", "depot-a", start + timedelta(days=5))]
    # a fourth asset: issued and still out (opened, not closed)
    scans.append(scan(codes[3], "issue", "depot-a", start + timedelta(days=2), "globex"))
    assert client.post("/api/v1/scans", json={"scans": scans}, headers=admin).status_code == 200

    k = client.get("/api/v1/kpis", headers=admin).json
    assert k["trips_completed"] == 2
    assert k["avg_cycle_days"] == pytest.approx(3 / 24, abs=0.01)
    assert k["avg_dwell_days_at_customer"] == pytest.approx(1 / 24, abs=0.01)
    assert k["loss_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert k["return_rate"] == pytest.approx(2 / 4, abs=1e-4)
    assert k["assets_by_state"]["lost"] == 1 and k["assets_total"] == 20
    # 2 completed trips over the 20 assets not retired (a lost one may be found), 365-day window
    assert k["cycles_per_asset_per_year"] == pytest.approx(2 / 20, abs=1e-3)
