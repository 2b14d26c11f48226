"""Public verification page of a certificate: `GET /verify/<serial>` (no login).

The QR code on every certificate PDF points here. The page checks the stored signature
against the service's key and shows the status (valid, superseded, revoked), the issuer
and the month to anyone; the figures only when the certificate's holder chose to publish
them (see `verification.public_view`). A superseded revision links to the current one.
"""
from __future__ import annotations

from flask import current_app, render_template

from app.certificates import verification
from app.web.blueprint import bp


@bp.route("/verify/<serial>")
def verify_page(serial):
    view = verification.public_view(serial)
    if view is None:
        return render_template("verify_unknown.html", serial=serial,
                               issuer=current_app.config["SETTINGS"].operator_name), 404
    return render_template("verify.html", v=view, figures=view["figures"], key=verification.public_key())
