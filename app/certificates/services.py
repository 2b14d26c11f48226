"""Monthly avoided-CO2e certificates: issue (signed, revisioned), read, verify.

A certificate is immutable once issued. Issuing a month again adds revision n+1 and
marks revision n `superseded` (with `superseded_by`); both stay readable. The numbers
depend only on the inputs (trips, asset-type profiles, factor and profile sets, loss
counts): issuing twice from the same data gives the same figures and inputs hash.
"""
from __future__ import annotations

import base64
import hashlib
import math
import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

import lca
from app.catalog.models import Customer
from app.certificates import signing
from app.certificates.data import (
    EMBED_TRIPS_MAX,
    LOSS_WINDOW_MONTHS,
    OPERATOR,
    Month,
    MonthInputs,
    ScopeInputs,
    embedded_trips,
    parse_month,
    read_month,
)
from app.certificates.models import Certificate
from app.domain.errors import Conflict, NotFound
from app.domain.policy import Caller, authorize
from app.platform.db import get_session, unit_of_work
from app.platform.jobs import in_app_context

DOCUMENT_TYPE = "circularity.avoided-emissions-certificate"
DOCUMENT_VERSION = 1
METHOD = {
    "standards": ["ISO 14067:2018 (partial carbon footprint of each product system, GWP100)",
                  "WBCSD Guidance on Avoided Emissions (2023)"],
    "functional_unit": "delivery of one load of content (what one reusable asset carries) from filler to customer in one trip",
    "system_boundary": "cradle-to-grave of the packaging only: manufacture, washing, repair, consumables, outbound "
                       "transport of the packaging mass, empty return, end of life; the content and its transport are "
                       "identical in both systems and cancel",
    "reference_scenario": "the same deliveries made in new single-use packaging (per profile, see assumptions)",
    "avoided_emissions": "reference-scenario emissions minus reusable-system emissions; negative when reuse emitted more",
    "band": "low/high are worst-case bounds over every emission factor's range, not a confidence interval",
    "attribution": "trips with outcome 'completed' whose closed_at falls in the month (UTC), credited to the trip's last "
                   "holder (the customer holding the asset when it was collected)",
    "distances": "outbound = outbound_km + transfer_km, return = return_km, per trip as recorded from scans, rounded to the metre",
    "loss_rate": f"operator-wide per LCA profile: lost / (completed + lost) over the {LOSS_WINDOW_MONTHS} months ending "
                 "with this month; the profile default when no trip closed in that window",
    "inputs_sha256": "SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the per-trip inputs sorted by trip id",
    "statement": "Avoided emissions relative to the stated reference scenario, quantified per ISO 14067 and the WBCSD "
                 "Guidance on Avoided Emissions (2023). They are not part of, and must not be deducted from, any "
                 "Scope 1, 2 or 3 inventory, and they are not an offset or carbon credit.",
    "methodology_document": "docs/lca-methodology.md",
}
_progress: ContextVar = ContextVar("certificate_progress", default=None)


# ---------------------------------------------------------------------------- issuing

def validate_request(month_text: str, customer_id: str | None) -> Month:
    month = parse_month(month_text)
    if customer_id is not None and get_session().get(Customer, customer_id) is None:
        raise NotFound("customer", f"unknown customer {customer_id!r}")
    return month


