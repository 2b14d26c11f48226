"""Balances: what each customer holds, and the fleet's figures.

Owns the custody moves and per-customer balances (models.py), balances and movement
statements (services.py, statement_pdf.py), fleet KPIs (kpis.py), operator alerts
(alerts.py) and their API (api.py, operations_api.py, schemas.py).

May import: app.assets, app.catalog, app.accounts, app.platform, app.domain.
"""
