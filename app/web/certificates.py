"""Public verification page of a certificate: `GET /verify/<serial>` (no login).

The QR code on every certificate PDF points here. The page checks the stored signature
against the service's key and shows the figures and the status; a superseded revision
says so and links to the current one.
"""
from __future__ import annotations

from flask import render_template

from ..domain.errors import NotFound
from ..services import certificates
from . import bp


@bp.route("/verify/<serial>")
def verify_page(serial):
    try:
        cert = certificates.get(serial)
    except NotFound:
        return render_template("verify_unknown.html", serial=serial), 404
    key = certificates.public_key()
    return render_template("verify.html", cert=cert, doc=cert.document, signature_ok=certificates.check_stored(cert),
                           key=key)
