"""Scan ingestion's transaction on the database: what it reads, and what it refuses.

`SqlStore` is what app/scanning/ingest.py works against (tests/unit/scanning has an
in-memory one): a transaction and savepoints, the batch's assets under row locks, the
stored scans among the batch's ids, open trips and histories for the fold, and the
statements of app/scanning/sql.py for the writer. A refusal of the database (a value it
will not hold, a row that contradicts another) leaves the store as a domain error of
app/scanning/errors.py: `DuplicateScanId` when a scan id is stored already.
"""
from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import psycopg
from psycopg.errors import UniqueViolation
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from app.assets.models import Asset
from app.assets.models import Trip as TripRow
from app.domain.lifecycle import Projection, Scan
from app.domain.states import AssetState, EventType
from app.domain.trips import Trip, TripLeg
from app.pickups import services as return_requests
from app.platform.db import get_session, in_values, unit_of_work
from app.scanning.errors import DuplicateScanId, HistoryError, StoreRefused
from app.scanning.fold import AssetRow, StoredScan
from app.scanning.models import ScanEvent
from app.scanning.sql import tables_for
from app.scanning.writer import Tables

if TYPE_CHECKING:  # pragma: no cover
    from app.catalog.sitecache import SiteCache

__all__ = ["ScanStore", "SqlStore", "projection_of", "fresh_projection"]

ASSET_COLUMNS = [getattr(Asset, f) for f in AssetRow.__dataclass_fields__]

# What the database answers when it refuses the data (not a lost connection or a bug in
# the SQL): COPY runs on the driver's connection, so psycopg's own errors appear too.
_REFUSALS = (IntegrityError, DataError, psycopg.IntegrityError, psycopg.DataError)
SCAN_ID_CONSTRAINT = "uq_scan_events_scan_id"  # migrations/versions/0001_initial_schema.py


def _refusal(exc: Exception) -> StoreRefused:
    driver = exc.orig if isinstance(exc, (IntegrityError, DataError)) else exc
    if isinstance(driver, UniqueViolation) and driver.diag.constraint_name == SCAN_ID_CONSTRAINT:
        return DuplicateScanId(str(driver))
    if isinstance(driver, sqlite3.IntegrityError) and "scan_events.scan_id" in str(driver):
        return DuplicateScanId(str(driver))
    return StoreRefused(f"{exc.__class__.__name__}: {driver}")


@contextmanager
def _translated():
    try:
        yield
    except _REFUSALS as exc:
        raise _refusal(exc) from exc


class ScanStore(Protocol):
    """What ingestion needs from storage; SqlStore below, or tests/helpers/memory_store.py."""

    tables: Tables  # the writer's statements

    def transaction(self) -> AbstractContextManager:
        """Commits on success, rolls back on any error; the database's refusals leave it as StoreRefused."""

    def savepoint(self) -> AbstractContextManager: ...

    def sites(self) -> SiteCache: ...

    def lock_assets(self, codes: list[str], aliases: list[str]) -> list[AssetRow]: ...

    def stored_scans(self, scan_ids: list) -> dict[str, tuple]: ...

    def open_trips(self, assets: list[AssetRow], sites: SiteCache) -> tuple[dict[int, Trip], set[int]]: ...

    def history(self, asset_id: int, sites: SiteCache) -> list[StoredScan]: ...

    def settle(self, collections: list[dict]) -> None: ...


