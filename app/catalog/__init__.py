"""Catalog: the reference data an operator sets up before scanning: asset types,
customers and sites.

Owns their tables (models.py), create/update/read with the caller's scope (services.py),
the API (api.py, schemas.py) and the per-request site and customer lookups that scan
ingestion turns into domain values (sitecache.py).

May import: app.accounts, app.platform, app.domain, labels (GRAI checks).
"""
