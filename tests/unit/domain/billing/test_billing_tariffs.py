"""Contracts: validation naming the field, overlaps and gaps, the resolver and its default tariff."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.domain.billing.problems import Problem, raise_first
from app.domain.billing.tariffs import (
    ChargeKind,
    Contract,
    HireTerms,
    Price,
    check_new_contract,
    contract_for,
    validate_contracts,
)
from app.domain.errors import DomainError

K = ChargeKind


def contract(cid: str, customer: str | None, start: date, until: date | None = None, **kw) -> Contract:
    base = dict(currency="EUR", minor_units=2, tax_rate=Decimal("0.19"),
                prices=(Price(K.DAILY_HIRE, "*", Decimal("0.05")), Price(K.ISSUE_FEE, "crate", Decimal("2.50"))),
                hire_terms=(HireTerms("*", 14, 60),))
    base.update(kw)
    return Contract(cid, customer, start, until, **base)


DEFAULT = contract("default", None, date(2020, 1, 1))
ACME_2025 = contract("acme-2025", "acme", date(2025, 1, 1), date(2026, 1, 1))
ACME_2026 = contract("acme-2026", "acme", date(2026, 1, 1))


def fields(problems: list[Problem]) -> list[str]:
    return [p.field for p in problems]


def test_a_consistent_set_has_no_problem():
    globex = contract("globex", "globex", date(2025, 6, 1))  # other customers may overlap acme's
    assert validate_contracts([DEFAULT, ACME_2025, ACME_2026, globex]) == []


def test_overlapping_validity_for_one_customer_names_the_later_start():
    late_end = replace(ACME_2025, valid_until=date(2026, 2, 1))
    problems = validate_contracts([late_end, ACME_2026])
    assert fields(problems) == ["contracts[1].valid_from"]
    assert "overlaps" in problems[0].message and "acme-2025" in problems[0].message


def test_an_open_ended_contract_overlaps_every_later_one():
    open_ = replace(ACME_2025, valid_until=None)
    assert fields(validate_contracts([ACME_2026, open_])) == ["contracts[0].valid_from"]


def test_a_contract_inside_a_longer_one_overlaps_it_and_so_does_the_next():
    long_ = contract("long", "acme", date(2025, 1, 1), date(2027, 1, 1))
    inner = contract("inner", "acme", date(2025, 3, 1), date(2025, 4, 1))
    after = contract("after", "acme", date(2025, 4, 1), date(2025, 5, 1))  # meets `inner` but `long` covers it
    assert fields(validate_contracts([long_, inner, after])) == ["contracts[1].valid_from", "contracts[2].valid_from"]


def test_gaps_between_one_customer_s_contracts_are_problems():
    later = replace(ACME_2026, valid_from=date(2026, 2, 1))
    problems = validate_contracts([ACME_2025, later])
    assert fields(problems) == ["contracts[1].valid_from"] and "gap" in problems[0].message


def test_default_tariffs_must_not_overlap_either():
    other_default = contract("default-2", None, date(2026, 1, 1))
    assert fields(validate_contracts([DEFAULT, other_default])) == ["contracts[1].valid_from"]


@pytest.mark.parametrize("change,field", [
    (dict(prices=(Price(K.DAILY_HIRE, "*", Decimal("-0.01")),)), "prices[0].unit_price"),
    (dict(prices=(Price("storage_fee", "*", Decimal("1")),)), "prices[0].kind"),
    (dict(prices=(Price(K.DAILY_HIRE, "*", Decimal("NaN")),)), "prices[0].unit_price"),
    (dict(prices=(Price(K.DAILY_HIRE, "", Decimal("1")),)), "prices[0].asset_type"),
    (dict(prices=(Price(K.DAILY_HIRE, "*", Decimal("1")), Price(K.DAILY_HIRE, "*", Decimal("2")))),
     "prices[1].asset_type"),
    (dict(tax_rate=Decimal("1")), "tax_rate"),
    (dict(tax_rate=Decimal("-0.07")), "tax_rate"),
    (dict(tax_rate=0.19), "tax_rate"),
    (dict(tax_category="X"), "tax_category"),
    (dict(tax_category="AE"), "tax_rate"),  # reverse charge carries 0 %
    (dict(currency="eur"), "currency"),
    (dict(currency="EURO"), "currency"),
    (dict(minor_units=5), "minor_units"),
    (dict(minor_units=-1), "minor_units"),
    (dict(valid_until=date(2026, 1, 1)), "valid_until"),
    (dict(hire_terms=(HireTerms("*", -1),)), "hire_terms[0].free_days"),
    (dict(hire_terms=(HireTerms("*", 14, -3),)), "hire_terms[0].demurrage_after_days"),
    (dict(hire_terms=(HireTerms("crate", 1), HireTerms("crate", 2))), "hire_terms[1].asset_type"),
])
def test_each_bad_field_is_named(change, field):
    bad = replace(ACME_2026, **change)
    assert fields(validate_contracts([DEFAULT, bad])) == [f"contracts[1].{field}"]
    assert fields(check_new_contract(bad, [DEFAULT])) == [field]


def test_reverse_charge_at_zero_and_yen_without_minor_units_are_fine():
    assert validate_contracts([replace(ACME_2026, tax_category="AE", tax_rate=Decimal("0"))]) == []
    assert validate_contracts([replace(ACME_2026, currency="JPY", minor_units=0)]) == []


def test_duplicate_contract_ids_are_named():
    twin = replace(ACME_2026, customer_id="globex")
    assert fields(validate_contracts([ACME_2026, twin])) == ["contracts[1].contract_id"]


def test_a_new_contract_is_checked_against_the_existing_ones():
    assert check_new_contract(ACME_2026, [DEFAULT, ACME_2025]) == []
    early = replace(ACME_2026, valid_from=date(2025, 12, 1))
    assert fields(check_new_contract(early, [DEFAULT, ACME_2025])) == ["valid_from"]
    before = contract("acme-2024", "acme", date(2024, 1, 1), date(2025, 2, 1))  # reaches into acme-2025
    assert fields(check_new_contract(before, [DEFAULT, ACME_2025])) == ["valid_until"]
    short = contract("acme-2024", "acme", date(2024, 1, 1), date(2024, 12, 1))  # a month's gap before acme-2025
    assert fields(check_new_contract(short, [DEFAULT, ACME_2025])) == ["valid_until"]
    assert fields(check_new_contract(ACME_2026, [DEFAULT, ACME_2026])) == ["contract_id", "valid_from"]


def test_the_resolver_picks_the_customer_s_contract_else_the_default():
    contracts = [DEFAULT, ACME_2025, ACME_2026]
    assert contract_for(contracts, "acme", date(2025, 12, 31)) is ACME_2025
    assert contract_for(contracts, "acme", date(2026, 1, 1)) is ACME_2026  # start inclusive, end exclusive
    assert contract_for(contracts, "acme", date(2024, 6, 1)) is DEFAULT  # before its first contract
    assert contract_for(contracts, "globex", date(2026, 1, 1)) is DEFAULT
    assert contract_for(contracts, "globex", date(2019, 12, 31)) is None


def test_prices_and_terms_fall_back_to_any_type():
    c = replace(ACME_2026, hire_terms=(HireTerms("*", 14, 60), HireTerms("ibc", 7, 30)))
    assert c.price_for(K.ISSUE_FEE, "crate") == Decimal("2.50") and c.price_for(K.ISSUE_FEE, "ibc") is None
    assert c.price_for(K.DAILY_HIRE, "ibc") == Decimal("0.05")
    assert c.terms_for("ibc").free_days == 7 and c.terms_for("crate").free_days == 14
    assert replace(c, hire_terms=()).terms_for("crate") == HireTerms("*", 0, None)


def test_problems_become_a_422_naming_the_first_field():
    raise_first([])
    with pytest.raises(DomainError) as e:
        raise_first(validate_contracts([replace(ACME_2026, tax_rate=Decimal("1.19"))]))
    assert e.value.status == 422 and e.value.field == "contracts[0].tax_rate"
