"""Scanning: the append-only scan log, from HTTP to the database and back.

Owns the scan and anomaly tables and the path of a batch of scans into them:

- api.py: POST /scans; schemas.py: the wire format; validate.py: one scan to `ScanIn` or `Rejection`
- ingest.py: the batch's path and its transaction; judge.py: verdicts before folding
- fold.py: an asset's new scans folded into its projection (pure); writer.py: the rows that makes
- store.py: the transaction's reads and the database's refusals; sql.py: PostgreSQL and portable statements
- results.py: the typed answer (`BatchResult`); models.py: scan_events and anomalies
- history.py, history_api.py: reading the log back (an asset's events and EPCIS document,
  the anomalies to review)

May import: app.balances, app.pickups, app.assets, app.catalog, app.accounts,
app.platform, app.domain, labels. Scanning writes the tables of assets and balances
(the projection) and settles return requests, so it sits above them.
"""
