"""Security headers on every response (one after_request hook, no per-page exceptions).

The pages load scripts and styles only from /static: no inline <script>, no on*=
handlers, no style attributes, so the policy needs neither 'unsafe-inline' nor
'unsafe-eval'. The scanner needs its service worker (worker-src), its manifest and the
camera (Permissions-Policy camera=(self)); the stream is attached as srcObject, which
no fetch directive governs. Where the browser has no BarcodeDetector, the scanner page
decodes camera frames with a WebAssembly build of ZXing served from /static/vendor:
that page alone gets 'wasm-unsafe-eval', which lets it compile WebAssembly and still
forbids eval() and every other string-to-code path.
"""
from __future__ import annotations

from flask import Flask, Response, g, request

_SCRIPT_SRC = "script-src 'self'"
CSP = "; ".join([
    "default-src 'self'",
    _SCRIPT_SRC,
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
# Pages that compile WebAssembly (endpoint names): the scanner's camera decoder.
WASM_ENDPOINTS = frozenset({"web.scan_app"})
CSP_WASM = CSP.replace(_SCRIPT_SRC, _SCRIPT_SRC + " 'wasm-unsafe-eval'", 1)
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
    upgrade = "; upgrade-insecure-requests" if https else ""
    csp, csp_wasm = CSP + upgrade, CSP_WASM + upgrade

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in common.items():
            response.headers.setdefault(name, value)
        # PDF downloads get no policy: there it would govern the browser's own viewer.
        if response.mimetype != "application/pdf":
            response.headers.setdefault("Content-Security-Policy",
                                        csp_wasm if request.endpoint in WASM_ENDPOINTS else csp)
        # A signed-in page is not kept in the browser's caches (nor shown by Back after
        # signing out); the scanner's service worker keeps its own copy on purpose.
        if response.mimetype == "text/html" and g.get("web_principal") is not None:
            response.headers["Cache-Control"] = "no-store"
        return response
