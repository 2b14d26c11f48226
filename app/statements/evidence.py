"""Evidence on a dispute: a photo (JPEG, PNG) or a PDF, at most `MAX_EVIDENCE_BYTES`.

The type is judged by the file's first bytes, not by its name or the declared content
type; a file that is too large (413) or of another type (422) is refused before anything
is stored.
"""
from __future__ import annotations

import hashlib

from app.domain.errors import DomainError
from app.domain.policy import Caller
from app.platform.db import unit_of_work
from app.statements import audit
from app.statements.models import DisputeEvidence
from app.statements.reading import visible_dispute

# Below MAX_BODY_BYTES (4 MiB by default), so the upload's own limit is what answers.
MAX_EVIDENCE_BYTES = 3 * 1024 * 1024
MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"))
KINDS = [kind for _magic, kind in MAGIC]


class TooLarge(DomainError):
    status = 413


def content_type(data: bytes) -> str:
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    raise DomainError("file", "evidence must be a JPEG or PNG photo or a PDF")


def read_upload(stream) -> bytes:
    data = stream.read(MAX_EVIDENCE_BYTES + 1)
    if len(data) > MAX_EVIDENCE_BYTES:
        raise TooLarge("file", f"evidence is limited to {MAX_EVIDENCE_BYTES} bytes")
    if not data:
        raise DomainError("file", "the file is empty")
    return data


def attach(caller: Caller, dispute_id: int, filename: str | None, stream) -> dict:
    with unit_of_work() as session:
        dispute, statement = visible_dispute(caller, "statement.dispute", dispute_id, lock=True)
        data = read_upload(stream)
        kind = content_type(data)
        if dispute.status != "open":
            raise DomainError("dispute_id", f"dispute {dispute.id} is {dispute.status}: no more evidence")
        name = "".join(ch for ch in (filename or "") if ch.isprintable())[-200:] or "evidence"
        row = DisputeEvidence(dispute_id=dispute.id, filename=name, content_type=kind, size_bytes=len(data),
                              sha256=hashlib.sha256(data).hexdigest(), data=data,
                              uploaded_by=getattr(caller, "user_id", None))
        session.add(row)
        session.flush()
        audit.record(session, caller, "evidence", statement, dispute, evidence_id=row.id, sha256=row.sha256)
    return {"id": row.id, "filename": row.filename, "content_type": row.content_type, "size_bytes": row.size_bytes,
            "sha256": row.sha256, "uploaded_at": row.uploaded_at}
