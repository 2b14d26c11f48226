"""Signed monthly avoided-CO2e certificates."""
from __future__ import annotations

import json

from flask import Response, current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import jobs
from ..auth import current, requires
from ..domain.errors import NotFound
from ..domain.policy import roles_for
from ..errors import error_body
from ..schemas.certificates import (CertificateDetailSchema, CertificatePageSchema, CertificateQuerySchema,
                                    CertificateSchema, IssuedSchema, IssueSchema, PublicKeySchema, RevokeSchema,
                                    VerificationSchema, VerifyResultSchema)
from ..services import certificate_pdf, certificates
from ..services.signing import canonical_json

blp = Blueprint("certificates", __name__, description="Signed monthly avoided-CO2e certificates")
READERS = roles_for("certificate.read")



@blp.route("/certificates")
class Certificates(MethodView):
    @blp.arguments(CertificateQuerySchema, location="query")
    @blp.response(200, CertificatePageSchema)
    @requires(*READERS)
    def get(self, args):
        """List certificates, newest month first. A customer user sees its own only."""
        month = certificates.require_month(args["month"])
        items = certificates.list_certificates(current(), args["customer"], month, args["status"], args["limit"],
                                               args["offset"])
        return {"items": items}

    @blp.arguments(IssueSchema)
    @blp.response(201, IssuedSchema)
    @blp.alt_response(202, schema=IssuedSchema, description="queued: a worker issues the certificates")
    @requires(*roles_for("certificate.issue"))
    def post(self, body):
        """Issue (or re-issue, as a new revision) a month's certificates."""
        certificates.validate_request(body["month"], body["customer"])
        run = jobs.dispatch(certificates.issue_job, body["month"], body["customer"])
        if run.mode == "queued":
            return {"mode": "queued", "job_id": run.job_id, "serials": None}, 202
        return {"mode": "inline", "job_id": None, "serials": run.result}


@blp.route("/certificates/public-key")
@blp.response(200, PublicKeySchema)
@blp.doc(security=[])
def get_public_key():
    """The Ed25519 public key certificates are signed with (no authentication)."""
    return certificates.public_key()


@blp.route("/certificates/verify", methods=["POST"])
@blp.response(200, VerifyResultSchema)
@blp.doc(security=[], requestBody={"required": True, "description": "a certificate as served by `/certificates/<serial>.json`",
                                   "content": {"application/json": {"schema": {"type": "object"}}}})
def post_verify():
    """Check a signed certificate JSON against the service's public key (no authentication)."""
    try:
        signed = json.loads(request.get_data())
    except (ValueError, UnicodeDecodeError):
        return {"valid": False, "reason": "body: not valid JSON (a changed byte?)"}
    return certificates.verify(signed)


@blp.route("/certificates/jobs/<job_id>")
@blp.response(200)
@blp.alt_response(404, description="no certificate run has this id")
@blp.alt_response(503, description="Redis (the job queue) is unreachable: retry after `Retry-After` seconds")
@requires(*roles_for("certificate.issue"))
def get_job(job_id):
    """State of a queued issue run (`queued`, `started`, `finished` with serials, `failed`)."""
    job = jobs.fetch(job_id, certificates.issue_job)
    if job is None:
        raise NotFound("job_id", f"no certificate run {job_id[:80]!r}")
    status = jobs.status(job)
    return {"job_id": job_id, "status": status, "serials": job.return_value() if status == "finished" else None}


@blp.route("/certificates/<serial>.json")
@requires(*READERS)
def get_signed_json(serial):
    """The signed document: `{"document", "signature", "algorithm", "key_id"}` (canonical JSON)."""
    cert = certificates.get(current(), serial)
    return Response(canonical_json(certificates.signed_document(cert)), mimetype="application/json",
                    headers={"Content-Disposition": f'inline; filename="{serial}.json"'})


@blp.route("/certificates/<serial>.pdf")
@requires(*READERS)
def get_pdf(serial):
    """The certificate as a PDF (methodology, table by asset type, 12-month chart, QR to the verify page)."""
    cert = certificates.get(current(), serial)
    pdf = certificate_pdf.render(cert, certificates.history(cert), cert.status, cert.superseded_by)
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{serial}.pdf"'})


@blp.route("/certificates/<serial>")
@blp.response(200, CertificateDetailSchema)
@requires(*READERS)
def get_certificate(serial):
    """Metadata, status and the signed document of one certificate."""
    return certificates.get(current(), serial)


@blp.route("/certificates/<serial>/verification")
@blp.response(200, VerificationSchema)
@blp.alt_response(404, description="no certificate has this serial: the error body carries "
                                   "`verification: {serial, status: unknown, issuer}`")
@blp.doc(security=[])
def get_verification(serial):
    """What anyone holding a serial may check (no authentication).

    Always the status (`valid`, `superseded`, `revoked`; `unknown` answers 404), whether the
    stored signature still matches, the issuer, month and revision. The figures (customer,
    trips, kg CO2e) only when the certificate's holder published them
    (`PATCH /customers/<id>/settings {"publish_certificate_figures": true}`)."""
    view = certificates.public_view(serial)
    if view is None:
        body = error_body(404, f"serial: unknown certificate {serial!r}", "serial", verification={
            "serial": serial, "status": "unknown", "issuer": current_app.config["SETTINGS"].operator_name})
        return jsonify(body), 404
    return view


@blp.route("/certificates/<serial>/revoke", methods=["POST"])
@blp.arguments(RevokeSchema)
@blp.response(200, CertificateSchema)
@requires(*roles_for("certificate.revoke"))
def post_revoke(body, serial):
    """Withdraw a certificate: it stays readable and its signature still verifies, but the
    verify page and API report it `revoked` (409 if it was revoked before)."""
    return certificates.revoke(current(), serial, body["reason"])
