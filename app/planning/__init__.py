"""Planning: collection tours and depot rebalancing, run as background jobs.

Owns the plan table (models.py), starting, running and reading plans (services.py),
collection tours from pending return requests (collections.py), rebalancing of clean
empties (rebalancing.py), what both share: local time, truck emission factors, load
units, matrices (inputs.py), driver exports (exports.py) and the API of plans and return
requests (api.py, schemas.py).

May import: app.scanning, app.pickups, app.assets, app.catalog, app.accounts,
app.platform, app.domain, routing, lca.
"""
