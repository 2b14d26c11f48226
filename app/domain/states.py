"""Asset states and scan events with stable, gapped integer codes.

Codes are stored in the database and exported, so they never change meaning; the gaps
leave room for states that a later version needs (e.g. a "quarantine" between 60 and 70)
without renumbering history.
"""
from __future__ import annotations

from enum import IntEnum


class AssetState(IntEnum):
    AVAILABLE = 10  # clean, inspected, in stock at a depot
    IN_DEPOT_TRANSFER = 15  # empty, on its way from one depot to another (rebalancing)
    ISSUED = 20  # allocated to a customer, leaving the depot
    AT_CUSTOMER = 30  # delivered, in use at a customer site
    IN_RETURN = 40  # collected from a customer, on its way back
    RECEIVED = 50  # back at a depot, waiting for sorting and cleaning
    CLEANED = 60  # washed, waiting for inspection
    DAMAGED = 70  # failed inspection or reported damaged, waiting for repair
    REPAIRED = 75  # repaired, waiting for the quality check
    LOST = 80  # declared lost; may be found again
    RETIRED = 90  # scrapped or recycled: terminal

    @property
    def label(self) -> str:
        return self.name.lower()


class EventType(IntEnum):
    ISSUE = 110  # depot hands the asset to a customer's order: opens a trip
    DELIVER = 120  # driver delivers at the customer site
    TRANSFER = 130  # customer passes it on to another customer: trip stays open
    COLLECT = 140  # driver collects it at a customer site
    RECEIVE = 150  # depot receives it: closes the trip
    CLEAN = 160
    INSPECT_PASS = 170
    INSPECT_FAIL = 175
    REPAIR = 180
    DAMAGE = 185  # damage reported outside an inspection
    DISPATCH = 190  # empty sent to another depot (rebalancing)
    CHECK = 195  # stock count / sighting: proves location, changes no state
    LOSE = 200  # declared lost
    FIND = 205  # a lost asset turns up again
    SCRAP = 210
    RECYCLE = 215

    @property
    def label(self) -> str:
        return self.name.lower()


# Names used in the API. The two inspection outcomes are separate events so that a
# handheld can record them with one tap each.
EVENT_NAMES: dict[str, EventType] = {e.label: e for e in EventType}
STATE_NAMES: dict[str, AssetState] = {s.label: s for s in AssetState}

# States in which a customer is accountable for the asset (its balance).
HELD_BY_CUSTOMER = frozenset({AssetState.ISSUED, AssetState.AT_CUSTOMER})
TERMINAL = frozenset({AssetState.RETIRED})

# GS1 CBV 2.0 bizStep and disposition for each event, for EPCIS 2.0 export. CBV has no
# cleaning step, so cleaning uses our own URI (allowed by CBV for extensions).
OWN_VOCAB = "https://circularity.example.org/voc/"
EPCIS_MAPPING: dict[EventType, tuple[str, str]] = {
    EventType.ISSUE: ("shipping", "in_transit"),
    EventType.DELIVER: ("receiving", "in_progress"),
    EventType.TRANSFER: ("receiving", "in_progress"),
    EventType.COLLECT: ("shipping", "returned"),
    EventType.RECEIVE: ("receiving", "returned"),
    EventType.CLEAN: (OWN_VOCAB + "bizstep-cleaning", "unavailable"),
    EventType.INSPECT_PASS: ("inspecting", "available"),
    EventType.INSPECT_FAIL: ("inspecting", "damaged"),
    EventType.REPAIR: ("repairing", "conformant"),
    EventType.DAMAGE: ("inspecting", "damaged"),
    EventType.DISPATCH: ("shipping", "in_transit"),
    EventType.CHECK: ("cycle_counting", "active"),
    EventType.LOSE: ("inspecting", "unknown"),
    EventType.FIND: ("inspecting", "active"),
    EventType.SCRAP: ("destroying", "destroyed"),
    EventType.RECYCLE: ("decommissioning", "disposed"),
}


class EventStatus(IntEnum):
    """What ingestion concluded about a stored scan (scan_events.status). A replay may
    change it; the scan itself is never deleted."""

    APPLIED = 1  # the state machine allowed the scan
    ANOMALY = 2  # stored anyway, the asset moved to where the scan proves it is; listed for review

    @property
    def label(self) -> str:
        return self.name.lower()
