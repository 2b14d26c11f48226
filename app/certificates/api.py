"""Signed monthly avoided-CO2e certificates."""
from __future__ import annotations

from flask import Response, current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import abort
from werkzeug.routing import BaseConverter

from app.accounts.auth import current, public, requires
from app.accounts.blueprint import ApiBlueprint
from app.certificates import issuing, records, verification
from app.certificates import pdf as certificate_pdf
from app.certificates.schemas import (
    CertificateDetailSchema,
    CertificatePageSchema,
    CertificateQuerySchema,
    CertificateSchema,
    IssuedSchema,
    IssueSchema,
    JobSchema,
    PublicKeySchema,
    RevokeSchema,
    SignedCertificateSchema,
    VerificationSchema,
    VerifyResultSchema,
)
from app.domain.errors import NotFound
from app.domain.policy import roles_for
from app.platform import jobs, json_limits
from app.platform.errors import error_body
from app.platform.responses import BINARY, documented

blp = ApiBlueprint("certificates", __name__, description="Signed monthly avoided-CO2e certificates")
READERS = roles_for("certificate.read")


class SerialConverter(BaseConverter):
    """A certificate serial (`CO2-2026-10-RHEINCHEM-R1-7KQM-2XAP-L3DW-Q9ZE`, or the
    readable-only form of earlier certificates; see certificates/issuing.py): the routes
    of one certificate then never take `verify`, `jobs` or `public-key` for a serial.
    Case-insensitive, as the service looks serials up upper-cased."""

    regex = r"[Cc][Oo]2-[0-9]{4}-[0-9]{2}-[A-Za-z0-9-]+-[Rr][0-9]+(?:-[A-Za-z2-7]{4}){0,4}"

    @staticmethod
    def openapi(_converter) -> dict:
        return {"type": "string", "pattern": f"^{SerialConverter.regex}$"}


@blp.route("/certificates")
class Certificates(MethodView):
    @blp.arguments(CertificateQuerySchema, location="query")
    @blp.response(200, CertificatePageSchema)
    @documented(404)
    @requires(*READERS)
    def get(self, args):
        """List certificates, newest month first. A customer user sees its own only."""
        month = records.require_month(args["month"])
        items = records.list_certificates(current(), args["customer"], month, args["status"], args["limit"],
                                               args["offset"])
        return {"items": items}

    @blp.arguments(IssueSchema)
    @blp.response(201, IssuedSchema)
    @blp.alt_response(202, schema=IssuedSchema, description="queued: a worker issues the certificates")
    @documented(404, 409)
    @requires(*roles_for("certificate.issue"))
    def post(self, body):
        """Issue (or re-issue, as a new revision) a month's certificates."""
        issuing.validate_request(body["month"], body["customer"])
        run = jobs.dispatch(issuing.issue_job, body["month"], body["customer"])
        if run.mode == "queued":
            return {"mode": "queued", "job_id": run.job_id, "serials": None}, 202
        return {"mode": "inline", "job_id": None, "serials": run.result}


@blp.route("/certificates/public-key")
@blp.response(200, PublicKeySchema)
@public
def get_public_key():
    """The Ed25519 public key certificates are signed with (no authentication)."""
    return verification.public_key()


@blp.route("/certificates/verify", methods=["POST"])
@blp.response(200, VerifyResultSchema)
@blp.doc(requestBody={"required": False, "description": "a certificate as served by `/certificates/<serial>.json`; "
                                                        "any other body is answered `valid: false` with the reason",
                      "content": {"application/json": {"schema": {}}}})
@documented(400, 413)
@public
def post_verify():
    """Check a signed certificate JSON against the service's public key (no authentication)."""
    try:
        signed = json_limits.loads(request.get_data())
    except json_limits.JSONTooComplex as exc:
        abort(400, message=f"body: {exc}", errors={"body": [str(exc)]})
    except json_limits.InvalidJSON:
        return {"valid": False, "reason": "body: not valid JSON (a changed byte?)"}
    return verification.verify(signed)