def issue(month_text: str, customer_id: str | None = None, progress=None) -> list[str]:
    """Issue the month's certificates: one customer's, or every customer with completed
    trips in the month plus the operator summary. Returns the new serials."""
    month = validate_request(month_text, customer_id)
    progress = progress or _progress.get()
    engine = current_app.extensions["engine"]
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # aggregates and hashes from one snapshot
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            inputs = read_month(conn, month, customer_id, with_operator=customer_id is None)
    if progress:
        progress(0, len(inputs.scopes))
    key = signing.current_key()
    fs, ps = lca.default_factor_set(), lca.default_profiles()
    options, loss_notes = _loss_options(inputs, ps)
    names = dict(get_session().execute(select(Customer.id, Customer.name)).all())
    issued_at = datetime.now(timezone.utc).replace(microsecond=0)
    serials = []
    try:
        with unit_of_work() as session:
            current = {c.scope: c for c in session.scalars(
                select(Certificate).where(Certificate.month == month.text, Certificate.status == "valid",
                                          *([Certificate.scope == customer_id] if customer_id else []))
                .options(load_only(Certificate.id, Certificate.serial, Certificate.scope, Certificate.revision,
                                   Certificate.status, Certificate.superseded_by))
                .with_for_update())}
            serial_for = _serial_namer(session, month, inputs.scopes)
            # a revoked revision keeps its number: the next one counts on from the highest
            latest = dict(session.execute(
                select(Certificate.scope, func.max(Certificate.revision))
                .where(Certificate.month == month.text, *([Certificate.scope == customer_id] if customer_id else []))
                .group_by(Certificate.scope)).all())
            for scope in sorted(inputs.scopes):
                figures = compute(inputs.scopes[scope], inputs, options, loss_notes, fs, ps)
                previous = current.get(scope)
                revision = latest.get(scope, 0) + 1
                serial = serial_for(scope, revision)
                document = _document(serial, revision, previous, scope, names.get(scope), month, issued_at, figures,
                                     inputs.scopes[scope], key.key_id, inputs.asset_types)
                cert = Certificate(serial=serial, scope=scope, customer_id=None if scope == OPERATOR else scope,
                                   month=month.text, revision=revision, status="valid", issued_at=issued_at,
                                   factor_set=fs.version, inputs_sha256=inputs.scopes[scope].inputs_sha256,
                                   trip_count=figures["totals"]["trip_count"],
                                   avoided_kg_co2e=figures["totals"]["avoided_kg_co2e"],
                                   low_kg_co2e=figures["totals"]["low_kg_co2e"],
                                   high_kg_co2e=figures["totals"]["high_kg_co2e"],
                                   document=document, signature=key.sign(document), key_id=key.key_id)
                if previous:
                    previous.status = "superseded"
                    previous.superseded_by = serial
                session.add(cert)
                session.flush()
                session.expunge(cert)  # a run of thousands of documents stays small in memory
                inputs.scopes[scope].trips = None
                serials.append(serial)
                if progress:
                    progress(1, None)
    except IntegrityError:
        raise Conflict("month", f"{month.text} is being issued by another run; retry when it has finished") from None
    return serials


@in_app_context
def issue_job(month_text: str, customer_id: str | None = None) -> list[str]:
    """Job entry point (RQ worker or inline); reports progress to a CLI bar if one is set."""
    return issue(month_text, customer_id)


