"""The scan ingestion endpoint, POST /api/v1/scans: one service call, its answer as HTTP."""
from __future__ import annotations

from flask import current_app, jsonify

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint, ApiParser
from app.platform.errors import error_body
from app.scanning.ingest import ingest
from app.scanning.results import BatchResult
from app.scanning.schemas import ScanBatchResultSchema, ScanBatchSchema, ScanRejectedSchema


class _ScanParser(ApiParser):
    # A body that is not JSON is a malformed document like any other: 422 naming it.
    INVALID_JSON_STATUS = 422


class _ScanBlueprint(ApiBlueprint):
    ARGUMENTS_PARSER = _ScanParser()


blp = _ScanBlueprint("scans", __name__, description="Scan ingestion")


@blp.route("/scans", methods=["POST"])
@blp.doc(responses={422: {
    "description": "Malformed document, or no scan of the batch was accepted (`results` and `summary` included).",
    "content": {"application/json": {"schema": ScanRejectedSchema}}}})
@blp.arguments(ScanBatchSchema)
@blp.response(200, ScanBatchResultSchema)
@requires("admin", "depot", "driver")
def post_scans(body):
    """Record a batch of 1 to MAX_BATCH_SCANS scans (a setting, 5,000 by default).

    Each scan is `applied`, `duplicate` (its id was recorded before: nothing changes),
    `anomaly` (stored, state moved to what the scan proves, listed for review) or
    `rejected` (not stored; the message names the field). HTTP 200 when at least one
    scan was accepted; 422 when every scan was rejected.
    """
    result = ingest(current(), body["scans"], current_app.config["SETTINGS"])
    if result.all_rejected:
        first = result.first_rejection
        return _rejected(f"no scan accepted: {first.message}", first.field, result)
    return {"results": result.results(), "summary": result.summary}


def _rejected(message: str, field: str, result: BatchResult):
    response = jsonify(error_body(422, message, field, results=result.results(), summary=result.summary))
    response.status_code = 422
    return response
