"""Accounts: users, API tokens, browser sessions, roles, and who is calling.

Owns the principal and token hashing (principal.py), request authentication and role
checks (auth.py), the API blueprint every capability's API is built on (blueprint.py),
users, tokens and passwords (services.py, models.py), server-side browser sessions
(web_sessions.py) and the sign-in limits (sign_in_limits.py).

May import: app.platform, app.domain. Below every capability, so each may use
`requires` and `ApiBlueprint`; the one exception, declared in .importlinter, is that
creating a user checks its customer exists in the catalog's table.
"""
