"""Rental billing rules (pure, stdlib only): tariffs, day counting, charge lines, totals, numbering.

This package owns what a pool operator's invoice is computed from, without storage,
jobs or pages:

- `tariffs`: contracts per customer (validity period, currency, tax, prices per charge
  kind and asset type, free days and demurrage threshold), their validation (problems
  naming the field) and the resolver picking the contract valid on a day, falling back
  to the operator's default tariff;
- `days`: billing months and the day-counting rule (billable holding days of a customer's
  custody periods, in the customer's time zone; the rule is stated there);
- `charges`: a customer's charge lines for one month, from its custody periods and the
  charge events attributed to it (cleaning, damage);
- `totals`: the invoice totals and the VAT breakdown (EN 16931 rounding);
- `money`: currency codes, minor units and half-up rounding;
- `numbering`: gapless document numbers per series and year (`INV-2026-000123`).

Everything takes and returns frozen dataclasses; money is `Decimal` throughout. The
settlement layer (notes, statements, disputes, invoice documents, billing runs) is built
on top of this and lives elsewhere.
"""
