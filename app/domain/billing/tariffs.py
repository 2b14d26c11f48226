"""Contracts (tariffs): what a customer pays, per charge kind and asset type, and when.

A contract belongs to one customer, or to nobody: then it is the operator's default
tariff, used on every day a customer has no contract of its own. Validity runs from
`valid_from` (inclusive) to `valid_until` (exclusive; None = open-ended), as local dates
in the customer's time zone, so a holding day is priced by the contract valid on it.

Prices are per charge kind and asset type; asset type "*" prices every type without a
price of its own. A kind the contract has no price for is not charged. Free days and the
demurrage threshold (`HireTerms`) are per asset type too, with the same "*" fallback;
see app.domain.billing.days for how the days are counted against them.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.domain.billing.money import currency_problems
from app.domain.billing.problems import Problem

ANY_TYPE = "*"


class ChargeKind(StrEnum):
    ISSUE_FEE = "issue_fee"  # per trip issued to the customer, on the day of issue
    DAILY_HIRE = "daily_hire"  # per holding day after the free days
    DEMURRAGE = "demurrage"  # surcharge per holding day after the demurrage threshold
    TRANSFER_FEE = "transfer_fee"  # per asset passed on to another customer, paid by the sender
    CLEANING_FEE = "cleaning_fee"  # per cleaning attributed to the customer
    DAMAGE_CHARGE = "damage_charge"  # per failed inspection attributed to the customer
    LOST_ASSET = "lost_asset"  # replacement value of an asset lost while the customer held it
    DEPOSIT = "deposit"  # per asset issued, where the contract asks for one


CHARGE_KINDS = frozenset(k.value for k in ChargeKind)
DAY_KINDS = frozenset({ChargeKind.DAILY_HIRE, ChargeKind.DEMURRAGE})

# UNCL5305 VAT category codes EN 16931 uses; all but S (standard), L and M (Canary
# Islands, Ceuta/Melilla) must carry a rate of 0 (rules BR-Z-*, BR-E-*, BR-AE-*, ...).
TAX_CATEGORIES = frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M"})
ZERO_RATED_CATEGORIES = TAX_CATEGORIES - {"S", "L", "M"}


@dataclass(frozen=True)
class Price:
    kind: str  # a ChargeKind value
    asset_type: str  # an asset type id, or "*" for every type without its own price
    unit_price: Decimal  # per day for day kinds, per occurrence otherwise; any precision


@dataclass(frozen=True)
class HireTerms:
    asset_type: str  # an asset type id, or "*"
    free_days: int = 0  # holding days 1..free_days of a trip carry no daily hire
    demurrage_after_days: int | None = None  # days after this many carry demurrage; None: never


NO_TERMS = HireTerms(ANY_TYPE)


@dataclass(frozen=True)
class Contract:
    contract_id: str
    customer_id: str | None  # None: the operator's default tariff
    valid_from: date
    valid_until: date | None  # exclusive; None: open-ended
    currency: str  # ISO 4217 code
    minor_units: int  # ISO 4217 minor units of `currency`, given by the caller
    tax_rate: Decimal  # 0.19 for 19 %
    tax_category: str = "S"  # UNCL5305 VAT category code
    prices: tuple[Price, ...] = ()
    hire_terms: tuple[HireTerms, ...] = ()

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)

    def price_for(self, kind: str, asset_type: str) -> Decimal | None:
        """The unit price of `kind` for `asset_type`, or None when the contract does not charge it."""
        fallback = None
        for p in self.prices:
            if p.kind == kind and p.asset_type == asset_type:
                return p.unit_price
            if p.kind == kind and p.asset_type == ANY_TYPE:
                fallback = p.unit_price
        return fallback

    def terms_for(self, asset_type: str) -> HireTerms:
        exact = next((t for t in self.hire_terms if t.asset_type == asset_type), None)
        return exact or next((t for t in self.hire_terms if t.asset_type == ANY_TYPE), NO_TERMS)


def contract_for(contracts: Iterable[Contract], customer_id: str, day: date) -> Contract | None:
    """The customer's contract valid on `day`, else the default tariff valid on it, else None.

    Assumes validated contracts (no overlaps); with overlaps the first valid one wins."""
    default = None
    for c in contracts:
        if not c.valid_on(day):
            continue
        if c.customer_id == customer_id:
            return c
        if c.customer_id is None and default is None:
            default = c
    return default


# --------------------------------------------------------------------------- validation

def contract_problems(c: Contract, prefix: str = "") -> list[Problem]:
    """What is wrong with one contract on its own; fields named `prefix + name`."""
    problems = currency_problems(c.currency, c.minor_units, prefix + "currency", prefix + "minor_units")
    if c.valid_until is not None and c.valid_until <= c.valid_from:
        problems.append(Problem(prefix + "valid_until", f"{c.valid_until} is not after valid_from {c.valid_from}"))
    if not isinstance(c.tax_rate, Decimal) or not c.tax_rate.is_finite() or not 0 <= c.tax_rate < 1:
        problems.append(Problem(prefix + "tax_rate", f"{c.tax_rate!r}: a tax rate is a Decimal in [0, 1)"))
    if c.tax_category not in TAX_CATEGORIES:
        problems.append(Problem(prefix + "tax_category", f"{c.tax_category!r} is not a VAT category code "
                                f"({', '.join(sorted(TAX_CATEGORIES))})"))
    elif c.tax_category in ZERO_RATED_CATEGORIES and c.tax_rate != 0:
        problems.append(Problem(prefix + "tax_rate", f"VAT category {c.tax_category} requires a rate of 0"))
    problems += _price_problems(c.prices, prefix)
    problems += _terms_problems(c.hire_terms, prefix)
    return problems


def _price_problems(prices: Sequence[Price], prefix: str) -> list[Problem]:
    problems, seen = [], set()
    for i, p in enumerate(prices):
        at = f"{prefix}prices[{i}]."
        if p.kind not in CHARGE_KINDS:
            problems.append(Problem(at + "kind", f"unknown charge kind {p.kind!r} "
                                    f"(known: {', '.join(sorted(CHARGE_KINDS))})"))
        if not isinstance(p.unit_price, Decimal) or not p.unit_price.is_finite():
            problems.append(Problem(at + "unit_price", f"{p.unit_price!r} is not a finite Decimal"))
        elif p.unit_price < 0:
            problems.append(Problem(at + "unit_price", f"{p.unit_price} is negative"))
        if not p.asset_type:
            problems.append(Problem(at + "asset_type", "an asset type id or '*' is required"))
        if (p.kind, p.asset_type) in seen:
            problems.append(Problem(at + "asset_type", f"a second price for {p.kind} and {p.asset_type!r}"))
        seen.add((p.kind, p.asset_type))
    return problems


def _terms_problems(terms: Sequence[HireTerms], prefix: str) -> list[Problem]:
    problems, seen = [], set()
    for i, t in enumerate(terms):
        at = f"{prefix}hire_terms[{i}]."
        if isinstance(t.free_days, bool) or not isinstance(t.free_days, int) or t.free_days < 0:
            problems.append(Problem(at + "free_days", f"{t.free_days!r} is not a whole number of days >= 0"))
        after = t.demurrage_after_days
        if after is not None and (isinstance(after, bool) or not isinstance(after, int) or after < 0):
            problems.append(Problem(at + "demurrage_after_days", f"{after!r} is not a whole number of days >= 0"))
        if t.asset_type in seen:
            problems.append(Problem(at + "asset_type", f"second hire terms for {t.asset_type!r}"))
        seen.add(t.asset_type)
    return problems


@dataclass(frozen=True)
class _Clash:
    later: int  # index of the contract starting later
    earlier: int  # index of the contract whose validity reaches furthest before it
    overlap: bool  # True: the two overlap; False: a gap lies between them

    def message(self, contracts: Sequence[Contract]) -> str:
        a, b = contracts[self.earlier], contracts[self.later]
        if self.overlap:
            return f"contract {b.contract_id!r} from {b.valid_from} overlaps contract {a.contract_id!r}"
        return f"contract {b.contract_id!r} from {b.valid_from} leaves a gap after contract {a.contract_id!r} " \
               f"(valid until {a.valid_until})"


def _clashes(contracts: Sequence[Contract]) -> list[_Clash]:
    """Overlaps and gaps between one customer's contracts (or between default tariffs)."""
    by_customer: dict[str | None, list[int]] = {}
    for i, c in enumerate(contracts):
        by_customer.setdefault(c.customer_id, []).append(i)
    clashes = []
    for indexes in by_customer.values():
        indexes.sort(key=lambda i: contracts[i].valid_from)
        reach = indexes[0]  # the contract valid furthest so far
        for i in indexes[1:]:
            until, start = contracts[reach].valid_until, contracts[i].valid_from
            if until is None or until > start:
                clashes.append(_Clash(i, reach, overlap=True))
            elif until < start:
                clashes.append(_Clash(i, reach, overlap=False))
            if until is not None and (contracts[i].valid_until is None or contracts[i].valid_until > until):
                reach = i
    return clashes


