"""Which currency codes exist and how many minor units each has: Babel's copy of CLDR.

The pure rules (app.domain.billing.money) check a code's form and take the minor units
from the caller; this is where the service looks both up.
"""
from __future__ import annotations

from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies

from app.domain.billing.problems import Problem


@lru_cache(maxsize=1)
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_problem(code: str, field: str = "currency") -> Problem | None:
    if code not in known_currencies():
        return Problem(field, f"unknown currency {code!r}: use an ISO 4217 code such as EUR, CNY or JPY")
    return None


def minor_units(code: str) -> int:
    """Decimal places of the currency's minor unit: 2 for EUR and CNY, 0 for JPY, 3 for BHD."""
    return get_currency_precision(code)
