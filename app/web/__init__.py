"""Web: server-rendered pages: depot scanning app, customer portal, operator console.

Owns the page chrome, templates and static files, sign-in and account pages (pages.py,
account.py, session.py), the scanning app (scan.py), the portal (portal.py), the console
(console.py, users.py), an asset's pages in both (assets.py), settlement pages in both
(settlement_portal.py, settlement_console.py, settlement_words.py), the public certificate
verification page (certificates.py),
forms, charts, security headers, the language switcher (language.py) and the words shown
for the service's codes (words.py). Pages call the capabilities' services, as the API
views do.

May import: every capability, app.accounts, app.platform, app.domain. Nothing imports
it but the app factory.

Pages sign in with email and password into a Flask session cookie (HttpOnly,
SameSite=Lax, Secure over https) that names a server-side session record. Every form
carries a CSRF token (Flask-WTF); the pages' scripts call the JSON API with the same
session plus the token in an `X-CSRF-Token` header (see
`app.accounts.auth.authenticate`), so no API secret ever reaches the browser's storage.
Security headers: headers.py.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask

from app.web.blueprint import bp, csrf


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    # The JSON API authenticates by bearer token and needs no CSRF check; pages check it
    # themselves (see session.py), so the global check stays off.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # A scanning device may queue scans offline for hours and sync with the token of the
    # page it loaded: the token lives as long as the session, not a fixed hour.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    # Set, not setdefault: Flask's defaults already hold these keys (31 days, no SameSite).
    idle_s = min(settings.session_idle_timeout_s, settings.session_lifetime_s)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        # __Host-: the browser only accepts it over https, for this host, on path /.
        SESSION_COOKIE_NAME="__Host-session" if settings.https else "session",
        # The cookie expires after the idle timeout and is renewed by each request; the
        # server-side record (accounts/web_sessions.py) enforces both timeouts.
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=idle_s),
        SESSION_REFRESH_EACH_REQUEST=True,
    )
    csrf.init_app(app)
    # Flask registers the app's own /static route even without an app/static folder, and
    # it matches before the blueprint's: point it at the pages' files so both serve them.
    app.static_folder = bp.static_folder

    from app.platform import i18n
    from app.web import headers, language

    headers.init_app(app)
    i18n.use_user_locale(app, language.user_locale)

    from app.web import (  # noqa: F401  (routes register on bp)
        account,
        assets,
        certificates,  # noqa: F401  (public certificate verification page)
        console,
        pages,
        portal,
        scan,
        settlement_console,
        settlement_portal,
        users,
        words,
    )

    app.register_blueprint(bp)

    from app.platform.errors import install_error_pages

    install_error_pages(app)  # last: it wraps the JSON error handlers registered before
