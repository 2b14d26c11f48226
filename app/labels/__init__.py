"""Labels: the service side of label printing (the pure library is top-level labels/).

Owns QR images, ZPL labels and PDF sheets for registered assets, registering and
printing in one step, reprints (services.py), the API (api.py, schemas.py) and the CLI
(cli.py).

May import: app.assets, app.catalog, app.accounts, app.platform, app.domain, labels.
"""