def validate_contracts(contracts: Sequence[Contract]) -> list[Problem]:
    """Every problem of a set of contracts, fields named `contracts[i].<field>`.

    Overlaps and gaps are reported on `valid_from` of the contract starting later."""
    problems = []
    for i, c in enumerate(contracts):
        problems += contract_problems(c, f"contracts[{i}].")
    ids = [c.contract_id for c in contracts]
    problems += [Problem(f"contracts[{i}].contract_id", f"duplicate contract id {cid!r}")
                 for i, cid in enumerate(ids) if cid in ids[:i]]
    return problems + [Problem(f"contracts[{k.later}].valid_from", k.message(contracts)) for k in _clashes(contracts)]


def check_new_contract(new: Contract, existing: Sequence[Contract]) -> list[Problem]:
    """Problems of a contract about to be added next to `existing` (valid) ones, fields named plainly.

    An overlap or gap before it is reported on `valid_from`, one after it on `valid_until`."""
    problems = contract_problems(new)
    if any(c.contract_id == new.contract_id for c in existing):
        problems.append(Problem("contract_id", f"contract {new.contract_id!r} exists"))
    everything = [*existing, new]
    me = len(existing)
    for k in _clashes(everything):
        if me in (k.later, k.earlier):
            problems.append(Problem("valid_from" if k.later == me else "valid_until", k.message(everything)))
    return problems
