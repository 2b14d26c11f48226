"""The scan log read back over HTTP: an asset's scans and EPCIS 2.0 document, and the
anomalies to review (app/scanning/history.py)."""
from __future__ import annotations

from flask import current_app, jsonify

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.assets.schemas import EventSchema
from app.domain.policy import roles_for
from app.platform.responses import documented
from app.scanning import history
from app.scanning.schemas import AnomalyPageSchema, AnomalyQuerySchema, AnomalySchema, ResolveSchema

# A code that is no GRAI in any accepted form answers 422 naming `code`.
MALFORMED_CODE = 422
# The EPCIS 2.0 document's outline (GS1 publishes the full JSON schema).
EPCIS_DOCUMENT = {"type": "object", "required": ["@context", "type", "schemaVersion", "creationDate", "epcisBody"],
                  "properties": {"type": {"const": "EPCISDocument"},
                                 "epcisBody": {"type": "object", "required": ["eventList"]}}}

blp = ApiBlueprint("history", __name__, description="Asset histories (scans, EPCIS 2.0) and anomalies to review")


@blp.route("/assets/<code>/events")
@blp.response(200, EventSchema(many=True))
@documented(MALFORMED_CODE)
@requires()
def get_events(code):
    """The asset's scans in physical order, with their EPCIS bizStep and disposition.

    A customer user sees only the scans of its own custody periods."""
    return history.asset_events(current(), code)


@blp.route("/assets/<code>/epcis")
@blp.response(200, EPCIS_DOCUMENT, description="EPCIS 2.0 JSON-LD document (GS1), one ObjectEvent per scan",
              content_type="application/ld+json")
@documented(MALFORMED_CODE)
@requires()
def get_epcis(code):
    """The asset's history as a GS1 EPCIS 2.0 document for partners' systems."""
    settings = current_app.config["SETTINGS"]
    doc = history.asset_epcis(current(), code, settings.resolver_base_url, settings.public_base_url,
                              settings.operator_name)
    response = jsonify(doc)
    response.mimetype = "application/ld+json"
    return response


@blp.route("/anomalies")
@blp.arguments(AnomalyQuerySchema, location="query")
@blp.response(200, AnomalyPageSchema)
@requires(*roles_for("anomaly.read"))
def get_anomalies(args):
    """Scans the state machine did not expect, waiting for review."""
    items, cursor = history.list_anomalies(current(), args["include_resolved"], args["limit"], args.get("cursor"))
    return {"items": items, "next_cursor": cursor}


@blp.route("/anomalies/<int:anomaly_id>/resolve", methods=["POST"])
@blp.arguments(ResolveSchema)
@blp.response(200, AnomalySchema)
@requires(*roles_for("anomaly.resolve"))
def resolve(body, anomaly_id):
    return history.resolve_anomaly(current(), anomaly_id, body["note"])
