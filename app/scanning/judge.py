"""The verdicts on a batch's scans before anything is folded: which asset each names,
which are resubmissions, which name a site, customer or event the caller may not use,
and which repeat an id of the same batch. Each `Pending` carries one scan's verdict."""
from __future__ import annotations

from dataclasses import dataclass

from app.accounts.auth import Principal
from app.domain.policy import check_scan
from app.scanning.fold import AssetRow
from app.scanning.results import DUPLICATE, REJECTED, ScanResult
from app.scanning.validate import Rejection, ScanIn


@dataclass
class Pending:
    """One scan of the batch on its way through ingestion. `status` None: still in the running."""

    index: int
    scan_id: str | None
    scan: ScanIn | None
    status: str | None = None
    message: str | None = None
    field: str | None = None
    asset_id: int | None = None

    @classmethod
    def of(cls, index: int, parsed: ScanIn | Rejection) -> Pending:
        if isinstance(parsed, ScanIn):
            return cls(index, parsed.scan_id, parsed)
        p = cls(index, parsed.scan_id, None)
        p.reject(parsed.field, parsed.problem)
        return p

    def reject(self, field: str, problem: str) -> None:
        self.field = f"scans[{self.index}].{field}"
        self.status, self.message = REJECTED, f"{self.field}: {problem}"

    def verdict(self) -> tuple:
        return self.status, self.message, self.field, self.asset_id

    def restore(self, verdict: tuple) -> None:
        self.status, self.message, self.field, self.asset_id = verdict

    def result(self, assets: dict[int, dict]) -> ScanResult:
        asset = assets.get(self.asset_id) if self.asset_id is not None else None
        return ScanResult(self.scan_id, self.status, self.message, self.field, asset)


def find_assets(store, pending: list[Pending]) -> dict[int, AssetRow]:
    """Lock the assets the well-formed scans name and note each scan's asset; returns the rows by id."""
    candidates = [p for p in pending if p.status is None]
    aliases = sorted({p.scan.lookup[1] for p in candidates if p.scan.lookup[0] == "alias"})
    # A bare AI value (what this API returns as `code`) parses as an alias: try both.
    codes = sorted({p.scan.lookup[1] for p in candidates})
    rows = store.lock_assets(codes, aliases)
    by_code = {r.code: r for r in rows} | {("alias", r.alias): r for r in rows if r.alias}
    for p in candidates:
        kind, value = p.scan.lookup
        row = by_code.get(value) if kind == "code" else by_code.get(p.scan.lookup) or by_code.get(value)
        p.asset_id = row.id if row is not None else None
    return {r.id: r for r in rows}


_CONTENT_FIELDS = ("code", "event", "occurred_at", "site", "customer")


def _content(p: Pending) -> tuple:
    """What makes two scans the same scan, in the order of _CONTENT_FIELDS (and of `stored_scans`)."""
    s = p.scan
    return (p.asset_id, int(s.event), s.occurred_at, s.site, s.customer)


def _differs(a: tuple, b: tuple) -> str:
    return ", ".join(f for f, x, y in zip(_CONTENT_FIELDS, a, b) if x != y)


def answer_resubmissions(pending: list[Pending], stored: dict[str, tuple]) -> None:
    """`stored`: the stored scans among the batch's ids, read under the asset locks (a
    concurrent batch that held them has committed, so its scans are seen). Same id and
    same content: a resubmission (even if its site was deactivated since). Same id, other
    content: a client bug that must not pass as one."""
    for p in pending:
        if p.status is not None or p.scan_id not in stored:
            continue
        differs = _differs(stored[p.scan_id], _content(p))
        if differs:
            p.reject("id", f"scan id already recorded for a different scan ({differs} differ); "
                           "a new scan needs a new id")
        else:
            p.status, p.message = DUPLICATE, "scan id already recorded"


def check_references(principal: Principal, pending: list[Pending], sites) -> list[Pending]:
    """A new scan must name a known asset, happen at an active site and name an active
    customer, with an event the caller's role may record. Inactive sites and customers
    stay resolvable for the history already stored there (see SiteCache). Returns the
    scans still in the running."""
    live = [p for p in pending if p.status is None]
    for p in live:
        if p.asset_id is None:
            p.reject("code", f"unknown asset {p.scan.lookup[1]!r}: register it first")
    live = [p for p in live if p.status is None]
    sites.load_sites(p.scan.site for p in live)
    sites.load_customers(p.scan.customer for p in live if p.scan.customer)
    for p in live:
        problem = sites.site_problem(p.scan.site)
        if problem:
            p.reject("site", problem)
            continue
        customer = p.scan.customer
        problem = sites.customer_problem(customer) if customer is not None else None
        if problem:
            p.reject("customer", problem)
            continue
        problem = check_scan(principal.role, p.scan.event, sites.site(p.scan.site).kind, customer)
        if problem:
            p.reject(*problem)
    return [p for p in live if p.status is None]


def mark_batch_duplicates(live: list[Pending]) -> dict[int, Pending]:
    """Among scans that will be stored, a later repeat of an id is a `duplicate` of the
    first occurrence, or `rejected` when it says something else under the same id.

    Runs after every per-scan check, so only an accepted occurrence makes a repeat a
    duplicate: a rejected first occurrence leaves the id free for a valid one. Returns
    repeat index -> first occurrence, for answers that must follow the first one's fate."""
    first: dict[str, Pending] = {}
    repeats: dict[int, Pending] = {}
    for p in live:
        orig = first.setdefault(p.scan_id, p)
        if orig is p:
            continue
        repeats[p.index] = orig
        differs = _differs(_content(orig), _content(p))
        if differs:
            p.reject("id", f"scan id already used earlier in this batch (scans[{orig.index}]) for a different scan "
                           f"({differs} differ); a new scan needs a new id")
        else:
            p.status, p.message = DUPLICATE, "scan id repeated in this batch"
    return repeats


def follow_first_occurrences(pending: list[Pending], repeats: dict[int, Pending]) -> None:
    """A repeat answered `duplicate` whose first occurrence was not stored after all is rejected."""
    for index, orig in repeats.items():
        p = pending[index]
        if p.status == DUPLICATE and orig.status == REJECTED:
            p.reject("id", f"scan id repeated in this batch; its first occurrence (scans[{orig.index}]) was "
                           f"not stored: {orig.message}")
