"""The conservation checks other tests rely on must fail when the stored data drifts."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import T0, auth, full_trip, scan
from tests.integration.state import (
    assert_balance_counters_match_holdings,
    assert_conservation,
    assert_projection_is_fold_of_events,
)

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def admin(world):
    return auth(world["tokens"]["admin"])


@pytest.fixture
def held(client, world, admin):
    """Two IBCs delivered to acme, one issued to globex, one through a full trip."""
    c = world["codes"]
    scans = full_trip(c[0], T0)[:2] + full_trip(c[1], T0)[:2] + [scan(c[2], "issue", "depot-a", T0, "globex")]
    scans += full_trip(c[3], T0)
    r = client.post("/api/v1/scans", json={"scans": scans}, headers=admin)
    assert r.status_code == 200 and r.get_json()["summary"] == {"applied": len(scans)}
    return c


def test_the_checks_pass_on_what_the_service_stored(app, client, admin, held):
    assert_conservation(app, client, admin)


def test_a_counter_off_by_one_is_caught(app, db_session, held):
    db_session.execute(text("UPDATE customer_balances SET count = count + 1 WHERE customer_id = 'globex'"))
    with pytest.raises(AssertionError, match="balance counters differ"):
        assert_balance_counters_match_holdings(app)


def test_a_counter_on_the_wrong_day_is_caught_though_totals_agree(app, client, admin, db_session, held):
    db_session.execute(text("UPDATE customer_balances SET since_day = since_day - 1 WHERE customer_id = 'acme'"))
    assert client.get("/api/v1/customers/acme/balance", headers=admin).get_json()["total"] == 2
    with pytest.raises(AssertionError, match="balance counters differ"):
        assert_conservation(app, client, admin)


def test_a_stored_state_the_events_do_not_give_is_caught(app, client, admin, db_session, held):
    # its full trip ended `available` (10); store `cleaned` (60), as if the inspection were lost
    db_session.execute(text("UPDATE assets SET state = 60 WHERE code = :c"), {"c": held[3]})
    with pytest.raises(AssertionError, match=f"asset {held[3]}: stored"):
        assert_projection_is_fold_of_events(app)
    with pytest.raises(AssertionError, match=f"asset {held[3]}: stored"):
        assert_conservation(app, client, admin)
