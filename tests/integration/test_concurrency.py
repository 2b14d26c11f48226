"""Eight clients scanning overlapping assets at the same time: no lost update, nothing twice."""
from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import DATABASE_URL, REDIS_URL, T0, auth, full_trip, scan, stop_process
from tests.integration.state import assert_conservation, assert_projection_is_fold_of_events, rows

URL = "/api/v1/scans"
CLIENTS = 8
ROOT = Path(__file__).resolve().parents[2]


def asset_history(code: str, start, rng: random.Random) -> list[dict]:
    """Three trips for one asset: plain, with a transfer, and one ending in a loss or still out."""
    first, second = rng.sample(["acme", "globex"], 2)
    out = full_trip(code, start, first)
    t = start + timedelta(days=1)
    out += [scan(code, "issue", "depot-b", t, first), scan(code, "deliver", f"{first}-site", t + timedelta(hours=1)),
            scan(code, "transfer", f"{first}-site", t + timedelta(hours=2), second),
            scan(code, "collect", f"{second}-site", t + timedelta(hours=3)),
            scan(code, "receive", "depot-a", t + timedelta(hours=4)),
            scan(code, "clean", "depot-a", t + timedelta(hours=5)),
            scan(code, "inspect_pass", "depot-a", t + timedelta(hours=6))]
    t = start + timedelta(days=2)
    out += [scan(code, "issue", "depot-a", t, second), scan(code, "deliver", f"{second}-site", t + timedelta(hours=1))]
    if rng.random() < 0.5:
        out.append(scan(code, "lose", "depot-a", t + timedelta(days=3)))
    return out


