"""Invoice totals and the VAT breakdown, rounded the EN 16931 way.

EN 16931 (and so Factur-X/ZUGFeRD and UBL 2.1 invoices built on it) computes VAT per VAT
category and rate, not per line:
- each line's net amount (BT-131) is quantity x unit price, rounded: here half-up to the
  currency's minor unit (app.domain.billing.charges);
- the sum of line net amounts (BT-106) is the exact sum of those rounded amounts; with no
  document-level allowances or charges it is also the total without VAT (BT-109);
- per category and rate (BG-23): the taxable amount (BT-116) is the exact sum of that
  group's line net amounts, and its VAT (BT-117) is taxable amount x rate, rounded half-up
  to the minor unit, once per group;
- the VAT total (BT-110) is the sum of the groups' VAT, and the total with VAT (BT-112)
  is BT-109 + BT-110. Nothing is rounded twice, so the totals always add up.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.billing.charges import ChargeLine
from app.domain.billing.money import is_quantised, minor_unit, round_half_up
from app.domain.errors import DomainError


@dataclass(frozen=True)
class VatBreakdown:
    """One EN 16931 BG-23 group."""

    category: str  # UNCL5305 code (BT-118)
    rate: Decimal  # 0.19 for 19 % (BT-119 carries it as the percentage 19)
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117

    @property
    def rate_percent(self) -> Decimal:
        return (self.rate * 100).normalize()


@dataclass(frozen=True)
class InvoiceTotals:
    currency: str
    line_count: int
    net_total: Decimal  # BT-106 = BT-109: the exact sum of the line amounts
    vat: tuple[VatBreakdown, ...]  # by category, then rate
    tax_total: Decimal  # BT-110
    gross_total: Decimal  # BT-112


def invoice_totals(lines: Sequence[ChargeLine], currency: str, minor_units: int) -> InvoiceTotals:
    """The totals of an invoice made of `lines`, all in `currency`, amounts already rounded."""
    for i, line in enumerate(lines):
        if line.currency != currency:
            raise DomainError(f"lines[{i}].currency", f"{line.currency} on an invoice in {currency}")
        if not is_quantised(line.amount, minor_units):
            raise DomainError(f"lines[{i}].amount", f"{line.amount} is not rounded to {minor_unit(minor_units)}")
    zero = minor_unit(minor_units) * 0
    groups: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = (line.tax_category, line.tax_rate)
        groups[key] = groups.get(key, zero) + line.amount
    vat = tuple(VatBreakdown(category, rate, taxable, round_half_up(taxable * rate, minor_units))
                for (category, rate), taxable in sorted(groups.items()))
    net = sum((line.amount for line in lines), zero)
    tax = sum((v.tax_amount for v in vat), zero)
    return InvoiceTotals(currency, len(lines), net, vat, tax, net + tax)
