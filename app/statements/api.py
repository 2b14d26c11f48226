"""Monthly packaging-account statements: close, read, confirm, dispute, decide."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.domain.policy import roles_for
from app.platform.responses import BINARY, TEXT, documented
from app.statements import actions, closing, evidence, reading
from app.statements.schemas import (
    ClosedStatementsSchema,
    DisputeCommentInSchema,
    DisputeCommentSchema,
    DisputeDecisionSchema,
    DisputeDetailSchema,
    DisputeEvidenceSchema,
    DisputeSchema,
    EvidenceUploadSchema,
    MonthCloseSchema,
    MonthlyStatementDetailSchema,
    MonthlyStatementPageSchema,
    MonthlyStatementQuerySchema,
    MonthlyStatementSchema,
    OpenDisputeSchema,
)

blp = ApiBlueprint("statements", __name__, description="Monthly packaging-account statements and disputes")
READERS = roles_for("statement.read")


@blp.route("/statements")
class Statements(MethodView):
    @blp.arguments(MonthlyStatementQuerySchema, location="query")
    @blp.response(200, MonthlyStatementPageSchema)
    @documented(404)
    @requires(*READERS)
    def get(self, args):
        """List statements, newest month first. A customer user sees its own only."""
        return {"items": reading.list_statements(current(), args["customer"], args["month"], args["status"],
                                                 args["limit"], args["offset"])}


@blp.route("/statements/close", methods=["POST"])
@blp.arguments(MonthCloseSchema)
@blp.response(200, ClosedStatementsSchema)
@documented(404, 409)
@requires(*roles_for("statement.close"))
def post_close(body):
    """Close a month for one customer or all: frozen, numbered statements (idempotent; earlier
    unclosed months of a customer are closed first). 409 while the month is not over."""
    statements = closing.close_month(current(), body["month"], body["customer"])
    return {"items": [reading.summary(s) for s in statements]}


@blp.route("/statements/<int:statement_id>")
@blp.response(200, MonthlyStatementDetailSchema)
@requires(*READERS)
def get_statement(statement_id):
    """One statement: opening, every line, closing, its disputes and audit log."""
    return reading.statement_detail(current(), statement_id)


@blp.route("/statements/<int:statement_id>.csv")
@blp.response(200, TEXT, content_type="text/csv", description="opening rows, every line, closing rows")
@requires(*READERS)
def get_statement_csv(statement_id):
    """The statement as CSV (an attachment)."""
    name, text = reading.statement_csv(current(), statement_id)
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/statements/<int:statement_id>/confirm", methods=["POST"])
@blp.response(200, MonthlyStatementSchema)
@documented(409)
@requires(*roles_for("statement.confirm"))
def post_confirm(statement_id):
    """The customer confirms its statement (409 once confirmed or while a dispute is open)."""
    return actions.confirm(current(), statement_id)


@blp.route("/statements/<int:statement_id>/disputes", methods=["POST"])
@blp.arguments(OpenDisputeSchema)
@blp.response(201, DisputeSchema)
@documented(409)
@requires(*roles_for("statement.dispute"))
def post_dispute(body, statement_id):
    """The customer disputes lines of its statement with a reason, before the deadline (422 after)."""
    return actions.open_dispute(current(), statement_id, body["lines"], body["reason"]), 201


@blp.route("/disputes/<int:dispute_id>")
@blp.response(200, DisputeDetailSchema)
@requires(*READERS)
def get_dispute(dispute_id):
    """A dispute with its comment thread and evidence list."""
    return reading.dispute_detail(current(), dispute_id)


@blp.route("/disputes/<int:dispute_id>/comments", methods=["POST"])
@blp.arguments(DisputeCommentInSchema)
@blp.response(201, DisputeCommentSchema)
@requires(*roles_for("statement.comment"))
def post_comment(body, dispute_id):
    """Add to a dispute's comment thread (either side)."""
    return actions.comment(current(), dispute_id, body["body"]), 201


@blp.route("/disputes/<int:dispute_id>/evidence", methods=["POST"])
@blp.arguments(EvidenceUploadSchema, location="files")
@blp.response(201, DisputeEvidenceSchema)
@documented(413)
@requires(*roles_for("statement.dispute"))
def post_evidence(files, dispute_id):
    """Attach a photo (JPEG, PNG) or a PDF to an open dispute (multipart field `file`):
    413 above 3 MiB, 422 for any other type; nothing is stored then."""
    upload = files["file"]
    return evidence.attach(current(), dispute_id, upload.filename, upload.stream), 201


@blp.route("/disputes/<int:dispute_id>/evidence/<int:evidence_id>")
@blp.doc(responses={200: {"description": "the file as uploaded, with its type as judged on upload",
                          "content": {kind: {"schema": BINARY} for kind in evidence.KINDS}}})
@requires(*READERS)
def get_evidence(dispute_id, evidence_id):
    """One evidence file."""
    row = reading.evidence_file(current(), dispute_id, evidence_id)
    return Response(row.data, mimetype=row.content_type,
                    headers={"Content-Disposition": f'attachment; filename="evidence-{row.id}"'})


@blp.route("/disputes/<int:dispute_id>/accept", methods=["POST"])
@blp.arguments(DisputeDecisionSchema, required=False)
@blp.response(200, DisputeSchema)
@documented(409)
@requires(*roles_for("statement.resolve"))
def post_accept(body, dispute_id):
    """Accept: the next statement closed reverses the disputed lines, referencing the dispute."""
    return actions.decide(current(), dispute_id, True, (body or {}).get("reason"))


@blp.route("/disputes/<int:dispute_id>/reject", methods=["POST"])
@blp.arguments(DisputeDecisionSchema)
@blp.response(200, DisputeSchema)
@documented(409)
@requires(*roles_for("statement.resolve"))
def post_reject(body, dispute_id):
    """Reject with a reason (422 without one)."""
    return actions.decide(current(), dispute_id, False, body.get("reason"))