def run_clients(app, scripts: list[list[list[dict]]], token: str) -> list[list]:
    """Each client posts its batches in order; all start together."""
    barrier = threading.Barrier(len(scripts))
    answers: list[list] = [[] for _ in scripts]
    errors: list[BaseException] = []

    def work(i):
        client = app.test_client()
        try:
            barrier.wait()
            for batch in scripts[i]:
                r = client.post(URL, json={"scans": batch}, headers=auth(token))
                answers[i].append((r.status_code, r.get_json()))
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(scripts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    return answers


def test_concurrent_clients_on_overlapping_assets(app, client, world):
    rng = random.Random(7)
    codes = world["codes"][:12]
    histories = {c: asset_history(c, T0 + timedelta(minutes=i), rng) for i, c in enumerate(codes)}
    every = [s for h in histories.values() for s in h]
    # every scan goes to one client; a third of them to a second client too (a device retrying
    # through another gateway), and each client sends its share in a random order
    shares: list[list[dict]] = [[] for _ in range(CLIENTS)]
    sent = Counter()
    for s in every:
        for i in rng.sample(range(CLIENTS), 2 if rng.random() < 0.33 else 1):
            shares[i].append(s)
            sent[s["id"]] += 1
    scripts = []
    for share in shares:
        rng.shuffle(share)
        batches, i = [], 0
        while i < len(share):
            n = rng.randint(3, 15)
            batches.append(share[i:i + n])
            i += n
        scripts.append(batches)

    answers = run_clients(app, scripts, world["tokens"]["admin"])

    statuses = Counter()
    per_id = Counter()
    for client_answers in answers:
        for code, body in client_answers:
            assert code == 200, body
            for r in body["results"]:
                statuses[r["status"]] += 1
                if r["status"] in ("applied", "anomaly"):
                    per_id[r["id"]] += 1
    assert statuses["rejected"] == 0
    # every scan was accepted by exactly one client; the other copies were duplicates
    assert set(per_id) == {s["id"] for s in every}
    assert set(per_id.values()) == {1}
    assert statuses["duplicate"] == sum(sent.values()) - len(every)

    stored = rows(app, "SELECT scan_id::text, count(*) FROM scan_events GROUP BY scan_id")
    assert len(stored) == len(every)
    assert {sid for sid, _ in stored} == {s["id"] for s in every}
    assert {n for _, n in stored} == {1}

    # each asset equals the fold of its stored scans, and ends where its full history puts it
    assert assert_projection_is_fold_of_events(app) == len(codes)
    final = dict(rows(app, "SELECT code, state FROM assets WHERE code = ANY(:c)", c=codes))
    for code, history in histories.items():
        assert final[code] == (80 if history[-1]["event"] == "lose" else 30), code
    assert rows(app, "SELECT count(*) FROM trips WHERE outcome = 'completed'") == [(2 * len(codes),)]
    # nothing is anomalous once every scan has arrived
    open_anomalies = rows(app, "SELECT count(*) FROM anomalies WHERE NOT cleared_by_replay")
    assert open_anomalies == [(0,)]
    assert rows(app, "SELECT count(*) FROM scan_events WHERE status <> 1") == [(0,)]

    assert_conservation(app, client, auth(world["tokens"]["admin"]))


def test_concurrent_identical_batches_store_once(app, client, world):
    """All clients send the very same batch at once: one applies it, the others see duplicates."""
    codes = world["codes"][:5]
    batch = [s for i, c in enumerate(codes) for s in full_trip(c, T0 + timedelta(minutes=i))]
    answers = run_clients(app, [[batch]] * CLIENTS, world["tokens"]["admin"])
    per_status = Counter()
    for [(code, body)] in answers:
        assert code == 200, body
        per_status.update(r["status"] for r in body["results"])
    assert per_status["applied"] == len(batch)
    assert per_status["duplicate"] == len(batch) * (CLIENTS - 1)
    assert rows(app, "SELECT count(*) FROM scan_events") == [(len(batch),)]
    assert rows(app, "SELECT count(*) FROM trips") == [(len(codes),)]
    assert assert_projection_is_fold_of_events(app) == len(codes)
    assert_conservation(app, client, auth(world["tokens"]["admin"]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app, world):
    """gunicorn with several worker processes on the test database and Redis."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "SECRET_KEY": "test-secret",
           "AUTH_FAILURES_PER_MINUTE": "1000"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-w", "4", "--threads", "2",
                             "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(proc.stderr.read().decode()[-2000:])
                time.sleep(0.2)
        yield base
    finally:
        stop_process(proc, 15)


def http_post(base: str, token: str, batch: list[dict]) -> tuple[int, dict]:
    req = urllib.request.Request(base + URL, data=json.dumps({"scans": batch}).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_concurrent_http_clients_against_gunicorn(app, client, world, server):
    rng = random.Random(11)
    codes = world["codes"]
    histories = {c: asset_history(c, T0 + timedelta(minutes=i), rng) for i, c in enumerate(codes)}
    every = [s for h in histories.values() for s in h]
    shares: list[list[dict]] = [[] for _ in range(CLIENTS)]
    for s in every:
        for i in rng.sample(range(CLIENTS), 2):  # every scan sent by two clients
            shares[i].append(s)
    for share in shares:
        rng.shuffle(share)
    token = world["tokens"]["admin"]
    barrier = threading.Barrier(CLIENTS)
    answers: list[list] = [[] for _ in range(CLIENTS)]

    def work(i):
        barrier.wait()
        share = shares[i]
        for j in range(0, len(share), 10):
            answers[i].append(http_post(server, token, share[j:j + 10]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)

    accepted = Counter()
    for client_answers in answers:
        for status, body in client_answers:
            assert status == 200, body
            for r in body["results"]:
                assert r["status"] != "rejected", r
                if r["status"] in ("applied", "anomaly"):
                    accepted[r["id"]] += 1
    assert set(accepted) == {s["id"] for s in every} and set(accepted.values()) == {1}
    assert rows(app, "SELECT count(*), count(DISTINCT scan_id) FROM scan_events") == [(len(every), len(every))]
    assert assert_projection_is_fold_of_events(app) == len(codes)
    assert rows(app, "SELECT count(*) FROM anomalies WHERE NOT cleared_by_replay") == [(0,)]
    assert_conservation(app, client, auth(world["tokens"]["admin"]))
