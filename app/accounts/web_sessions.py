"""Browser sign-in: server-side session records behind the session cookie.

The signed cookie carries only a random session id; the `web_sessions` row (keyed by the
id's SHA-256) decides whether it is still good. Signing out, a password change and a
deactivation revoke rows, so an old or copied cookie stops working at once, on every
worker, with or without Redis. A session also ends after `SESSION_IDLE_TIMEOUT_S`
without a request and `SESSION_LIFETIME_S` after sign-in.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from app.accounts import services as accounts
from app.accounts import sign_in_limits
from app.accounts.models import User, WebSession
from app.accounts.principal import Principal, hash_token
from app.platform.base import utcnow
from app.platform.db import get_session, unit_of_work

# Writing last_seen_at on every request would turn each page view into a write; the idle
# timeout is therefore kept to within this resolution.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def _lifetimes() -> tuple[timedelta, timedelta]:
    settings = current_app.config["SETTINGS"]
    return timedelta(seconds=settings.session_idle_timeout_s), timedelta(seconds=settings.session_lifetime_s)


def sign_in(email: str, password: str, client_address: str | None) -> tuple[Principal, str] | None:
    """The principal and a new session id for the cookie, None for a wrong email or
    password; raises sign_in_limits.TooManyAttempts past the failure limits."""
    key = sign_in_limits.account_key(email)
    sign_in_limits.check("email", key, client_address)
    principal = accounts.check_password(email.strip(), password)
    if principal is None:
        sign_in_limits.failed(key, client_address)
        return None
    session_id = secrets.token_urlsafe(32)
    idle, lifetime = _lifetimes()
    now = utcnow()
    with unit_of_work() as session:
        # Sign-in is a good moment to drop this user's dead rows, so the table stays small.
        session.execute(delete(WebSession).where(
            WebSession.user_id == principal.user_id,
            or_(WebSession.revoked_at.is_not(None), WebSession.created_at < now - lifetime,
                WebSession.last_seen_at < now - idle)))
        session.add(WebSession(user_id=principal.user_id, token_hash=hash_token(session_id), created_at=now,
                               last_seen_at=now))
    return principal, session_id


def principal_for_session(session_id: str) -> Principal | None:
    """The active user of a live session, or None (unknown, revoked, idle or too old)."""
    idle, lifetime = _lifetimes()
    now = utcnow()
    row = get_session().execute(
        select(User.id, User.name, User.role, User.customer_id, User.locale, WebSession.id.label("session_row"),
               WebSession.last_seen_at)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.token_hash == hash_token(session_id), WebSession.revoked_at.is_(None),
               WebSession.created_at > now - lifetime, WebSession.last_seen_at > now - idle,
               User.active.is_(True))
    ).first()
    if row is None:
        return None
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        with unit_of_work() as session:
            session.execute(update(WebSession).where(WebSession.id == row.session_row).values(last_seen_at=now))
    return Principal(row.id, row.name, row.role, row.customer_id, row.locale)


def end_session(session_id: str) -> None:
    with unit_of_work() as session:
        session.execute(update(WebSession).where(WebSession.token_hash == hash_token(session_id),
                                                 WebSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def session_hash(session_id: str | None) -> str | None:
    return hash_token(session_id) if session_id else None


def principal_for_browser_request() -> Principal | None:
    """The signed-in user of this request's session cookie, for API calls made by the
    pages' scripts. Only with the page's CSRF token in `X-CSRF-Token`: the cookie alone
    would let another site make the browser act for the user."""
    from flask import g, request, session
    from flask_wtf.csrf import validate_csrf
    from wtforms import ValidationError

    session_id = session.get("sid")
    csrf = request.headers.get("X-CSRF-Token")
    if not session_id or not csrf:
        return None
    try:
        validate_csrf(csrf)
    except ValidationError:
        return None
    principal = principal_for_session(session_id)
    if principal is not None:
        g.web_session_id = session_id  # a password change through the API keeps this session
    return principal
