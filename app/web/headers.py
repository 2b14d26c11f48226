"""Security headers on every response (one after_request hook, no per-page exceptions).

The pages load scripts and styles only from /static: no inline <script>, no on*=
handlers, no style attributes, so the policy needs neither 'unsafe-inline' nor
'unsafe-eval'. The scanner needs its service worker (worker-src), its manifest and the
camera (Permissions-Policy camera=(self)); the stream is attached as srcObject, which
no fetch directive governs.
"""
from __future__ import annotations

from flask import Flask, Response, g

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
PERMISSIONS = "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()"
HSTS = "max-age=63072000; includeSubDomains"


def init_app(app: Flask) -> None:
    https = app.config["SETTINGS"].https
    common = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
        # same-origin, not no-referrer: Flask-WTF checks the Referer of form posts over https
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if https:
        common["Strict-Transport-Security"] = HSTS
    csp = CSP + ("; upgrade-insecure-requests" if https else "")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in common.items():
            response.headers.setdefault(name, value)
        # PDF downloads get no policy: there it would govern the browser's own viewer.
        if response.mimetype != "application/pdf":
            response.headers.setdefault("Content-Security-Policy", csp)
        # A signed-in page is not kept in the browser's caches (nor shown by Back after
        # signing out); the scanner's service worker keeps its own copy on purpose.
        if response.mimetype == "text/html" and g.get("web_principal") is not None:
            response.headers["Cache-Control"] = "no-store"
        return response
