"""Who is signed in, role checks for pages, and the CSRF check of every page form."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for

from app.accounts import web_sessions
from app.accounts.auth import Principal
from app.domain.inputs import bad_text
from app.web.blueprint import bp, csrf

HOME_BY_ROLE = {"admin": "web.console_home", "depot": "web.scan_app", "driver": "web.scan_app",
                "customer": "web.portal_home"}


@bp.before_request
def _check_csrf() -> None:
    # Every state-changing page request must carry the form's (or header's) CSRF token;
    # a missing or wrong one answers 400 (CSRFError, rendered in errors.py).
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def signed_in() -> Principal | None:
    if "web_principal" not in g:
        session_id = session.get("sid")
        g.web_principal = web_sessions.principal_for_session(session_id) if session_id else None
    return g.web_principal


def current_session_hash() -> str | None:
    return web_sessions.session_hash(session.get("sid"))


def sign_in(principal: Principal, session_id: str) -> None:
    session.clear()  # a fresh session (and CSRF token) at every sign-in: no fixation
    session.permanent = True  # the cookie expires after the idle timeout, renewed by each request
    session["sid"] = session_id
    g.web_principal = principal


def sign_out() -> None:
    session_id = session.get("sid")
    if session_id:
        web_sessions.end_session(session_id)
    session.clear()
    g.web_principal = None


def home_url(principal: Principal) -> str:
    return url_for(HOME_BY_ROLE[principal.role])


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (open redirect)."""
    if not target:
        return None
    if bad_text(target):  # CR/LF would split the Location header; NUL and the like are no path
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def page(*roles: str):
    """Decorator for page views: sign-in required, and one of `roles` if given."""

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            principal = signed_in()
            if principal is None:
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            if roles and principal.role not in roles:
                abort(403)
            return fn(*args, **kwargs)

        return wrapper

    return decorator
