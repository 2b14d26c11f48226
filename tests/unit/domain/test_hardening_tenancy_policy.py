"""The access policy and custody periods (pure)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.custody import custody_periods, holders_after, trip_share, visible_events
from app.domain.errors import Forbidden, NotFound
from app.domain.policy import OPERATIONS, ROLES, SECTIONS, Viewer, authorize, may, roles_for, site_visible

ACME, GLOBEX = Viewer("customer", "acme"), Viewer("customer", "globex")


def test_drivers_read_no_customer_balances_statements_or_overdue_lists():
    for operation in ("customer.balance", "customer.statement", "customer.overdue", "certificate.read", "token.read"):
        with pytest.raises(Forbidden):
            authorize(Viewer("driver"), operation, "acme")
        assert authorize(Viewer("admin"), operation, "acme") is None


def test_a_customer_is_confined_to_its_own_customer_and_gets_404_for_others():
    for name, op in OPERATIONS.items():
        if "customer" not in op.roles:
            with pytest.raises(Forbidden):
                authorize(ACME, name)
            continue
        assert authorize(ACME, name, "acme") == "acme"
        if not op.customer_scoped:  # shared reference data, no customer's own
            assert name == "asset_type.read"
            continue
        with pytest.raises(NotFound):
            authorize(ACME, name, "globex")
    for name in ("customer.read", "asset_type.read"):  # a customer user bound to no customer sees nothing
        with pytest.raises(Forbidden):
            authorize(Viewer("customer", None), name)


def test_roles_for_and_sections_use_known_roles():
    for name in OPERATIONS:
        assert set(roles_for(name)) <= set(ROLES) and roles_for(name)
    assert set(roles_for("customer.balance")) == {"admin", "depot", "customer"}
    assert set(SECTIONS["portal"]) == {"admin", "depot", "customer"}
    assert not may(Viewer("driver"), "customer.balance") and may(Viewer("depot"), "customer.balance")


def test_sites_a_customer_may_see():
    assert site_visible(ACME, "depot", None) and site_visible(ACME, "customer", "acme")
    assert not site_visible(ACME, "customer", "globex")
    assert site_visible(Viewer("driver"), "customer", "globex")


def test_periods_from_moves():
    # issue to acme, deliver, collect, receive | issue to globex, transfer to acme, check
    moves = [[("acme", 1)], [], [("acme", -1)], [], [("globex", 1)], [("globex", -1), ("acme", 1)], []]
    holders = holders_after(moves)
    assert holders == ["acme", "acme", None, None, "globex", "acme", "acme"]
    assert custody_periods(holders, "acme") == [(0, 2), (5, None)]
    assert visible_events(holders, "acme") == [True, True, True, False, False, True, True]
    assert visible_events(holders, "globex") == [False, False, False, False, True, True, False]


@given(st.lists(st.sampled_from(["a", "b", "c", None]), max_size=30), st.sampled_from(["a", "b", "c"]))
def test_visible_events_are_exactly_the_periods(holders, customer):
    shown = visible_events(holders, customer)
    periods = custody_periods(holders, customer)
    covered = set()
    for start, end in periods:
        covered |= set(range(start, (end if end is not None else len(holders) - 1) + 1))
    assert {i for i, s in enumerate(shown) if s} == covered
    for i in covered:  # every shown scan touches the customer's custody, before or after it
        assert holders[i] == customer or (i > 0 and holders[i - 1] == customer)


def test_trip_shares():
    assert trip_share(["acme"], "acme") == trip_share(["acme", "acme"], "acme")
    assert trip_share(["acme"], "acme").sole
    shared = trip_share(["globex", "acme"], "acme")
    assert shared.involved and shared.last and not shared.first and not shared.sole
    assert not trip_share(["globex"], "acme").involved
    back = trip_share(["acme", "globex", "acme"], "acme")
    assert back.first and back.last and not back.sole
