"""Scanning: the append-only scan log and how a batch of scans gets into it.

- api.py: POST /scans; schemas.py: the wire format; validate.py: one scan to `ScanIn` or `Rejection`
- ingest.py: the batch's path and its transaction; judge.py: verdicts before folding
- fold.py: an asset's new scans folded into its projection (pure); writer.py: the rows that makes
- store.py: the transaction's reads and the database's refusals; sql.py: PostgreSQL and portable statements
- results.py: the typed answer (`BatchResult`); models.py: scan_events and anomalies
"""
