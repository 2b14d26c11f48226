"""Helpers of the hostile-input tests: every table's row count, signing in to pages."""
from __future__ import annotations

import re

from sqlalchemy import text

from tests.helpers.database import table_names


def all_counts(app) -> dict[str, int]:
    """Rows in every table: what a refused request must leave as it was."""
    with app.extensions["engine"].connect() as conn:
        return {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in table_names()}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(r'id="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(app, client, role: str = "admin", customer: str | None = None) -> str:
    """Signs `client` in as a new user of `role`; returns the session's CSRF token."""
    from app.accounts import services as accounts

    email = f"{role}-{customer or 'op'}@example.test"
    with app.app_context():
        accounts.create_user(f"{role} page user", role, customer, email, "correct horse battery")
    token = csrf_of(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"email": email, "password": "correct horse battery", "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return csrf_of(client.get(r.headers["Location"], follow_redirects=True).get_data(as_text=True))


def error_fields(body: dict) -> set[str]:
    """Field names a 422 names, flattened: `json.window.start`, `query.offset`, `scans[0].site`."""
    out: set[str] = set()

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            out.add(prefix)

    walk("", body.get("errors", {}))
    return out
