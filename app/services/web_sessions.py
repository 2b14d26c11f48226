"""Browser sign-in: who a signed-in session cookie stands for.

The session stores the user id and a stamp derived from the password hash, so changing
a password (or deactivating the user) ends every browser session of that user at the
next request without a server-side session table.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from ..auth import Principal
from ..db import get_session
from ..models import User
from . import accounts


def password_stamp(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def sign_in(email: str, password: str) -> tuple[Principal, str] | None:
    """The principal and its session stamp, or None for a wrong email or password."""
    principal = accounts.check_password(email.strip(), password)
    if principal is None:
        return None
    user = get_session().get(User, principal.user_id)
    return principal, password_stamp(user.password_hash)


def principal_for_session(user_id: int, stamp: str) -> Principal | None:
    row = get_session().execute(
        select(User.id, User.name, User.role, User.customer_id, User.password_hash)
        .where(User.id == user_id, User.active.is_(True))
    ).first()
    if row is None or password_stamp(row.password_hash) != stamp:
        return None
    return Principal(row.id, row.name, row.role, row.customer_id)


def principal_for_browser_request() -> Principal | None:
    """The signed-in user of this request's session cookie, for API calls made by the
    pages' scripts. Only with the page's CSRF token in `X-CSRF-Token`: the cookie alone
    would let another site make the browser act for the user."""
    from flask import request, session
    from flask_wtf.csrf import validate_csrf
    from wtforms import ValidationError

    user_id, stamp = session.get("user_id"), session.get("stamp")
    csrf = request.headers.get("X-CSRF-Token")
    if user_id is None or not stamp or not csrf:
        return None
    try:
        validate_csrf(csrf)
    except ValidationError:
        return None
    return principal_for_session(user_id, stamp)
