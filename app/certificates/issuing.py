"""Issuing certificates: a month's figures signed into new revisions, on the job queue or inline.

A certificate is immutable once issued. Issuing a month again adds revision n+1 and
marks revision n `superseded` (with `superseded_by`); both stay readable. The numbers
depend only on the inputs (trips, asset-type profiles, factor and profile sets, loss
counts): issuing twice from the same data gives the same figures and inputs hash.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, load_only

import lca
from app.catalog.models import Customer
from app.certificates import signing
from app.certificates.data import (
    EMBED_TRIPS_MAX,
    LOSS_WINDOW_MONTHS,
    OPERATOR,
    Month,
    MonthInputs,
    embedded_trips,
    parse_month,
    read_month,
)
from app.certificates.figures import compute, loss_options
from app.certificates.models import Certificate
from app.domain.errors import Conflict, NotFound
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
    inputs = _read_inputs(month, customer_id)
    if progress:
        progress(0, len(inputs.scopes))
    run = _Run(inputs, signing.current_key(), lca.default_factor_set(), lca.default_profiles(),
               dict(get_session().execute(select(Customer.id, Customer.name)).all()),
               datetime.now(timezone.utc).replace(microsecond=0))
    serials = []
    try:
        with unit_of_work() as session:
            current, latest = _revisions(session, month, customer_id)
            serial_for = _serial_namer(session, month, inputs.scopes)
            for scope in sorted(inputs.scopes):
                revision = latest.get(scope, 0) + 1
                serial = serial_for(scope, revision)
                cert = run.certificate(scope, serial, revision, current.get(scope))
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


def _read_inputs(month: Month, customer_id: str | None) -> MonthInputs:
    engine = current_app.extensions["engine"]
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # aggregates and hashes from one snapshot
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            return read_month(conn, month, customer_id, with_operator=customer_id is None)


def _revisions(session: Session, month: Month, customer_id: str | None) -> tuple[dict, dict]:
    """(the valid certificate of each scope, locked; the highest revision of each scope).
    A revoked revision keeps its number: the next one counts on from the highest."""
    only = [Certificate.scope == customer_id] if customer_id else []
    current = {c.scope: c for c in session.scalars(
        select(Certificate).where(Certificate.month == month.text, Certificate.status == "valid", *only)
        .options(load_only(Certificate.id, Certificate.serial, Certificate.scope, Certificate.revision,
                           Certificate.status, Certificate.superseded_by))
        .with_for_update())}
    latest = dict(session.execute(
        select(Certificate.scope, func.max(Certificate.revision))
        .where(Certificate.month == month.text, *only).group_by(Certificate.scope)).all())
    return current, latest


class _Run:
    """What every certificate of one run shares: inputs, key, factor and profile sets,
    loss rates, customer names and the issue time."""

    def __init__(self, inputs: MonthInputs, key, fs, ps, names: dict, issued_at: datetime):
        self.inputs, self.key, self.fs, self.ps, self.names, self.issued_at = inputs, key, fs, ps, names, issued_at
        self.options, self.loss_notes = loss_options(inputs, ps)

    def certificate(self, scope: str, serial: str, revision: int, previous: Certificate | None) -> Certificate:
        """The new revision of `scope`, signed; `previous` (the valid one) becomes superseded."""
        inputs = self.inputs
        figures = compute(inputs.scopes[scope], inputs, self.options, self.loss_notes, self.fs, self.ps)
        document = signing.as_parsed(_document(serial, revision, previous, scope, self.names.get(scope), inputs.month,
                                               self.issued_at, figures, inputs.scopes[scope], self.key.key_id,
                                               inputs.asset_types))
        totals = figures["totals"]
        cert = Certificate(serial=serial, scope=scope, customer_id=None if scope == OPERATOR else scope,
                           month=inputs.month.text, revision=revision, status="valid", issued_at=self.issued_at,
                           factor_set=self.fs.version, inputs_sha256=inputs.scopes[scope].inputs_sha256,
                           trip_count=totals["trip_count"], avoided_kg_co2e=totals["avoided_kg_co2e"],
                           low_kg_co2e=totals["low_kg_co2e"], high_kg_co2e=totals["high_kg_co2e"],
                           document=document, signature=self.key.sign(document), key_id=self.key.key_id)
        if previous:
            previous.status = "superseded"
            previous.superseded_by = serial
        return cert


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
        "signature": {"algorithm": signing.ALGORITHM, "key_id": key_id, "canonicalization": signing.CANONICALIZATION},
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