@blp.route("/certificates/jobs/<job_id>")
@blp.response(200, JobSchema)
@documented(404, 503)
@requires(*roles_for("certificate.issue"))
def get_job(job_id):
    """State of a queued issue run (`queued`, `started`, `finished` with serials, `failed`).
    503 with `Retry-After` while Redis (the job queue) is unreachable."""
    job = jobs.fetch(job_id, issuing.issue_job)
    if job is None:
        raise NotFound("job_id", f"no certificate run {job_id[:80]!r}")
    status = jobs.status(job)
    return {"job_id": job_id, "status": status, "serials": job.return_value() if status == "finished" else None}


@blp.route("/certificates/<serial:serial>.json")
@blp.response(200, SignedCertificateSchema, content_type="application/json",
              description="the signed document; its `document` member is byte for byte what the signature "
                          "covers (RFC 8785 canonical JSON)")
@documented(404)
@requires(*READERS)
def get_signed_json(serial):
    """The signed document: `{"document", "signature", "algorithm", "key_id"}` (RFC 8785 canonical JSON;
    certificates issued before RFC 8785 in their original canonical form)."""
    cert = records.get(current(), serial)
    return Response(verification.signed_json(cert), mimetype="application/json",
                    headers={"Content-Disposition": f'inline; filename="{serial}.json"'})


@blp.route("/certificates/<serial:serial>/signed-payload")
@blp.response(200, {"type": "object", "description": "the certificate document as signed (RFC 8785 JSON, or the "
                                                  "legacy form for older certificates)"},
              content_type="application/json",
              description="exactly the bytes the Ed25519 signature covers; the signature (base64), the key id, the "
                          "algorithm and the canonicalisation in the `X-Signature`, `X-Signature-Key-Id`, "
                          "`X-Signature-Algorithm` and `X-Canonicalization` headers")
@documented(404)
@requires(*READERS)
def get_signed_payload(serial):
    """The signed payload byte for byte, to verify without re-serialising anything."""
    payload, headers = verification.signed_payload(records.get(current(), serial))
    return Response(payload, mimetype="application/json",
                    headers={**headers, "Content-Disposition": f'inline; filename="{serial}.payload.json"'})


@blp.route("/certificates/<serial:serial>.pdf")
@blp.response(200, BINARY, content_type="application/pdf", description="the certificate as a PDF")
@documented(404)
@requires(*READERS)
def get_pdf(serial):
    """The certificate as a PDF (methodology, table by asset type, 12-month chart, QR to the verify page)."""
    cert = records.get(current(), serial)
    pdf = certificate_pdf.render(cert, records.history(cert), cert.status, cert.superseded_by)
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{serial}.pdf"'})


@blp.route("/certificates/<serial:serial>")
@blp.response(200, CertificateDetailSchema)
@documented(404)
@requires(*READERS)
def get_certificate(serial):
    """Metadata, status and the signed document of one certificate."""
    return records.get(current(), serial)


@blp.route("/certificates/<serial:serial>/verification")
@blp.response(200, VerificationSchema)
@documented(404)
@public
def get_verification(serial):
    """What anyone holding a serial may check (no authentication).

    Always the status (`valid`, `superseded`, `revoked`; `unknown` answers 404 with
    `verification: {serial, status: unknown, issuer}` in the error body), whether the
    stored signature still matches, the issuer, month and revision. The figures (customer,
    trips, kg CO2e) only when the certificate's holder published them
    (`PATCH /customers/<id>/settings {"publish_certificate_figures": true}`)."""
    view = verification.public_view(serial)
    if view is None:
        body = error_body(404, f"serial: unknown certificate {serial!r}", "serial", verification={
            "serial": serial, "status": "unknown", "issuer": current_app.config["SETTINGS"].operator_name})
        return jsonify(body), 404
    return view


@blp.route("/certificates/<serial:serial>/revoke", methods=["POST"])
@blp.arguments(RevokeSchema)
@blp.response(200, CertificateSchema)
@documented(404, 409)
@requires(*roles_for("certificate.revoke"))
def post_revoke(body, serial):
    """Withdraw a certificate: it stays readable and its signature still verifies, but the
    verify page and API report it `revoked` (409 if it was revoked before)."""
    return records.revoke(current(), serial, body["reason"])