@contextmanager
def progress_to(callback):
    """Report inline runs in this context to `callback(advance, total)` (a CLI bar)."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


def _loss_options(inputs: MonthInputs, ps: lca.ProfileSet) -> tuple[dict, dict]:
    per_profile: dict[str, list[int]] = {}
    for type_id, (completed, lost) in inputs.loss_counts.items():
        profile = inputs.asset_types.get(type_id, (None, None))[1]
        if profile in ps.profiles:
            acc = per_profile.setdefault(profile, [0, 0])
            acc[0] += completed
            acc[1] += lost
    options, notes = {}, {}
    window = {"from": inputs.month.shifted(-(LOSS_WINDOW_MONTHS - 1)).text, "to": inputs.month.text}
    for profile in ps.ids():
        completed, lost = per_profile.get(profile, (0, 0))
        if completed > 0:
            rate = lost / (completed + lost)
            options[profile] = lca.CalcOptions(loss_rate=rate)
            notes[profile] = {"loss_rate": rate, "loss_rate_source": "observed", "completed_trips": completed,
                              "lost_trips": lost, "window": window}
        else:
            notes[profile] = {"loss_rate": ps[profile].default_loss_rate, "loss_rate_source": "profile_default",
                              "completed_trips": completed, "lost_trips": lost, "window": window}
    return options, notes


def _figures(result: lca.Result) -> dict:
    return {"avoided_kg_co2e": result.avoided_kg_co2e, "low_kg_co2e": result.low_kg_co2e,
            "high_kg_co2e": result.high_kg_co2e, "reusable_kg_co2e": result.reusable_kg_co2e,
            "baseline_kg_co2e": result.baseline_kg_co2e}


def compute(scope: ScopeInputs, inputs: MonthInputs, options: dict, loss_notes: dict, fs, ps) -> dict:
    """Figures of one certificate: per asset type, totals, and the assumptions used."""
    rows, per_profile = [], {}
    for type_id in sorted(scope.by_asset_type):
        n, out_km, ret_km = scope.by_asset_type[type_id]
        name, profile = inputs.asset_types.get(type_id, (type_id, None))
        row = {"asset_type": type_id, "name": name, "lca_profile": profile, "trip_count": n,
               "outbound_km": out_km, "return_km": ret_km}
        if profile is None:
            row.update(credited=False, reason="asset type has no LCA profile (set asset_types.lca_profile)")
        elif profile not in ps.profiles:
            row.update(credited=False, reason=f"LCA profile {profile!r} is not in profile set {ps.version}")
        else:
            totals = lca.Totals(n, out_km, ret_km)
            result = lca.aggregate_totals({profile: totals}, options=options, factor_set=fs, profiles=ps)
            row.update(credited=True, reason=None, **_figures(result))
            acc = per_profile.setdefault(profile, [0, 0.0, 0.0])
            acc[0] += n
            acc[1] += out_km
            acc[2] += ret_km
        rows.append(row)
    total = lca.aggregate_totals({p: lca.Totals(*v) for p, v in per_profile.items()}, options=options,
                                 factor_set=fs, profiles=ps)
    assumptions = {}
    for pid, pa in total.by_profile.items():
        prof = ps[pid]
        assumptions[pid] = {
            "description": prof.description,
            "functional_unit": prof.functional_unit,
            "reference_scenario": f"{prof.baseline.units_per_trip:g} x {prof.baseline.name} per trip",
            **loss_notes[pid], **{k: v for k, v in pa.assumptions.items() if k != "loss_rate"},
        }
    not_credited = sum(r["trip_count"] for r in rows if not r["credited"])
    totals = {"trip_count": total.trip_count, "not_credited_trip_count": not_credited, **_figures(total),
              "breakdown_kg_co2e": {side: dict(stages) for side, stages in total.breakdown.items()}}
    return tidy({"by_asset_type": rows, "totals": totals, "assumptions": assumptions,
                 "factor_set": {"version": fs.version, "content_hash": fs.content_hash},
                 "profile_set": {"version": ps.version, "content_hash": ps.content_hash}})


def tidy(value):
    """Floats to 15 significant digits. Any 15-digit decimal has its own double, so a
    digit changed in the signed JSON always changes the value and breaks the signature
    (a 17-digit repr can take a changed last digit and still parse to the same number)."""
    if isinstance(value, float):
        return float(f"{value:.15g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [tidy(v) for v in value]
    return value


def _document(serial, revision, previous, scope, customer_name, month: Month, issued_at, figures, scope_inputs, key_id,
              asset_types):
    settings = current_app.config["SETTINGS"]
    return {
        "type": DOCUMENT_TYPE,
        "version": DOCUMENT_VERSION,
        "serial": serial,
        "revision": revision,
        "supersedes": previous.serial if previous else None,
        "scope": "operator" if scope == OPERATOR else "customer",
        "customer": None if scope == OPERATOR else {"id": scope, "name": customer_name},
        "operator": settings.operator_name,
        "period": {"month": month.text, "start": month.start.isoformat(), "end": month.end.isoformat()},
        "issued_at": issued_at.isoformat(),
        "method": METHOD,
        **figures,
        "inputs": {"sha256": scope_inputs.inputs_sha256, "trip_count": scope_inputs.trip_count,
                   "trips_embedded": scope_inputs.trips is not None, "embed_limit": EMBED_TRIPS_MAX,
                   "trips": embedded_trips(scope_inputs, asset_types)},
        "verify_url": verify_url(serial),
        "signature": {"algorithm": signing.ALGORITHM, "key_id": key_id},
    }


def verify_url(serial: str) -> str:
    return f"{current_app.config['SETTINGS'].public_base_url.rstrip('/')}/verify/{serial}"


def _slug(scope: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", scope.upper()).strip("-")[:20].strip("-") or "X"


def _serial_namer(session, month: Month, scopes):
    """Serials like `CO2-2026-10-RHEINCHEM-R1-7KQM-2XAP-L3DW-Q9ZE`: month, customer and
    revision to read, then 80 random bits (RFC 4648 base32: letters and the digits 2-7
    only, so no 0/O or 1/I to confuse on paper) that nobody can guess, so a serial cannot
    be made up from a month and a customer name. When two scopes share a slug (ids that
    differ in case or punctuation, or share a long prefix) both get a short hash of the
    scope id, so serials stay unique and readable. The API's routes match this form
    (app/certificates/api.py SerialConverter)."""
    known = set(session.scalars(select(Certificate.scope).distinct())) | set(scopes)
    by_slug: dict[str, set] = {}
    for scope in known:
        by_slug.setdefault(_slug(scope), set()).add(scope)

    def name(scope: str, revision: int) -> str:
        slug = _slug(scope)
        if len(by_slug[slug]) > 1:
            slug += "-" + hashlib.sha256(scope.encode()).hexdigest()[:4].upper()
        return f"CO2-{month.text}-{slug}-R{revision}-{unguessable_part()}"

    return name


SERIAL_RANDOM_BYTES = 10  # 80 bits


def unguessable_part() -> str:
    text = base64.b32encode(secrets.token_bytes(SERIAL_RANDOM_BYTES)).decode()  # 16 characters, no padding
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def normal_serial(serial: str) -> str:
    """Serials are upper case; one typed from paper may not be."""
    return serial.strip().upper()


# ---------------------------------------------------------------------------- reading

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


def _find(serial: str) -> Certificate | None:
    return get_session().scalar(select(Certificate).where(Certificate.serial == normal_serial(serial)))


def get(viewer: Caller, serial: str) -> Certificate:
    """One certificate; a customer user sees its own only, others are 404 like unknown ones."""
    own = authorize(viewer, "certificate.read", field="serial")
    cert = _find(serial)
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


def signed_document(cert: Certificate) -> dict:
    return {"document": cert.document, "signature": cert.signature, "algorithm": signing.ALGORITHM,
            "key_id": cert.key_id}


def public_key() -> dict:
    key = signing.current_key()
    return {"algorithm": signing.ALGORITHM, "key_id": key.key_id, "public_key_pem": key.public_pem}


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
    from app.certificates.data import month_totals

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


# ---------------------------------------------------------------------------- verifying

def verify(signed) -> dict:
    """Check a signed certificate JSON (as served by `.json`) against the service's key."""
    if not isinstance(signed, dict):
        return {"valid": False, "reason": "the body must be a JSON object with 'document' and 'signature'"}
    document, signature = signed.get("document"), signed.get("signature")
    if not isinstance(document, dict):
        return {"valid": False, "reason": "document: missing or not a JSON object"}
    if not isinstance(signature, str):
        return {"valid": False, "reason": "signature: missing or not a base64 string"}
    key = signing.current_key()
    claimed = signed.get("key_id") or (document.get("signature") or {}).get("key_id")
    if claimed != key.key_id:
        return {"valid": False, "reason": f"key_id: signed with key {claimed!r}, not this service's key {key.key_id}"}
    try:
        ok = signing.verify(key.public_key, document, signature)
    except (TypeError, ValueError) as exc:  # e.g. a NaN smuggled into the document
        return {"valid": False, "reason": f"document: cannot be canonicalised ({exc})"}
    if not ok:
        return {"valid": False, "reason": "signature: does not match the document (altered, or not issued by this service)"}
    serial = document.get("serial")
    stored = get_session().scalar(select(Certificate).where(Certificate.serial == serial)) if isinstance(serial, str) else None
    answer = {"valid": True, "reason": "signature matches the document and this service's public key", "serial": serial,
              "key_id": key.key_id}
    if stored is not None:
        answer.update(status=stored.status, superseded_by=stored.superseded_by)
        if stored.status == "superseded":
            answer["reason"] += f"; this revision was superseded by {stored.superseded_by}"
        elif stored.status == "revoked":
            answer["reason"] += "; the issuer has revoked this certificate: do not rely on it"
    return answer


