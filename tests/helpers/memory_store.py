"""An in-memory scan store: app/scanning/store.py's SqlStore and app/scanning/writer.py's
`Tables` over plain dicts, for unit tests of ingestion without a database.

It keeps what the database keeps (assets, scan events with unique scan ids, trips unique
per asset and number, custody moves, anomalies, balance counters, collections counted),
rolls a transaction or savepoint back on any error, and can play a concurrent batch that
commits just before this one inserts (`commit_first`) or a database that refuses one
asset's rows (`refuse_asset`).
"""
from __future__ import annotations

import copy
import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from app.catalog.sitecache import SiteCache
from app.domain.lifecycle import Scan, SitePoint
from app.domain.states import EventType
from app.domain.trips import Trip, TripLeg
from app.scanning.errors import DuplicateScanId, HistoryError, StoreRefused
from app.scanning.fold import AssetRow, StoredScan


@dataclass
class Rows:
    assets: dict[int, AssetRow] = field(default_factory=dict)
    events: dict[int, dict] = field(default_factory=dict)
    trips: dict[tuple[int, int], dict] = field(default_factory=dict)
    moves: list[dict] = field(default_factory=list)
    anomalies: dict[int, dict] = field(default_factory=dict)  # by scan event id
    balances: dict[tuple, int] = field(default_factory=dict)
    collections: list[dict] = field(default_factory=list)


class MemorySites(SiteCache):
    """SiteCache's rules over the store's sites and customers instead of a session."""

    def __init__(self, sites: dict[str, tuple[SitePoint, bool]], customers: dict[str, bool]):
        super().__init__(None)
        self._all_sites, self._all_customers = sites, customers

    def load_sites(self, ids) -> None:
        for i in set(ids) - {None} - set(self.sites):
            point, active = self._all_sites.get(i, (None, True))
            self.sites[i] = point
            if point is not None and not active:
                self.inactive_sites.add(i)

    def load_customers(self, ids) -> None:
        for i in set(ids) - {None} - set(self.customers):
            self.customers[i] = self._all_customers.get(i)


