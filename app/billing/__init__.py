"""Rental billing and invoices: contracts, billing runs, invoices, credit notes, e-invoices.

The rules (tariff validation and resolution, the day-counting rule, charge lines, EN 16931
totals, number formats) are pure and live in app.domain.billing; this package stores
them, reads the custody history they are computed from, numbers and freezes the
documents, renders them (PDF, CSV, Factur-X/CII) and serves them over the API.

- `models`: the tables; `contracts`: tariffs per customer and the default tariff;
- `history`: custody periods and charge events of a month, read from custody moves,
  trips and scans; `zones`: the customer's time zone;
- `compute`: a month's charge lines and totals per customer (the preview, and what a
  run stores); `runs`: billing runs as background jobs;
- `invoices`, `credit_notes`, `numbers`: the documents and their gapless numbers;
- `documents`, `pdf`, `exports`, `einvoice`: what is handed out;
- `api`, `invoices_api`: the JSON API.

It imports the platform, the pure rules, and reads the tables of catalog, assets,
balances and scanning (the history it bills); only the wiring (app/api.py,
app/tables.py) imports it.
"""
