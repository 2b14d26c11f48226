"""The answer to a batch of scans: one `ScanResult` per scan, in the batch's order."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.domain.lifecycle import Projection
from app.domain.states import AssetState, EventStatus
from app.scanning.fold import AssetRow, known_state

# A stored scan is answered with its EventStatus's name; the other two are never stored.
APPLIED, ANOMALY = EventStatus.APPLIED.label, EventStatus.ANOMALY.label
DUPLICATE, REJECTED = "duplicate", "rejected"


@dataclass(frozen=True)
class ScanResult:
    id: str | None  # as sent when the scan was rejected before its id was read as a UUID
    status: str  # APPLIED, DUPLICATE, ANOMALY or REJECTED
    message: str | None = None  # for REJECTED: "scans[3].code: <problem>"
    field: str | None = None  # for REJECTED: the field at fault, e.g. "scans[3].code"
    asset: dict | None = None  # the asset the scan named, as it stands after the batch

    def as_json(self) -> dict:
        out = {"id": self.id, "status": self.status, "message": self.message}
        if self.asset is not None:
            out["asset"] = self.asset
        return out


@dataclass(frozen=True)
class BatchResult:
    scans: tuple[ScanResult, ...]

    @property
    def summary(self) -> dict[str, int]:
        """How many scans ended in each status (in order of first appearance)."""
        return dict(Counter(s.status for s in self.scans))

    @property
    def all_rejected(self) -> bool:
        return all(s.status == REJECTED for s in self.scans)

    @property
    def first_rejection(self) -> ScanResult | None:
        return next((s for s in self.scans if s.status == REJECTED), None)

    def results(self) -> list[dict]:
        return [s.as_json() for s in self.scans]


def asset_view(row: AssetRow, final: Projection | None) -> dict:
    """An asset as the answer shows it: its projection after the batch, if the batch moved
    it, else its row as read."""
    if final is None:
        state = AssetState(row.state).label if known_state(row.state) else str(row.state)
        return {"code": row.code, "state": state, "holder": row.holder_customer_id, "site": row.site_id,
                "trip_count": row.trip_count, "open_trip": row.open_trip_seq}
    return {"code": row.code, "state": final.state.label, "holder": final.holder_customer_id,
            "site": final.site.site_id if final.site else None, "trip_count": final.trip_count,
            "open_trip": final.trip.seq if final.trip else None}
