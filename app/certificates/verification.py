"""Checking certificates: a signed JSON against the service's key, and what anyone
holding a serial may learn (the public verification page and API).
"""
from __future__ import annotations

from sqlalchemy import select

from app.catalog.models import Customer
from app.certificates import signing
from app.certificates.models import Certificate
from app.certificates.records import find
from app.platform.db import get_session


def signed_document(cert: Certificate) -> dict:
    return {"document": cert.document, "signature": cert.signature, "algorithm": signing.ALGORITHM,
            "key_id": cert.key_id}


def signed_json(cert: Certificate) -> bytes:
    """`signed_document` serialised in the document's own canonical form: RFC 8785 for
    current certificates (the `document` member is then, byte for byte, the signed payload,
    as JCS serialises a nested object exactly as on its own), the legacy form before."""
    wrapper = signed_document(cert)
    if signing.canonicalization_of(cert.document) == signing.CANONICALIZATION:
        return signing.jcs(wrapper)
    return signing.legacy_canonical_json(wrapper)


def signed_payload(cert: Certificate) -> tuple[bytes, dict]:
    """(the exact bytes the signature covers, headers naming signature, key and canonicalisation)."""
    return signing.signed_bytes(cert.document), {
        "X-Signature": cert.signature, "X-Signature-Algorithm": signing.ALGORITHM, "X-Signature-Key-Id": cert.key_id,
        "X-Canonicalization": signing.canonicalization_of(cert.document) or "legacy-json-dumps"}


def public_key() -> dict:
    key = signing.current_key()
    return {"algorithm": signing.ALGORITHM, "key_id": key.key_id, "public_key_pem": key.public_pem}


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
    cert = find(serial)
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
