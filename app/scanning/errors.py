"""What a scan store may answer instead of storing: the ingestion's own errors, free of
any database driver (app/scanning/store.py translates the driver's)."""
from __future__ import annotations


class StoreRefused(Exception):
    """The database refused what the batch writes (a value it will not hold, a row that
    contradicts another): the transaction or savepoint is rolled back. Not a passing fault
    such as a lost connection, which propagates as it is and answers 503."""


class DuplicateScanId(StoreRefused):
    """A scan id of the batch is already stored: a concurrent batch committed it between
    our check and our insert. Judged again, the batch sees it as stored."""


class HistoryError(Exception):
    """A stored scan of an asset that this version cannot fold (e.g. an event code it
    does not know). The asset's new scans are refused; its stored history is kept."""
