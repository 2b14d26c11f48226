"""Certificates: signed monthly avoided-CO2e certificates, publicly verifiable.

Owns the certificate table (models.py), what a run reads (data.py), the figures it
states (figures.py), issuing new revisions on the job queue or inline (issuing.py),
reading and revoking (records.py), signing and the published key (signing.py),
verification and the public view (verification.py), the PDF (pdf.py), the API (api.py,
schemas.py) and the CLI (cli.py).

May import: app.assets, app.catalog, app.accounts, app.platform, app.domain, lca,
labels (the QR on the PDF).
"""
