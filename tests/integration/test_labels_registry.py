"""Serials are allocated once and never reused, also when registrations race on PostgreSQL."""
from __future__ import annotations

import threading

from sqlalchemy import select

from tests.conftest import auth

THREADS = 8
PER_THREAD = 40


def _race(app, work) -> list:
    """Run `work()` in THREADS threads released together; returns their results (errors re-raised)."""
    start = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(i: int) -> None:
        with app.app_context():
            start.wait()
            try:
                results[i] = work()
            except BaseException as err:  # surfaced in the main thread
                results[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


def _next_serial(app, type_id: str = "ibc") -> int:
    from app.platform.db import get_session
    from app.catalog.models import AssetType

    with app.app_context():
        return get_session().scalar(select(AssetType.next_serial).where(AssetType.id == type_id))


def _all_serials(app) -> list[int]:
    from app.platform.db import get_session
    from app.assets.models import Asset

    with app.app_context():
        return [int(s) for s in get_session().scalars(select(Asset.serial).where(Asset.asset_type_id == "ibc"))]


def test_concurrent_registrations_get_distinct_contiguous_serials(app, world):
    from app.assets import registry

    batches = _race(app, lambda: [int(a.serial) for a in registry.register("ibc", PER_THREAD, "depot-a")])
    total = len(world["codes"]) + THREADS * PER_THREAD
    allocated = [s for batch in batches for s in batch]
    assert len(set(allocated)) == len(allocated) == THREADS * PER_THREAD
    for batch in batches:  # each registration got one block
        assert batch == list(range(batch[0], batch[0] + PER_THREAD))
    serials = sorted(_all_serials(app))
    assert serials == list(range(1, total + 1))  # no gaps, nothing reused
    assert _next_serial(app) == total + 1


def test_concurrent_register_and_print_requests(app, world):
    headers = auth(world["tokens"]["depot"])

    def post():
        r = app.test_client().post("/api/v1/labels/sheets", headers=headers,
                                   json={"register": {"asset_type": "ibc", "count": 5, "site": "depot-b"}})
        assert r.status_code == 200, r.get_json()
        return int(r.headers["X-Registered-First"][14:]), int(r.headers["X-Registered-Last"][14:])

    ranges = sorted(_race(app, post))
    assert all(last - first == 4 for first, last in ranges)
    assert all(a[1] < b[0] for a, b in zip(ranges, ranges[1:]))  # no overlap
    assert _next_serial(app) == len(world["codes"]) + THREADS * 5 + 1