class MemoryStore:
    def __init__(self, sites: dict[str, tuple[SitePoint, bool]], customers: dict[str, bool]):
        self.site_rows, self.customer_rows = sites, customers
        self.data = Rows()
        self._snapshots: list[Rows] = []
        self._ids = itertools.count(1)
        self.commit_first: list[dict] = []  # event rows a concurrent batch commits before our insert
        self.refuse_asset: int | None = None  # the database refuses this asset's rows
        self.transactions = 0

    @property
    def tables(self) -> MemoryStore:
        return self

    def add_asset(self, code: str, home_site_id: str, asset_type_id: str = "ibc", alias: str | None = None) -> AssetRow:
        asset_id = len(self.data.assets) + 1
        self.data.assets[asset_id] = AssetRow(asset_id, code, alias, asset_type_id, 10, None, None, home_site_id,
                                              home_site_id, None, 0, 0, None)
        return self.data.assets[asset_id]

    # ---- transactions

    @contextmanager
    def transaction(self):
        self.transactions += 1
        with self.savepoint():
            yield

    @contextmanager
    def savepoint(self):
        self._snapshots.append(copy.deepcopy(self.data))
        try:
            yield
        except BaseException:
            self.data = self._snapshots.pop()
            raise
        self._snapshots.pop()

    # ---- reads

    def sites(self) -> MemorySites:
        return MemorySites(self.site_rows, self.customer_rows)

    def lock_assets(self, codes: list[str], aliases: list[str]) -> list[AssetRow]:
        return [replace(a) for _, a in sorted(self.data.assets.items()) if a.code in codes or a.alias in aliases]

    def stored_scans(self, scan_ids: list) -> dict[str, tuple]:
        wanted = {str(i) for i in scan_ids}
        return {str(e["scan_id"]): (e["asset_id"], e["event"], e["occurred_at"], e["site_id"], e["customer_id"])
                for e in self.data.events.values() if str(e["scan_id"]) in wanted}

    def open_trips(self, assets: list[AssetRow], sites: SiteCache) -> tuple[dict[int, Trip], set[int]]:
        out = {}
        for a in assets:
            row = self.data.trips.get((a.id, a.open_trip_seq))
            if row is not None and row["closed_at"] is None:
                legs = tuple(TripLeg(leg["customer_id"], sites.site(leg["site_id"]),
                                     datetime.fromisoformat(leg["arrived_at"])) for leg in row["legs"])
                out[a.id] = Trip(seq=row["seq"], opened_at=row["opened_at"], origin=sites.site(row["origin_site_id"]),
                                 legs=legs, collected_at=row["collected_at"])
        return out, {a.id for a in assets if a.open_trip_seq is not None} - set(out)

    def history(self, asset_id: int, sites: SiteCache) -> list[StoredScan]:
        rows = sorted(((e["occurred_at"], i, e) for i, e in self.data.events.items() if e["asset_id"] == asset_id),
                      key=lambda t: t[:2])
        out = []
        for _, event_id, e in rows:
            if e["event"] not in EventType._value2member_map_:
                raise HistoryError(f"its stored scan {event_id} has event code {e['event']}, unknown to this version")
            out.append(StoredScan(event_id, Scan(EventType(e["event"]), e["occurred_at"], sites.site(e["site_id"]),
                                                 e["customer_id"]), e["status"]))
        return out

    def settle(self, collections: list[dict]) -> None:
        self.data.collections += collections

    # ---- the writer's statements (app/scanning/writer.py's Tables)

    def insert_events(self, rows: list[dict]) -> list[int]:
        for row in self.commit_first:  # another batch commits first: into every snapshot too
            for data in (self.data, *self._snapshots):
                data.events[next(self._ids)] = dict(row)
        self.commit_first = []
        stored = {e["scan_id"] for e in self.data.events.values()}
        if any(r["scan_id"] in stored for r in rows):
            raise DuplicateScanId("scan id stored already")
        self._refuse(rows)
        ids = [next(self._ids) for _ in rows]
        self.data.events.update({i: dict(r) for i, r in zip(ids, rows)})
        return ids

    def forget_derived(self, asset_ids: list[int]) -> None:
        self.data.trips = {k: t for k, t in self.data.trips.items() if k[0] not in asset_ids}
        self.data.moves = [m for m in self.data.moves if m["asset_id"] not in asset_ids]

    def set_event_status(self, rows: list[dict]) -> None:
        for r in rows:
            self.data.events[r["id"]].update(status=r["status"], anomaly_reason=r["anomaly_reason"])

    def clear_anomalies(self, event_ids: list[int]) -> None:
        for i in event_ids:
            if i in self.data.anomalies and self.data.anomalies[i].get("resolved_at") is None:
                self.data.anomalies[i]["cleared_by_replay"] = True

    def insert_trips(self, rows: list[dict]) -> None:
        self._refuse(rows)
        for r in rows:
            if (r["asset_id"], r["seq"]) in self.data.trips:
                raise StoreRefused(f"trip {r['seq']} of asset {r['asset_id']} exists")
            self.data.trips[r["asset_id"], r["seq"]] = dict(r)

    def update_trips(self, rows: list[dict]) -> None:
        for r in rows:
            self.data.trips[r["asset_id"], r["seq"]].update(r)

    def insert_moves(self, rows: list[dict]) -> None:
        self.data.moves += [dict(r) for r in rows]

    def put_anomalies(self, rows: list[dict]) -> None:
        for r in rows:
            kept = self.data.anomalies.setdefault(r["scan_event_id"], {**r, "cleared_by_replay": False})
            kept.update(reason=r["reason"], cleared_by_replay=False)

    def add_to_balances(self, rows: list[dict]) -> None:
        for r in rows:
            key = (r["customer_id"], r["asset_type_id"], r["site_id"], r["since_day"])
            self.data.balances[key] = self.data.balances.get(key, 0) + r["count"]

    def update_assets(self, rows: list[dict]) -> None:
        for r in rows:
            asset = self.data.assets[r["id"]]
            for name, value in r.items():
                setattr(asset, name, value)

    def _refuse(self, rows: list[dict]) -> None:
        if any(r.get("asset_id") == self.refuse_asset for r in rows):
            raise StoreRefused(f"asset {self.refuse_asset} refused")
