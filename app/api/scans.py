from __future__ import annotations

from collections import Counter

from flask import current_app, jsonify
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser, abort

from ..auth import current, requires
from ..errors import error_body
from ..schemas.api import ScanBatchResultSchema, ScanBatchSchema
from ..services import scans


class _ScanParser(FlaskParser):
    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        # A body that is not JSON is a malformed document like any other: 422 naming it.
        abort(422, exc=error, messages={"json": ["not a valid JSON document"]})


blp = Blueprint("scans", __name__, description="Scan ingestion")
blp.ARGUMENTS_PARSER = _ScanParser()


@blp.route("/scans", methods=["POST"])
@blp.arguments(ScanBatchSchema)
@blp.response(200, ScanBatchResultSchema)
@blp.alt_response(422, description="Malformed document, or no scan of the batch was accepted (results included).")
@requires("admin", "depot", "driver")
def post_scans(body):
    """Record a batch of 1 to MAX_BATCH_SCANS scans (a setting, 5,000 by default).

    Each scan is `applied`, `duplicate` (its id was recorded before: nothing changes),
    `anomaly` (stored, state moved to what the scan proves, listed for review) or
    `rejected` (not stored; the message names the field). HTTP 200 when at least one
    scan was accepted; 422 when every scan was rejected.
    """
    results = scans.ingest(current(), body["scans"], current_app.config["SETTINGS"])
    summary = dict(Counter(r["status"] for r in results))
    if summary.get("rejected", 0) == len(results):
        first = results[0]["message"]
        field = first.split(":", 1)[0]
        response = jsonify(error_body(422, f"no scan accepted: {first}", field, results=results, summary=summary))
        response.status_code = 422
        return response
    return {"results": results, "summary": summary}