class SqlStore:
    """One request's scan transaction, on the request's session."""

    def __init__(self):
        self.session = get_session()
        self.tables = tables_for(self.session)

    @contextmanager
    def transaction(self):
        """Commits on success; rolls back on any error."""
        with _translated(), unit_of_work():
            yield

    @contextmanager
    def savepoint(self):
        with _translated(), self.session.begin_nested():
            yield

    def sites(self) -> SiteCache:
        from app.catalog.sitecache import SiteCache

        return SiteCache(self.session)

    def lock_assets(self, codes: list[str], aliases: list[str]) -> list[AssetRow]:
        """Lock the batch's assets in id order, so concurrent batches cannot deadlock."""
        cond = in_values(self.session, Asset.code, codes) if codes else None
        if aliases:
            alias_cond = in_values(self.session, Asset.alias, aliases)
            cond = alias_cond if cond is None else cond | alias_cond
        if cond is None:
            return []
        stmt = select(*ASSET_COLUMNS).where(cond).order_by(Asset.id).with_for_update()
        return [AssetRow(*row) for row in self.session.execute(stmt)]

    def stored_scans(self, scan_ids: list) -> dict[str, tuple]:
        """Stored scans among these ids: scan id -> (asset id, event, occurred_at, site, customer)."""
        if not scan_ids:
            return {}
        found = self.session.execute(
            select(ScanEvent.scan_id, ScanEvent.asset_id, ScanEvent.event, ScanEvent.occurred_at, ScanEvent.site_id,
                   ScanEvent.customer_id).where(in_values(self.session, ScanEvent.scan_id, scan_ids)))
        return {str(r[0]): tuple(r[1:]) for r in found}

    def open_trips(self, assets: list[AssetRow], sites: SiteCache) -> tuple[dict[int, Trip], set[int]]:
        """The open trips of in-order assets, and the ids of assets whose stored open trip
        cannot be read (missing, or legs not in the shape this version writes): the caller
        rebuilds those from the event log instead of failing the batch."""
        wanted = {a.id: a.open_trip_seq for a in assets if a.open_trip_seq is not None}
        if not wanted:
            return {}, set()
        rows = self.session.execute(
            select(TripRow.asset_id, TripRow.seq, TripRow.opened_at, TripRow.origin_site_id, TripRow.legs,
                   TripRow.collected_at)
            .where(in_values(self.session, TripRow.asset_id, list(wanted)), TripRow.closed_at.is_(None))
        ).all()
        site_ids = [r.origin_site_id for r in rows]
        for r in rows:
            for leg in r.legs if isinstance(r.legs, list) else ():
                if isinstance(leg, dict) and isinstance(leg.get("site_id"), str):
                    site_ids.append(leg["site_id"])
        sites.load_sites(site_ids)
        out, unreadable = {}, set()
        for r in rows:
            if wanted.get(r.asset_id) != r.seq or r.asset_id in out:
                unreadable.add(r.asset_id)  # not the trip the asset row points at, or two open trips
                continue
            try:
                legs = tuple(_leg(leg, sites) for leg in r.legs)
            except (KeyError, TypeError, ValueError):
                unreadable.add(r.asset_id)
                continue
            out[r.asset_id] = Trip(seq=r.seq, opened_at=r.opened_at, origin=sites.site(r.origin_site_id), legs=legs,
                                   collected_at=r.collected_at)
        unreadable |= set(wanted) - set(out)
        for asset_id in unreadable:
            out.pop(asset_id, None)
        return out, unreadable

    def history(self, asset_id: int, sites: SiteCache) -> list[StoredScan]:
        """Every stored scan of an asset in physical order. Raises HistoryError for a
        stored scan this version cannot fold."""
        rows = self.session.execute(
            select(ScanEvent.id, ScanEvent.event, ScanEvent.occurred_at, ScanEvent.site_id, ScanEvent.customer_id,
                   ScanEvent.status)
            .where(ScanEvent.asset_id == asset_id)
            .order_by(ScanEvent.occurred_at, ScanEvent.id)
        ).all()
        sites.load_sites(r.site_id for r in rows)
        out = []
        for r in rows:
            try:
                event = EventType(r.event)
            except ValueError:
                raise HistoryError(f"its stored scan {r.id} has event code {r.event}, "
                                   "unknown to this version") from None
            site = sites.site(r.site_id)
            if site is None or r.occurred_at is None:
                raise HistoryError(f"its stored scan {r.id} has no known site or time")
            out.append(StoredScan(r.id, Scan(event, r.occurred_at, site, r.customer_id), r.status))
        return out

    def settle(self, collections: list[dict]) -> None:
        """Count the batch's collect scans toward the return requests waiting at their sites."""
        return_requests.settle_by_collections(self.session, collections)


def _leg(leg: dict, sites: SiteCache) -> TripLeg:
    site_id = leg["site_id"]
    site = sites.site(site_id)
    if site_id is not None and site is None:
        raise ValueError(f"leg at unknown site {site_id!r}")  # keep the reference: rebuild instead
    arrived_at = datetime.fromisoformat(leg["arrived_at"])
    if arrived_at.tzinfo is None or not isinstance(leg["customer_id"], str):
        raise ValueError("leg without an offset or a customer")
    return TripLeg(leg["customer_id"], site, arrived_at)


def projection_of(asset: AssetRow, trip: Trip | None, sites: SiteCache) -> Projection:
    """The stored projection of an asset in a state this version knows."""
    return Projection(state=AssetState(asset.state), holder_customer_id=asset.holder_customer_id,
                      holder_since=asset.holder_since, site=sites.site(asset.site_id), trip=trip,
                      trip_count=asset.trip_count, trips_opened=asset.trips_opened,
                      last_event_at=asset.last_event_at)


def fresh_projection(asset: AssetRow, sites: SiteCache) -> Projection:
    """Where a replay starts: a new asset at its home site."""
    return Projection(site=sites.site(asset.home_site_id))
