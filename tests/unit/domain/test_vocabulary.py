"""The domain's vocabulary: custody kinds and their signs, customer-held states, return
request statuses. Their values are stored and shown in the API, so they are pinned here."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from app.domain.custody import CustodyKind
from app.domain.lifecycle import DEPOT_STATES
from app.domain.return_requests import PENDING, WAITING, ReturnRequestStatus
from app.domain.states import HELD_BY_CUSTOMER, TERMINAL, AssetState
from app.domain.trips import CustodyMove

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("kind", "sign"), [
    (CustodyKind.ISSUED, 1), (CustodyKind.TRANSFER_IN, 1), (CustodyKind.FOUND, 1),
    (CustodyKind.RETURNED, -1), (CustodyKind.TRANSFER_OUT, -1), (CustodyKind.LOST, -1),
])
def test_each_custody_kind_has_its_sign(kind, sign):
    assert kind.sign == sign
    assert CustodyMove("acme", kind, T0).delta == sign


def test_custody_kinds_are_the_stored_strings_in_statement_order():
    assert [k.value for k in CustodyKind] == ["issued", "transfer_in", "found", "returned", "transfer_out", "lost"]
    # ins before outs: the statement's columns read opening, in..., out..., closing
    signs = [k.sign for k in CustodyKind]
    assert signs == sorted(signs, reverse=True)
    assert CustodyKind("transfer_out") is CustodyKind.TRANSFER_OUT
    # a StrEnum is its value: in dict keys, JSON and f-strings alike
    assert {"lost": 1}[CustodyKind.LOST] == 1
    assert json.dumps({CustodyKind.FOUND: CustodyKind.FOUND}) == '{"found": "found"}'
    assert f"{CustodyKind.RETURNED}" == "returned"


def test_every_state_is_customer_held_at_a_depot_or_in_between():
    assert HELD_BY_CUSTOMER == {AssetState.ISSUED, AssetState.AT_CUSTOMER}
    assert not HELD_BY_CUSTOMER & DEPOT_STATES
    in_between = {AssetState.IN_DEPOT_TRANSFER, AssetState.IN_RETURN, AssetState.LOST} | TERMINAL
    assert not in_between & (HELD_BY_CUSTOMER | DEPOT_STATES)
    assert HELD_BY_CUSTOMER | DEPOT_STATES | in_between == set(AssetState)


def test_return_request_statuses_are_the_stored_strings():
    assert [s.value for s in ReturnRequestStatus] == ["open", "planned", "collected", "cancelled", "unserved"]
    assert ReturnRequestStatus("unserved") is ReturnRequestStatus.UNSERVED
    assert json.dumps([ReturnRequestStatus.OPEN]) == '["open"]'


def test_pending_requests_are_waiting_and_done_ones_are_neither():
    assert set(PENDING) == {ReturnRequestStatus.OPEN, ReturnRequestStatus.UNSERVED}
    assert set(PENDING) < set(WAITING)
    assert set(WAITING) - set(PENDING) == {ReturnRequestStatus.PLANNED}
    done = {ReturnRequestStatus.COLLECTED, ReturnRequestStatus.CANCELLED}
    assert not done & set(WAITING) and done | set(WAITING) == set(ReturnRequestStatus)
    # read from the database as plain strings, they still match
    assert "open" in PENDING and "planned" not in PENDING and "planned" in WAITING
