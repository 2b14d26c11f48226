"""Statements: monthly packaging-account statements both sides sign off.

Owns the statement, line, dispute, comment, evidence, counter and audit tables
(models.py), closing a month into frozen, numbered statements with late-scan adjustments
and dispute corrections (closing.py), confirming, disputing, commenting, deciding and
auto-confirming (actions.py), evidence uploads (evidence.py), reading, isolation and CSV
(reading.py), the audit log (audit.py), the API (api.py, schemas.py) and the CLI (cli.py).
The rules themselves are app/domain/statements.py.

May import: app.scanning, app.balances, app.assets, app.catalog, app.accounts,
app.platform, app.domain.
"""
