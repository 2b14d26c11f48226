"""Platform: what every capability runs on, knowing none of them.

Owns settings (config.py), the engine, sessions and unit of work (db.py, base.py for the
declarative base and column types), Redis (redis_store.py), background jobs (jobs.py),
JSON errors and error pages (errors.py), request limits and field types shared by every
schema (json_limits.py, paths.py, fields.py), the OpenAPI error answers (responses.py),
CSV export and the health probes.

May import: app.domain and third-party packages. Never a capability, app.web or the
wiring in app/__init__.py (the app factory is handed to jobs.py, not imported).
"""
