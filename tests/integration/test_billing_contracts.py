"""Contracts over the API: bad tariffs answer 422 naming the field and store nothing;
customers read their own contracts and the default tariff only."""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from tests.conftest import auth
from tests.helpers.billing import ACME_CONTRACT, DEFAULT_TARIFF, seed_september, start_run


def contract_count(app) -> tuple[int, int, int]:
    from app.billing.models import Contract, ContractHireTerms, ContractPrice
    from app.platform.db import get_session

    with app.app_context():
        return tuple(get_session().scalar(select(func.count()).select_from(m))
                     for m in (Contract, ContractPrice, ContractHireTerms))


def post(client, token, body):
    return client.post("/api/v1/contracts", json=body, headers=auth(token))


def with_(base: dict, **changes) -> dict:
    body = copy.deepcopy(base)
    body.update(changes)
    return body


def error_fields(response) -> str:
    return repr(response.get_json().get("errors"))


@pytest.fixture
def tariffs(client, world):
    token = world["tokens"]["admin"]
    assert post(client, token, DEFAULT_TARIFF).status_code == 201
    r = post(client, token, with_(ACME_CONTRACT, valid_until="2026-12-01"))
    assert r.status_code == 201, r.get_json()
    return {"token": token, "acme": r.get_json()["id"]}


@pytest.mark.parametrize("changes,field", [
    ({"valid_from": "2026-10-01", "valid_until": "2026-11-01"}, "valid_from"),  # inside acme's contract
    ({"valid_from": "2026-06-01", "valid_until": "2026-09-20"}, "valid_until"),  # reaches into it
    ({"valid_from": "2026-12-15"}, "valid_from"),  # a gap after acme's contract ends on 1 December
    ({"valid_from": "2026-06-01", "valid_until": "2026-09-01"}, "valid_until"),  # a gap before it starts
    ({"valid_from": "2026-12-01", "currency": "XYZ"}, "currency"),  # well-formed, but no such currency
    ({"valid_from": "2026-12-01", "currency": "eur"}, "currency"),
    ({"valid_from": "2026-12-01", "tax_rate": "1.5"}, "tax_rate"),
    ({"valid_from": "2026-12-01", "tax_category": "Z"}, "tax_rate"),  # zero-rated category with 19 %
    ({"valid_from": "2026-12-01", "valid_until": "2026-11-01"}, "valid_until"),  # ends before it starts
    ({"valid_from": "2026-12-01", "prices": [{"kind": "daily_hire", "asset_type": "*", "unit_price": "-0.05"}]},
     "unit_price"),
    ({"valid_from": "2026-12-01", "prices": [{"kind": "daily_hire", "asset_type": "*", "unit_price": 0.05}]},
     "unit_price"),  # money is a decimal string, never a binary float
    ({"valid_from": "2026-12-01", "prices": [{"kind": "daily_hire", "asset_type": "*", "unit_price": "1e3"}]},
     "unit_price"),
    ({"valid_from": "2026-12-01", "prices": [{"kind": "rent", "asset_type": "*", "unit_price": "1"}]}, "kind"),
    ({"valid_from": "2026-12-01", "prices": [{"kind": "daily_hire", "asset_type": "*", "unit_price": "1"},
                                             {"kind": "daily_hire", "asset_type": "*", "unit_price": "2"}]},
     "prices[1].asset_type"),
    ({"valid_from": "2026-12-01", "hire_terms": [{"asset_type": "*", "free_days": -1}]}, "free_days"),
])
def test_a_bad_contract_answers_422_naming_the_field_and_stores_nothing(app, client, tariffs, changes, field):
    before = contract_count(app)
    r = post(client, tariffs["token"], with_(ACME_CONTRACT, **changes))
    assert r.status_code == 422, r.get_json()
    assert field in error_fields(r), r.get_json()
    assert contract_count(app) == before


def test_overlapping_default_tariffs_are_refused_too(app, client, tariffs):
    r = post(client, tariffs["token"], with_(DEFAULT_TARIFF, valid_from="2026-06-01"))
    assert r.status_code == 422 and "valid_from" in error_fields(r)
    assert "overlaps" in r.get_json()["message"]


