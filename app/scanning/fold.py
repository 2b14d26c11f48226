"""Folding one asset's new scans into its projection: pure, no database.

New scans that all come after the stored ones step the stored projection (`fold_in_order`).
Anything else (a late scan, a stored state this version does not know, an open trip that
cannot be read) refolds the asset's whole stored history with the new scans in their
physical place (`fold_replay`), so late uploads give the same state as in-order arrival.
Either way the answer is an `AssetOutcome`: the final projection and every step taken,
which app/scanning/writer.py turns into rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.lifecycle import Projection, Scan, StepResult, replay, step
from app.domain.states import AssetState, EventStatus, EventType
from app.domain.trips import Trip
from app.scanning.validate import ScanIn


@dataclass
class AssetRow:
    """The columns of an asset the fold needs, as read under a row lock."""

    id: int
    code: str
    alias: str | None
    asset_type_id: str
    state: int
    holder_customer_id: str | None
    holder_since: datetime | None
    site_id: str | None
    home_site_id: str | None
    open_trip_seq: int | None
    trip_count: int
    trips_opened: int
    last_event_at: datetime | None


@dataclass(frozen=True)
class StoredScan:
    """A scan of the asset's stored history: its event row, the scan, its stored status code."""

    event_id: int
    scan: Scan
    status: int


@dataclass(frozen=True)
class Step:
    """One scan folded: either a new scan of this batch or a stored scan a replay refolded."""

    scan: Scan
    result: StepResult
    new: ScanIn | None = None
    stored: StoredScan | None = None
    collects: bool = False  # took a box out of a customer's hands: counts toward return requests

    @property
    def status(self) -> EventStatus:
        return EventStatus.ANOMALY if self.result.anomaly else EventStatus.APPLIED


@dataclass(frozen=True)
class AssetOutcome:
    asset: AssetRow  # as read before the batch
    final: Projection
    steps: tuple[Step, ...]
    replayed: bool  # the whole history was refolded: its derived rows are rewritten

    @property
    def trips(self) -> list[Trip]:
        """The trips the steps closed, in order, then the one left open."""
        closed = [s.result.closed_trip for s in self.steps if s.result.closed_trip is not None]
        return closed + ([self.final.trip] if self.final.trip is not None else [])


_STATE_CODES = frozenset(int(s) for s in AssetState)


def known_state(code: int) -> bool:
    return code in _STATE_CODES


def in_order(asset: AssetRow, new: list[ScanIn]) -> bool:
    """Whether the new scans can step the stored projection: they all come after the stored
    ones, and the stored state is one this version knows."""
    if not known_state(asset.state):
        return False
    return asset.last_event_at is None or min(s.occurred_at for s in new) >= asset.last_event_at


def fold_in_order(asset: AssetRow, start: Projection, new: list[tuple[ScanIn, Scan]]) -> AssetOutcome:
    proj, steps = start, []
    for scan_in, scan in new:
        r = step(proj, scan)
        steps.append(Step(scan, r, new=scan_in, collects=_takes_box(proj, scan)))
        proj = r.projection
    return AssetOutcome(asset, proj, tuple(steps), replayed=False)


def fold_replay(asset: AssetRow, start: Projection, history: list[StoredScan],
                new: list[tuple[ScanIn, Scan]]) -> AssetOutcome:
    """Refold the stored history with the new scans (sorted by time) in their physical place;
    a stored scan comes before a new one of the same instant."""
    merged = [(s.scan.occurred_at, 0, i, s, None) for i, s in enumerate(history)]
    merged += [(scan.occurred_at, 1, i, None, scan_in) for i, (scan_in, scan) in enumerate(new)]
    merged.sort(key=lambda m: m[:3])
    scans = [m[3].scan if m[3] is not None else new[m[2]][1] for m in merged]
    results = replay(scans, start)
    steps, before = [], start
    for i, ((_, _, _, stored, scan_in), scan, r) in enumerate(zip(merged, scans, results)):
        collects = scan_in is not None and _takes_box(before, scan) and not _stored_collect_follows(merged, scans, i)
        steps.append(Step(scan, r, new=scan_in, stored=stored, collects=collects))
        before = r.projection
    final = results[-1].projection if results else start
    return AssetOutcome(asset, final, tuple(steps), replayed=True)


def _takes_box(before: Projection, scan: Scan) -> bool:
    """A collect scan takes a box out of the customer's hands unless the box is already
    on its way back (the same box scanned twice). A collect the state machine did not
    expect (e.g. without a delivery scan) still proves the box left the site."""
    return scan.event is EventType.COLLECT and before.state is not AssetState.IN_RETURN


def _stored_collect_follows(merged: list, scans: list[Scan], i: int) -> bool:
    """Whether the next state-changing scan after merged[i] is an already stored collect:
    then a late collect is the same box's collection, already counted when that one came."""
    for m, scan in zip(merged[i + 1:], scans[i + 1:]):
        if scan.event is EventType.CHECK:
            continue
        return m[3] is not None and scan.event is EventType.COLLECT
    return False