PUBLIC_ROW_FIELDS = ("asset_type", "name", "lca_profile", "trip_count", "credited", "reason", "avoided_kg_co2e",
                     "low_kg_co2e", "high_kg_co2e")


def public_view(serial: str) -> dict | None:
    """What anyone holding a serial may learn (no login; the verify page and API), or None.

    Always: whether the serial is valid, superseded or revoked, the signature check, the
    issuer, month and revision. The figures (the customer's name, trips, kg CO2e) only
    when the certificate's holder chose to publish them (`publish_certificate_figures`);
    the operator summary has no such holder and publishes none."""
    cert = _find(serial)
    if cert is None:
        return None
    doc = cert.document
    holder = get_session().get(Customer, cert.customer_id) if cert.customer_id else None
    published = bool(holder is not None and holder.publish_certificate_figures)
    out = {"serial": cert.serial, "status": cert.status, "signature_valid": check_stored(cert),
           "issuer": doc.get("operator"), "month": cert.month, "revision": cert.revision, "issued_at": cert.issued_at,
           "superseded_by": cert.superseded_by, "revoked_at": cert.revoked_at, "key_id": cert.key_id,
           "figures_published": published, "figures": None}
    if published:
        totals = doc["totals"]
        out["figures"] = {
            "customer": doc.get("customer"), "trip_count": totals["trip_count"],
            "avoided_kg_co2e": totals["avoided_kg_co2e"], "low_kg_co2e": totals["low_kg_co2e"],
            "high_kg_co2e": totals["high_kg_co2e"],
            "by_asset_type": [{k: row.get(k) for k in PUBLIC_ROW_FIELDS} for row in doc["by_asset_type"]],
            "factor_set": doc["factor_set"], "profile_set": doc["profile_set"],
            "inputs_sha256": doc["inputs"]["sha256"], "method_statement": doc["method"]["statement"],
        }
    return out


def check_stored(cert: Certificate) -> bool:
    """Whether the stored signature still matches the stored document (the verify page)."""
    key = signing.current_key()
    return cert.key_id == key.key_id and signing.verify(key.public_key, cert.document, cert.signature)


def require_month(text: str | None) -> str | None:
    if text is None:
        return None
    return parse_month(text, complete=False).text

