"""An asset's scan history as a GS1 EPCIS 2.0 JSON-LD document (pure).

Every scan becomes an ObjectEvent about the asset's Digital Link URI, with the CBV
bizStep and disposition from `states.EPCIS_MAPPING`, the site as readPoint and
bizLocation, and the receiving customer as destination for issues and transfers. CBV has
no cleaning step; ours is a URI in this service's own vocabulary (`circ:`), which EPCIS
allows for extensions. Anomalies travel as an extension field, so a partner sees what a
reviewer saw.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from app.domain.states import EPCIS_MAPPING, OWN_VOCAB, EventType

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"


@dataclass(frozen=True)
class EventRecord:
    scan_id: str
    event: EventType
    occurred_at: datetime
    recorded_at: datetime
    site_id: str | None  # None: a site the reader may not see (another customer's)
    customer_id: str | None
    anomaly: str | None


def _time(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _action(event: EventType, first: bool) -> str:
    if event in (EventType.SCRAP, EventType.RECYCLE):
        return "DELETE"  # the asset leaves the pool for good
    return "ADD" if first else "OBSERVE"


def object_event(rec: EventRecord, asset_uri: str, base_url: str, first: bool = False) -> dict:
    biz_step, disposition = EPCIS_MAPPING[rec.event]
    event = {
        "type": "ObjectEvent",
        "eventTime": _time(rec.occurred_at),
        "eventTimeZoneOffset": "+00:00",
        "recordTime": _time(rec.recorded_at),
        "eventID": f"urn:uuid:{rec.scan_id}",
        "epcList": [asset_uri],
        "action": _action(rec.event, first),
        "bizStep": biz_step,
        "disposition": disposition,
        "circ:event": rec.event.label,
    }
    if rec.site_id is not None:
        site_uri = f"{base_url}/sites/{rec.site_id}"
        event["readPoint"] = {"id": site_uri}
        event["bizLocation"] = {"id": site_uri}
    if rec.customer_id and rec.event in (EventType.ISSUE, EventType.TRANSFER):
        event["destinationList"] = [{"type": "possessing_party",
                                     "destination": f"{base_url}/customers/{rec.customer_id}"}]
    if rec.anomaly:
        event["circ:anomaly"] = rec.anomaly
    return event


def document(asset_uri: str, records: list[EventRecord], base_url: str, created_at: datetime,
             sender: str | None = None, starts_history: bool = True) -> dict:
    """An EPCISDocument with one ObjectEvent per record, in physical order.

    `starts_history`: the first record is the asset's first scan (action ADD). A reader who
    sees only part of the history (a customer's custody periods) gets OBSERVE throughout."""
    base_url = base_url.rstrip("/")
    events = [object_event(r, asset_uri, base_url, first=(i == 0 and starts_history)) for i, r in enumerate(records)]
    doc = {
        "@context": [EPCIS_CONTEXT, {"circ": OWN_VOCAB}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(created_at),
        "epcisBody": {"eventList": events},
    }
    if sender:
        doc["sender"] = sender
    return doc
