"""Pickups: customers' return requests, and the collect scans counted towards them.

Owns the request tables (models.py) and creating, listing, cancelling and settling
requests (services.py). Their API lives with planning (app/planning/api.py), which plans
the tours that serve them.

May import: app.catalog, app.accounts, app.platform, app.domain. The one exception,
declared in .importlinter: a planned request shows its stop, read from the plan's row.
"""
