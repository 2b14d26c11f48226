"""Scanning: the append-only scan log, from HTTP to the database and back.

Owns the scan and anomaly tables (models.py), the wire format (schemas.py), the
`POST /api/v1/scans` view (api.py), ingestion: validating, deduplicating and folding a
batch into each asset's projection in one transaction (ingest.py), the writer of the
projection rows (store.py), and reading the log back: an asset's events and EPCIS
document, and the anomalies to review (history.py, history_api.py).

May import: app.balances, app.pickups, app.assets, app.catalog, app.accounts,
app.platform, app.domain, labels. Scanning writes the tables of assets and balances
(the projection) and settles return requests, so it sits above them.
"""
