"""Assets: the registry of physical assets and their trips.

Owns the asset and trip tables (models.py; the projection that scanning maintains),
registering new assets with serials that are never reused (registry.py), lookup by any
code form, listings, a search by code, alias or serial, one asset and its trips as far
as the caller may see them (queries.py) and the API (api.py, schemas.py).

May import: app.catalog, app.accounts, app.platform, app.domain, labels.
"""
