"""Scan ingestion against an in-memory store (tests/helpers/memory_store.py): the verdicts,
the typed answer and what gets written, with no database. The same behaviour over
PostgreSQL is tests/integration/test_scan_input.py, test_idempotency.py and friends."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from app.accounts.auth import Principal
from app.domain.lifecycle import SitePoint
from app.domain.states import EventStatus
from app.scanning.ingest import ingest
from labels.grai import make_grai
from tests.helpers.memory_store import MemoryStore

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
SETTINGS = SimpleNamespace(future_tolerance_s=300)
ADMIN = Principal(user_id=1, name="admin", role="admin", customer_id=None)
DRIVER = Principal(user_id=2, name="driver", role="driver", customer_id=None)
CODES = [make_grai("4012345", "12345", str(1000 + n)).ai_value for n in range(3)]


@pytest.fixture
def store() -> MemoryStore:
    sites = {"depot-a": (SitePoint("depot-a", "depot", 51.43, 6.76), True),
             "depot-b": (SitePoint("depot-b", "depot", 50.90, 6.92), True),
             "old-depot": (SitePoint("old-depot", "depot", 50.0, 7.0), False),
             "acme-site": (SitePoint("acme-site", "customer", 51.03, 6.98, "acme"), True)}
    memory = MemoryStore(sites, {"acme": True, "globex": False})
    for code in CODES:
        memory.add_asset(code, "depot-a")
    return memory


def scan(n: int, event: str, site: str, at: datetime, customer: str | None = None, **extra) -> dict:
    item = {"id": str(uuid.uuid4()), "code": f"(8003){CODES[n]}", "event": event, "site": site,
            "occurred_at": at.isoformat(), **extra}
    return {**item, "customer": customer} if customer else item


def trip(n: int, start: datetime = T0) -> list[dict]:
    steps = [("issue", "depot-a", "acme"), ("deliver", "acme-site", None), ("collect", "acme-site", None),
             ("receive", "depot-a", None)]
    return [scan(n, ev, site, start + timedelta(hours=i), cust) for i, (ev, site, cust) in enumerate(steps)]


def statuses(result) -> list[str]:
    return [s.status for s in result.scans]


def test_a_trip_in_order_is_applied_and_written(store):
    batch = trip(0)
    result = ingest(ADMIN, batch, SETTINGS, store)
    assert statuses(result) == ["applied"] * 4 and result.summary == {"applied": 4}
    assert not result.all_rejected and result.first_rejection is None
    assert result.scans[-1].asset == {"code": CODES[0], "state": "received", "holder": None, "site": "depot-a",
                                      "trip_count": 1, "open_trip": None}
    events = sorted(store.data.events.values(), key=lambda e: e["occurred_at"])
    assert [str(e["scan_id"]) for e in events] == [s["id"] for s in batch]
    assert {e["status"] for e in events} == {EventStatus.APPLIED} and {e["user_id"] for e in events} == {1}
    assert [(m["kind"], m["delta"]) for m in store.data.moves] == [("issued", 1), ("returned", -1)]
    assert [t["outcome"] for t in store.data.trips.values()] == ["completed"]
    assert store.data.balances == {}  # no customer holds it before or after the batch
    assert [c["site_id"] for c in store.data.collections] == ["acme-site"]
    assert store.data.assets[1].state == 50 and store.data.assets[1].trip_count == 1


def test_a_batch_in_two_parts_keeps_the_open_trip_row(store):
    first, second = trip(0)[:2], trip(0)[2:]
    ingest(ADMIN, first, SETTINGS, store)
    assert [t["outcome"] for t in store.data.trips.values()] == ["open"]
    assert store.data.balances == {("acme", "ibc", "acme-site", T0.date()): 1}
    assert statuses(ingest(ADMIN, second, SETTINGS, store)) == ["applied", "applied"]
    assert [(k, t["outcome"]) for k, t in store.data.trips.items()] == [((1, 1), "completed")]
    assert store.data.balances == {("acme", "ibc", "acme-site", T0.date()): 0}


def test_resubmission_is_a_duplicate_and_other_content_under_a_stored_id_is_rejected(store):
    batch = trip(0)
    ingest(ADMIN, batch, SETTINGS, store)
    before = len(store.data.events)
    again = ingest(ADMIN, batch, SETTINGS, store)
    assert again.summary == {"duplicate": 4}
    assert {s.message for s in again.scans} == {"scan id already recorded"}
    other = ingest(ADMIN, [{**batch[0], "site": "depot-b"}], SETTINGS, store)
    assert other.all_rejected and other.first_rejection.field == "scans[0].id"
    assert other.first_rejection.message == ("scans[0].id: scan id already recorded for a different scan "
                                             "(site differ); a new scan needs a new id")
    assert len(store.data.events) == before


def test_every_scan_rejected_names_the_first_field(store):
    batch = [scan(0, "check", "nowhere", T0), scan(1, "issue", "depot-a", T0, "globex"),
             scan(2, "check", "old-depot", T0), {**scan(0, "check", "depot-a", T0), "code": "unknown-7"},
             scan(0, "issue", "depot-a", T0, "acme"), "not an object"]
    result = ingest(DRIVER, batch, SETTINGS, store)
    assert result.all_rejected and result.summary == {"rejected": 6}
    assert [s.field for s in result.scans] == ["scans[0].site", "scans[1].customer", "scans[2].site", "scans[3].code",
                                               "scans[4].event", "scans[5]."]
    assert result.first_rejection.message == "scans[0].site: unknown site 'nowhere'"
    assert result.scans[2].message == ("scans[2].site: site 'old-depot' is inactive: reactivate it to record new scans "
                                       "there")
    assert result.scans[4].message == "scans[4].event: role driver may not record issue"
    assert result.scans[0].asset["state"] == "available"  # the asset named, as it stands
    assert store.data.events == {} and store.transactions == 1


def test_a_repeat_follows_the_fate_of_its_first_occurrence(store):
    good = scan(0, "check", "depot-a", T0)
    rejected_first = {**good, "id": str(uuid.uuid4()), "site": "nowhere"}
    result = ingest(ADMIN, [good, dict(good), rejected_first, {**rejected_first, "site": "depot-a"},
                            {**good, "site": "depot-b"}], SETTINGS, store)
    assert statuses(result) == ["applied", "duplicate", "rejected", "applied", "rejected"]
    assert result.scans[1].message == "scan id repeated in this batch"
    assert result.scans[4].message.startswith("scans[4].id: scan id already used earlier in this batch (scans[0]) for "
                                              "a different scan (site differ)")
    assert len(store.data.events) == 2


def test_a_late_collect_replays_the_history_and_clears_the_anomaly(store):
    issue, deliver, collect, receive = trip(0)
    first = ingest(ADMIN, [issue, deliver, receive], SETTINGS, store)
    assert statuses(first) == ["applied", "applied", "anomaly"]
    anomaly_event = next(i for i, e in store.data.events.items() if e["status"] == EventStatus.ANOMALY)
    assert store.data.anomalies[anomaly_event]["cleared_by_replay"] is False
    late = ingest(ADMIN, [collect], SETTINGS, store)
    assert statuses(late) == ["applied"]
    assert {e["status"] for e in store.data.events.values()} == {EventStatus.APPLIED}
    assert store.data.anomalies[anomaly_event]["cleared_by_replay"] is True
    assert late.scans[0].asset["state"] == "received" and late.scans[0].asset["trip_count"] == 1
    assert [(m["kind"], m["delta"]) for m in store.data.moves] == [("issued", 1), ("returned", -1)]
    assert [c["scan_event_id"] for c in store.data.collections] == [max(store.data.events)]


def test_an_id_a_concurrent_batch_committed_first_is_a_duplicate(store):
    batch = trip(0) + [scan(1, "check", "depot-a", T0)]
    raced = batch[-1]
    store.commit_first = [{"scan_id": uuid.UUID(raced["id"]), "asset_id": 2, "event": 195, "occurred_at": T0,
                           "site_id": "depot-a", "customer_id": None, "status": 1, "anomaly_reason": None}]
    result = ingest(ADMIN, batch, SETTINGS, store)
    assert statuses(result) == ["applied", "applied", "applied", "applied", "duplicate"]
    assert store.transactions == 2  # refused once (DuplicateScanId), judged again as a whole
    assert sorted(str(e["scan_id"]) for e in store.data.events.values()) == sorted(s["id"] for s in batch)


def test_what_the_store_refuses_costs_only_that_asset(store):
    store.refuse_asset = 2
    batch = [scan(0, "check", "depot-a", T0), scan(1, "check", "depot-a", T0), scan(2, "check", "depot-b", T0)]
    result = ingest(ADMIN, batch, SETTINGS, store)
    assert statuses(result) == ["applied", "rejected", "applied"]
    assert result.scans[1].message == (f"scans[1].code: asset {CODES[1]}: the database refused this asset's scans "
                                       "(StoreRefused); nothing was stored for it")
    assert result.scans[1].asset["state"] == "available"
    assert sorted(e["asset_id"] for e in store.data.events.values()) == [1, 3]


def test_an_asset_whose_history_cannot_be_folded_refuses_only_its_scans(store):
    ingest(ADMIN, [scan(0, "check", "depot-a", T0 + timedelta(hours=2))], SETTINGS, store)
    store.data.events[99] = {"scan_id": uuid.uuid4(), "asset_id": 1, "event": 999, "occurred_at": T0,
                             "site_id": "depot-a", "customer_id": None, "status": 1}
    late = [scan(0, "check", "depot-a", T0 + timedelta(hours=1)), scan(1, "check", "depot-a", T0)]
    result = ingest(ADMIN, late, SETTINGS, store)
    assert statuses(result) == ["rejected", "applied"]
    assert result.scans[0].message == (f"scans[0].code: asset {CODES[0]} cannot take new scans: its stored scan 99 "
                                       "has event code 999, unknown to this version; its stored history is kept for "
                                       "review")
