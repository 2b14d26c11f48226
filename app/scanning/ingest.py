"""Scan ingestion: judge each scan, fold each asset's new scans, store them. One transaction.

Semantics (docs/api.md):
- Each scan is judged on its own; a bad scan is `rejected` with the field it names and
  never stops the others.
- A scan id stored before, or accepted earlier in the same batch, is a `duplicate` and
  changes nothing; the same id carrying a different scan is `rejected` (field `id`).
  The database decides what is stored.
- Inactive sites and customers stay resolvable for stored history; only new scans at
  them (or naming them) are rejected.
- Whatever goes wrong while folding or writing one asset's scans rejects those scans
  only; the rest of the batch is stored.
- A well-formed scan is always stored. If the state machine does not allow it, it is
  stored as an `anomaly` and still moves the asset to where the scan proves it is.
- A scan older than the asset's latest stored scan triggers a replay of the asset's whole
  history in physical order, so late uploads give the same state as in-order arrival.

The path of a batch: app/scanning/validate.py parses each item; then, in one transaction
of the store (app/scanning/store.py), the assets are locked, resubmissions answered from
the stored scans, sites, customers and the caller's role checked (app/scanning/judge.py);
each asset's new scans are folded (app/scanning/fold.py) and written
(app/scanning/writer.py), and collect scans counted toward return requests.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timezone

from app.accounts.auth import Principal
from app.domain.lifecycle import Projection, Scan
from app.scanning import fold, judge, writer
from app.scanning.errors import DuplicateScanId, HistoryError, StoreRefused
from app.scanning.judge import Pending
from app.scanning.results import BatchResult, asset_view
from app.scanning.store import ScanStore, SqlStore, fresh_projection, projection_of
from app.scanning.validate import Limits, parse

log = logging.getLogger(__name__)


def ingest(principal: Principal, items: list, settings, store: ScanStore | None = None) -> BatchResult:
    """Judge and store a batch. `store`: app/scanning/store.py's SqlStore unless given."""
    store = store if store is not None else SqlStore()
    limits = Limits.of(settings)
    pending = [Pending.of(i, parse(raw, limits)) for i, raw in enumerate(items)]
    rows, finals = _store(store, principal, pending)
    views = {asset_id: asset_view(row, finals.get(asset_id)) for asset_id, row in rows.items()}
    return BatchResult(tuple(p.result(views) for p in pending))


def _store(store: ScanStore, principal: Principal, pending: list[Pending]) -> tuple[dict, dict[int, Projection]]:
    """Store the batch in one transaction. If the database refuses what the batch writes
    (a scan id a concurrent batch just committed, or a value it will not hold), the
    transaction is rolled back and the batch judged again: as a whole when the refusal
    was a concurrent scan id (now seen as stored), then asset by asset in savepoints, so
    only the scans of the asset the database refuses are rejected."""
    saved = [p.verdict() for p in pending]
    isolate = False
    for attempt in range(3):
        try:
            return _store_once(store, principal, pending, isolate)
        except StoreRefused as exc:
            if attempt == 2:
                raise
            log.warning("scan batch refused by the database (%s); judging it again%s", exc.__class__.__name__,
                        " asset by asset" if attempt or not isinstance(exc, DuplicateScanId) else "")
            for p, verdict in zip(pending, saved):
                p.restore(verdict)
            isolate = attempt == 1 or not isinstance(exc, DuplicateScanId)
    raise AssertionError("unreachable")


def _store_once(store: ScanStore, principal: Principal, pending: list[Pending], isolate: bool):
    with store.transaction():
        rows = judge.find_assets(store, pending)
        judge.answer_resubmissions(pending, store.stored_scans([p.scan.id for p in pending if p.status is None]))
        sites = store.sites()
        live = judge.check_references(principal, pending, sites)
        repeats = judge.mark_batch_duplicates(live)
        live = [p for p in live if p.status is None]
        finals, collections = _fold(store, principal, live, rows, sites, isolate)
        store.settle(collections)
        judge.follow_first_occurrences(pending, repeats)
        return rows, finals


