"""Currency codes, minor units and rounding: money is Decimal, rounded half-up per line.

The caller knows each currency's ISO 4217 minor units (2 for EUR and CNY, 0 for JPY) and
passes them in; this module only checks the code's form, since the stdlib carries no
currency list. EN 16931 allows at most two decimals in invoice amounts (rules BR-DEC-*),
so a currency with three minor units (BHD, KWD) can be billed here but not sent as an
EN 16931 e-invoice without loss.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from app.domain.billing.problems import Problem

CURRENCY_CODE = re.compile(r"[A-Z]{3}")
MAX_MINOR_UNITS = 4  # ISO 4217 has no currency with more (CLF, UYW have 4)


def currency_problems(code: object, minor_units: object, field: str = "currency",
                      minor_field: str = "minor_units") -> list[Problem]:
    problems = []
    if not isinstance(code, str) or not CURRENCY_CODE.fullmatch(code):
        problems.append(Problem(field, f"{code!r} is not an ISO 4217 code (three capital letters)"))
    if isinstance(minor_units, bool) or not isinstance(minor_units, int) or not 0 <= minor_units <= MAX_MINOR_UNITS:
        problems.append(Problem(minor_field, f"{minor_units!r}: minor units must be an integer 0..{MAX_MINOR_UNITS}"))
    return problems


def minor_unit(minor_units: int) -> Decimal:
    """The smallest amount of the currency: Decimal('0.01') for 2 minor units, Decimal('1') for 0."""
    return Decimal(1).scaleb(-minor_units)


def round_half_up(amount: Decimal, minor_units: int) -> Decimal:
    """`amount` rounded to the currency's minor unit, halves away from zero (ROUND_HALF_UP)."""
    return amount.quantize(minor_unit(minor_units), rounding=ROUND_HALF_UP)


def is_quantised(amount: Decimal, minor_units: int) -> bool:
    """True when `amount` is exactly a whole number of minor units, written with that exponent."""
    return amount.is_finite() and amount.as_tuple().exponent == -minor_units
