"""Reading and withdrawing issued certificates: list, one by serial, revoke, and a
certificate's last twelve months (for its chart).

A customer user reads its own certificates only; another customer's answer 404, like
unknown ones.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import select

import lca
from app.certificates.data import OPERATOR, Month, month_totals, parse_month
from app.certificates.models import Certificate
from app.domain.errors import Conflict, NotFound
from app.domain.policy import Caller, authorize
from app.platform.db import get_session, unit_of_work


def list_certificates(viewer: Caller, customer: str | None, month: str | None, status: str | None, limit: int,
                      offset: int) -> list[Certificate]:
    """Certificates, newest month first. A customer user lists its own only (naming
    another customer, or the operator summary, answers 404)."""
    own = authorize(viewer, "certificate.read", customer)
    scope = own or customer
    stmt = select(Certificate)
    if scope:
        stmt = stmt.where(Certificate.scope == scope)
    if month:
        stmt = stmt.where(Certificate.month == month)
    if status:
        stmt = stmt.where(Certificate.status == status)
    stmt = stmt.order_by(Certificate.month.desc(), Certificate.scope, Certificate.revision.desc()).limit(limit).offset(offset)
    return list(get_session().scalars(stmt))


def find(serial: str) -> Certificate | None:
    """The certificate with this serial, typed in any case, or None. No access check:
    `get` is for callers; this is for the public verification."""
    return get_session().scalar(select(Certificate).where(Certificate.serial == normal_serial(serial)))


def get(viewer: Caller, serial: str) -> Certificate:
    """One certificate; a customer user sees its own only, others are 404 like unknown ones."""
    own = authorize(viewer, "certificate.read", field="serial")
    cert = find(serial)
    if cert is None or (own is not None and cert.customer_id != own):
        raise NotFound("serial", f"unknown certificate {serial!r}")
    return cert


def revoke(viewer: Caller, serial: str, reason: str) -> Certificate:
    """Withdraw a certificate (issued in error, say): it stays readable and its signature
    still verifies, but every check reports it revoked. Re-issue the month to replace it."""
    authorize(viewer, "certificate.revoke")
    with unit_of_work() as session:
        cert = session.scalar(select(Certificate).where(Certificate.serial == normal_serial(serial)).with_for_update())
        if cert is None:
            raise NotFound("serial", f"unknown certificate {serial!r}")
        if cert.status == "revoked":
            raise Conflict("serial", f"{cert.serial} was revoked at {cert.revoked_at.isoformat()}")
        cert.status, cert.revoked_at, cert.revocation_reason = "revoked", datetime.now(timezone.utc), reason
    return cert


def history(cert: Certificate, months: int = 12) -> list[tuple[str, float | None, str]]:
    """(month, avoided kg CO2e, source) for the `months` months ending with the certificate's.

    source is "certificate" (this one, or the valid revision of that month), "recomputed"
    (no certificate issued: the month's completed trips with this certificate's factor
    set and loss rates; not certified) or "none" (no trips)."""
    this = parse_month(cert.month, complete=False)
    first = this.shifted(-(months - 1))
    issued = dict(get_session().execute(
        select(Certificate.month, Certificate.avoided_kg_co2e)
        .where(Certificate.scope == cert.scope, Certificate.status == "valid", Certificate.month >= first.text,
               Certificate.month <= this.text)).all())
    issued[cert.month] = cert.avoided_kg_co2e
    missing = [m for m in (this.shifted(-i) for i in range(months - 1, -1, -1)) if m.text not in issued]
    recomputed = _recompute(cert, missing) if missing else {}
    out = []
    for m in (this.shifted(-i) for i in range(months - 1, -1, -1)):
        if m.text in issued:
            out.append((m.text, issued[m.text], "certificate"))
        elif m.text in recomputed:
            out.append((m.text, recomputed[m.text], "recomputed"))
        else:
            out.append((m.text, None, "none"))
    return out


def _recompute(cert: Certificate, months: list[Month]) -> dict[str, float]:
    """Avoided kg CO2e of months without a certificate, from SQL aggregates only."""
    fs, ps = lca.default_factor_set(), lca.default_profiles()
    options = {pid: lca.CalcOptions(loss_rate=a["loss_rate"]) for pid, a in cert.document.get("assumptions", {}).items()
               if pid in ps.profiles}
    customer = None if cert.scope == OPERATOR else cert.scope
    out = {}
    with current_app.extensions["engine"].connect() as conn:
        for m in months:
            totals = {pid: lca.Totals(*t) for pid, t in month_totals(conn, m, customer, ps).items()}
            if totals:
                out[m.text] = lca.aggregate_totals(totals, options=options, factor_set=fs, profiles=ps).avoided_kg_co2e
    return out


def normal_serial(serial: str) -> str:
    """Serials are upper case; one typed from paper may not be."""
    return serial.strip().upper()


def require_month(text: str | None) -> str | None:
    if text is None:
        return None
    return parse_month(text, complete=False).text

