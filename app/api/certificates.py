"""Signed monthly avoided-CO2e certificates."""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import abort
from werkzeug.routing import BaseConverter

from .. import jobs, json_limits
from ..auth import current, public, requires
from ..domain.errors import NotFound
from ..schemas.certificates import (CertificateDetailSchema, CertificatePageSchema, CertificateQuerySchema,
                                    IssuedSchema, IssueSchema, JobSchema, PublicKeySchema, SignedCertificateSchema,
                                    VerifyResultSchema)
from ..services import certificate_pdf, certificates
from ..services.signing import canonical_json
from .blueprint import ApiBlueprint
from .responses import BINARY, documented

blp = ApiBlueprint("certificates", __name__, description="Signed monthly avoided-CO2e certificates")
READERS = ("admin", "customer")


class SerialConverter(BaseConverter):
    """A certificate serial (`CO2-2026-10-RHEINCHEM-R1`, see services/certificates.py): the
    routes of one certificate then never take `verify` or `public-key` for a serial."""

    regex = r"CO2-[0-9]{4}-[0-9]{2}-[A-Z0-9-]+-R[0-9]+"

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
        own = current().scope
        if own is not None and args["customer"] not in (None, own):
            raise NotFound("customer", f"unknown customer {args['customer']!r}")
        month = certificates.require_month(args["month"])
        items = certificates.list_certificates(own or args["customer"], month, args["status"], args["limit"], args["offset"])
        return {"items": items}

    @blp.arguments(IssueSchema)
    @blp.response(201, IssuedSchema)
    @blp.alt_response(202, schema=IssuedSchema, description="queued: a worker issues the certificates")
    @documented(404, 409)
    @requires("admin")
    def post(self, body):
        """Issue (or re-issue, as a new revision) a month's certificates."""
        certificates.validate_request(body["month"], body["customer"])
        run = jobs.dispatch(certificates.issue_job, body["month"], body["customer"])
        if run.mode == "queued":
            return {"mode": "queued", "job_id": run.job_id, "serials": None}, 202
        return {"mode": "inline", "job_id": None, "serials": run.result}


@blp.route("/certificates/public-key")
@blp.response(200, PublicKeySchema)
@public
def get_public_key():
    """The Ed25519 public key certificates are signed with (no authentication)."""
    return certificates.public_key()


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
    return certificates.verify(signed)


@blp.route("/certificates/jobs/<job_id>")
@blp.response(200, JobSchema)
@requires("admin")
def get_job(job_id):
    """State of a queued issue run (`queued`, `started`, `finished` with serials, `failed`)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from .. import redis_store

    try:
        job = Job.fetch(job_id, connection=redis_store.client())
    except NoSuchJobError:
        raise NotFound("job_id", f"unknown job {job_id!r}") from None
    status = job.get_status()
    return {"job_id": job_id, "status": str(getattr(status, "value", status)),
            "serials": job.return_value() if status == "finished" else None}


@blp.route("/certificates/<serial:serial>.json")
@blp.response(200, SignedCertificateSchema, content_type="application/json",
              description="the signed document, byte for byte what the signature covers (canonical JSON)")
@requires(*READERS)
def get_signed_json(serial):
    """The signed document: `{"document", "signature", "algorithm", "key_id"}` (canonical JSON)."""
    cert = certificates.get(serial, current().scope)
    return Response(canonical_json(certificates.signed_document(cert)), mimetype="application/json",
                    headers={"Content-Disposition": f'inline; filename="{serial}.json"'})


@blp.route("/certificates/<serial:serial>.pdf")
@blp.response(200, BINARY, content_type="application/pdf", description="the certificate as a PDF")
@requires(*READERS)
def get_pdf(serial):
    """The certificate as a PDF (methodology, table by asset type, 12-month chart, QR to the verify page)."""
    cert = certificates.get(serial, current().scope)
    pdf = certificate_pdf.render(cert, certificates.history(cert), cert.status, cert.superseded_by)
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{serial}.pdf"'})


@blp.route("/certificates/<serial:serial>")
@blp.response(200, CertificateDetailSchema)
@requires(*READERS)
def get_certificate(serial):
    """Metadata, status and the signed document of one certificate."""
    return certificates.get(serial, current().scope)
