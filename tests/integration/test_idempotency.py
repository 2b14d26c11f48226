"""Replaying batches changes nothing, and the arrival order of scans does not matter.

Property: for random scan sequences (valid process steps mixed with impossible ones) for a
few assets, submitting them in a random arrival order and random chunks gives the same
stored state as submitting them in physical order to fresh assets; resubmitting any number
of times in any chunking then changes nothing at all.
"""
from __future__ import annotations

import random
import uuid
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.lifecycle import Projection, Scan, SitePoint, step
from app.domain.policy import check_scan
from app.domain.states import AssetState as S
from app.domain.states import EventType as E
from tests.conftest import T0, auth
from tests.integration.state import assert_projection_is_fold_of_events, counts, snapshot

URL = "/api/v1/scans"
SITES = {
    "depot-a": SitePoint("depot-a", "depot", 51.43, 6.76),
    "depot-b": SitePoint("depot-b", "depot", 50.90, 6.92),
    "acme-site": SitePoint("acme-site", "customer", 51.03, 6.98, "acme"),
    "globex-site": SitePoint("globex-site", "customer", 51.48, 7.22, "globex"),
}
CUSTOMERS = ["acme", "globex"]


def next_valid(p: Projection, pick: int) -> tuple[E, str, str | None]:
    """The step the process expects next (one of a few, chosen by `pick`)."""
    other = CUSTOMERS[pick % 2]
    depot = ["depot-a", "depot-b"][pick % 2]
    holder_site = f"{p.holder_customer_id}-site" if p.holder_customer_id else "acme-site"
    s = p.state
    if s is S.AVAILABLE:
        return [(E.ISSUE, depot, other), (E.DISPATCH, depot, None), (E.ISSUE, depot, other)][pick % 3]
    if s is S.ISSUED:
        return E.DELIVER, holder_site, None
    if s is S.AT_CUSTOMER:
        if pick % 3 == 2 and other != p.holder_customer_id:
            return E.TRANSFER, holder_site, other
        return E.COLLECT, holder_site, None
    if s in (S.IN_RETURN, S.IN_DEPOT_TRANSFER):
        return E.RECEIVE, depot, None
    if s is S.RECEIVED:
        return E.CLEAN, depot, None
    if s is S.CLEANED:
        return [(E.INSPECT_PASS, depot, None), (E.INSPECT_PASS, depot, None), (E.INSPECT_FAIL, depot, None)][pick % 3]
    if s is S.DAMAGED:
        return E.REPAIR, depot, None
    if s is S.REPAIRED:
        return E.INSPECT_PASS, depot, None
    if s is S.LOST:
        return E.FIND, ["depot-a", "acme-site"][pick % 2], None
    return E.CHECK, depot, None


def random_event(pick: int, ev: E) -> tuple[E, str, str | None]:
    """Any event at a place where the API accepts it (often impossible for the asset's state)."""
    for site in (list(SITES)[pick % 4:] + list(SITES)[:pick % 4]):
        customer = CUSTOMERS[pick % 2] if ev in (E.ISSUE, E.TRANSFER) else None
        if check_scan("admin", ev, SITES[site].kind, customer) is None:
            return ev, site, customer
    raise AssertionError(ev)


step_st = st.tuples(st.booleans(), st.integers(0, 11), st.sampled_from(list(E)))
history_st = st.lists(st.lists(step_st, max_size=14), min_size=1, max_size=3)


def build(histories) -> list[list[tuple]]:
    """Per asset slot: [(event, site, customer, hours after T0)], physically ordered."""
    out = []
    for slot, steps in enumerate(histories):
        p = Projection(site=SITES["depot-a"])
        items = []
        for j, (valid, pick, ev) in enumerate(steps):
            event, site, customer = next_valid(p, pick) if valid or pick < 7 else random_event(pick, ev)
            at = T0 + timedelta(hours=j, minutes=slot)  # distinct times: no ties to break
            p = step(p, Scan(event, at, SITES[site], customer)).projection
            items.append((event, site, customer, at))
        out.append(items)
    return out


def register(app, n: int) -> list[str]:
    from app.assets import registry

    with app.app_context():
        return [a.code for a in registry.register("ibc", n, "depot-a")]


def to_json(codes, histories) -> tuple[list[dict], dict]:
    scans, key = [], {}
    for slot, items in enumerate(histories):
        for j, (event, site, customer, at) in enumerate(items):
            sid = str(uuid.uuid4())
            item = {"id": sid, "code": codes[slot], "event": event.label, "site": site, "occurred_at": at.isoformat()}
            if customer:
                item["customer"] = customer
            scans.append(item)
            key[sid] = (slot, j)
    return scans, key


def post_chunks(client, headers, scans, rng: random.Random) -> list[dict]:
    results = []
    i = 0
    while i < len(scans):
        n = rng.randint(1, max(1, len(scans) - i))
        r = client.post(URL, json={"scans": scans[i:i + n]}, headers=headers)
        assert r.status_code == 200, r.get_json()
        results += r.get_json()["results"]
        i += n
    return results


def normalised(snap: dict, codes: list[str], key: dict) -> dict:
    """The snapshot with asset codes and scan ids replaced by their place in the generated history."""
    slot = {c: i for i, c in enumerate(codes)}

    def sid(v):
        return key[str(v)]

    return {
        "assets": [(slot[r[0]], *r[1:]) for r in snap["assets"]],
        "trips": [(slot[r[0]], *r[1:]) for r in snap["trips"]],
        "moves": sorted((slot[r[0]], *r[1:5], sid(r[5])) for r in snap["moves"]),
        "events": sorted((slot[r[0]], sid(r[1]), *r[2:]) for r in snap["events"]),
        "open_anomalies": sorted((slot[r[0]], sid(r[1]), r[2]) for r in snap["anomalies"] if not r[3]),
        "balances": snap["balances"],
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(histories=history_st, seed=st.integers(0, 2**32 - 1), replays=st.integers(1, 3))
def test_arrival_order_and_replays_do_not_change_the_state(app, client, world, histories, seed, replays):
    rng = random.Random(seed)
    headers = auth(world["tokens"]["admin"])
    physical = build(histories)
    if not any(physical):
        return

    # B: physical order, one batch, into fresh assets
    codes_b = register(app, len(physical))
    scans_b, key_b = to_json(codes_b, physical)
    scans_b.sort(key=lambda s: s["occurred_at"])
    r = client.post(URL, json={"scans": scans_b}, headers=headers)
    assert r.status_code == 200
    assert {x["status"] for x in r.get_json()["results"]} <= {"applied", "anomaly"}

    # A: random arrival order, random chunks
    codes_a = register(app, len(physical))
    scans_a, key_a = to_json(codes_a, physical)
    shuffled = scans_a[:]
    rng.shuffle(shuffled)
    first = post_chunks(client, headers, shuffled, rng)
    assert {x["status"] for x in first} <= {"applied", "anomaly"}

    snap_a = snapshot(app, codes_a)
    assert normalised(snap_a, codes_a, key_a) == normalised(snapshot(app, codes_b), codes_b, key_b)

    # resubmitting, in any chunking, any number of times: every scan a duplicate, nothing changes
    before = counts(app)
    for _ in range(replays):
        again = scans_a[:]
        rng.shuffle(again)
        results = post_chunks(client, headers, again, rng)
        assert {x["status"] for x in results} == {"duplicate"}
        assert snapshot(app, codes_a) == snap_a
        assert counts(app) == before

    assert assert_projection_is_fold_of_events(app) >= 1
