"""Signed webhooks: subscriptions, the outbox of deliveries written with each change, and
their delivery with retries and a log. docs/settlement.md ("Webhooks") describes the scheme.

Packages that change things call `events.emit` inside their own transaction; this package
knows none of them (it sits below billing and statements in .importlinter's layers).

May import: app.scanning, app.balances, app.assets, app.catalog, app.accounts,
app.platform, app.domain.
"""