def _fold(store: ScanStore, principal: Principal, live: list[Pending], assets: dict, sites, isolate: bool):
    """Fold each asset's new scans and write the results; returns the final projections of
    the assets written and the collect scans that count toward return requests. Each asset
    is folded on its own: a failure rejects that asset's scans only. In isolated mode each
    asset is also written in its own savepoint."""
    by_asset: dict[int, list[Pending]] = defaultdict(list)
    for p in live:
        by_asset[p.asset_id].append(p)
    for ps in by_asset.values():
        ps.sort(key=lambda p: p.scan.occurred_at)  # stable: batch order breaks ties
    sites.load_sites([s for a in by_asset for s in (assets[a].site_id, assets[a].home_site_id)])
    now = datetime.now(timezone.utc)
    if not isolate:
        outcomes = _fold_assets(store, by_asset, assets, sites)
        collections = writer.write(store.tables, outcomes, principal.user_id, now)
        return _settle_statuses(outcomes, live), collections
    finals, collections = {}, []
    for asset_id, ps in by_asset.items():
        # Derived rows that disagree with the log (e.g. a trip number taken twice) are
        # rebuilt by a replay; only what the database refuses even then is rejected.
        for rebuild in (False, True):
            try:
                with store.savepoint():
                    outcomes = _fold_assets(store, {asset_id: ps}, assets, sites, rebuild)
                    written = writer.write(store.tables, outcomes, principal.user_id, now)
            except StoreRefused as exc:
                code = assets[asset_id].code
                log.warning("scans of asset %s refused by the database%s: %s", code,
                            " after a rebuild" if rebuild else "", exc)
                if rebuild:
                    _refuse(ps, f"asset {code}: the database refused this asset's scans "
                                f"({(exc.__cause__ or exc).__class__.__name__}); nothing was stored for it")
                continue
            collections += written
            finals |= _settle_statuses(outcomes, ps)
            break
    return finals, collections


def _fold_assets(store: ScanStore, by_asset: dict[int, list[Pending]], assets: dict, sites,
                 rebuild: bool = False) -> list[fold.AssetOutcome]:
    in_order = [] if rebuild else [a for a, ps in by_asset.items() if fold.in_order(assets[a], [p.scan for p in ps])]
    open_trips, unreadable = store.open_trips([assets[a] for a in in_order], sites)
    replay_ids = set(by_asset) - set(in_order) | unreadable
    outcomes = []
    for asset_id, ps in by_asset.items():
        asset = assets[asset_id]
        try:
            history = store.history(asset_id, sites) if asset_id in replay_ids else None
        except HistoryError as err:
            _refuse(ps, f"asset {asset.code} cannot take new scans: {err}; its stored history is kept for review")
            continue
        try:
            new = [(p.scan, Scan(p.scan.event, p.scan.occurred_at, sites.site(p.scan.site), p.scan.customer))
                   for p in ps]
            if history is None:
                outcome = fold.fold_in_order(asset, projection_of(asset, open_trips.get(asset_id), sites), new)
            else:
                outcome = fold.fold_replay(asset, fresh_projection(asset, sites), history, new)
        except Exception:  # a defect must cost this asset's scans, not the batch
            log.exception("folding the scans of asset %s failed", asset.code)
            _refuse(ps, f"asset {asset.code}: this scan could not be applied to the asset's history (an internal "
                        "error, logged); nothing was stored for it")
            continue
        outcomes.append(outcome)
    return outcomes


def _settle_statuses(outcomes: list[fold.AssetOutcome], ps: list[Pending]) -> dict[int, Projection]:
    """Once written, each new scan is `applied` or `anomaly`; returns the assets' final projections."""
    by_id = {p.scan.scan_id: p for p in ps}
    for o in outcomes:
        for s in o.steps:
            if s.new is not None:
                p = by_id[s.new.scan_id]
                p.status, p.message = s.status.label, s.result.anomaly
    return {o.asset.id: o.final for o in outcomes}


def _refuse(ps: list[Pending], problem: str) -> None:
    for p in ps:
        p.reject("code", problem)