def test_unknown_customers_and_asset_types_answer_404(app, client, tariffs):
    before = contract_count(app)
    r = post(client, tariffs["token"], with_(ACME_CONTRACT, customer="nobody"))
    assert r.status_code == 404 and "customer" in error_fields(r)
    r = post(client, tariffs["token"], with_(ACME_CONTRACT, valid_from="2026-12-01", prices=[
        {"kind": "daily_hire", "asset_type": "crate-9", "unit_price": "0.1"}]))
    assert r.status_code == 404 and "prices[0].asset_type" in error_fields(r)
    assert contract_count(app) == before


def test_a_contract_that_follows_on_is_stored_with_its_prices(client, tariffs):
    r = post(client, tariffs["token"], with_(ACME_CONTRACT, valid_from="2026-12-01", currency="JPY",
                                             prices=[{"kind": "daily_hire", "asset_type": "ibc", "unit_price": "6"}]))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["customer"], body["valid_from"], body["valid_until"], body["currency"]) == \
        ("acme", "2026-12-01", None, "JPY")
    assert body["prices"] == [{"kind": "daily_hire", "asset_type": "ibc", "unit_price": "6"}]
    assert body["tax_rate"] == "0.19"


def test_customers_read_their_own_contracts_and_the_default_tariff(client, world, tariffs):
    acme, globex = world["tokens"]["acme"], world["tokens"]["globex"]
    items = client.get("/api/v1/contracts", headers=auth(acme)).get_json()["items"]
    assert sorted((c["customer"] or "") for c in items) == ["", "acme"]
    assert client.get("/api/v1/contracts", headers=auth(globex)).get_json()["items"][0]["customer"] is None
    assert client.get(f"/api/v1/contracts/{tariffs['acme']}", headers=auth(acme)).status_code == 200
    assert client.get(f"/api/v1/contracts/{tariffs['acme']}", headers=auth(globex)).status_code == 404
    assert client.get("/api/v1/contracts?customer=acme", headers=auth(globex)).status_code == 404
    assert client.get("/api/v1/contracts/999999", headers=auth(acme)).status_code == 404
    assert post(client, acme, with_(ACME_CONTRACT, valid_from="2026-12-01")).status_code == 403
    assert client.get("/api/v1/contracts", headers=auth(world["tokens"]["driver"])).status_code == 403
    staff = client.get("/api/v1/contracts?default=true", headers=auth(tariffs["token"])).get_json()["items"]
    assert [c["customer"] for c in staff] == [None]
    on_day = client.get("/api/v1/contracts?customer=acme&valid_on=2026-12-01", headers=auth(tariffs["token"]))
    assert on_day.get_json()["items"] == []


def test_ending_a_contract(app, client, tariffs):
    url = f"/api/v1/contracts/{tariffs['acme']}/end"
    token = auth(tariffs["token"])
    r = client.post(url, json={"valid_until": "2026-08-01"}, headers=token)  # before it starts
    assert r.status_code == 422 and "valid_until" in error_fields(r)
    r = client.post(url, json={"valid_until": "2026-11-01"}, headers=token)
    assert r.status_code == 200 and r.get_json()["valid_until"] == "2026-11-01"
    # a contract following on from 1 November now fits; one from 1 December would leave a gap
    assert post(client, tariffs["token"], with_(ACME_CONTRACT, valid_from="2026-12-01")).status_code == 422
    assert post(client, tariffs["token"], with_(ACME_CONTRACT, valid_from="2026-11-01")).status_code == 201


def test_a_contract_cannot_end_before_a_day_an_invoice_priced_with_it(app, client, world):
    seed_september(client, world["tokens"], world["codes"])
    start_run(client, world["tokens"]["admin"])
    acme = next(c for c in client.get("/api/v1/contracts?customer=acme", headers=auth(world["tokens"]["admin"]))
                .get_json()["items"])
    r = client.post(f"/api/v1/contracts/{acme['id']}/end", json={"valid_until": "2026-09-16"},
                    headers=auth(world["tokens"]["admin"]))
    assert r.status_code == 409 and "INV-2026-000001" in r.get_json()["message"]
    r = client.post(f"/api/v1/contracts/{acme['id']}/end", json={"valid_until": "2026-10-01"},
                    headers=auth(world["tokens"]["admin"]))
    assert r.status_code == 200
