"""Monthly avoided-emissions aggregation against merely summing the distances.

    .venv/bin/python -m bench.lca_bench [--trips 1000000] [--customers 1000] [--runs 5]

Builds a seeded synthetic month: 1,000 customers using the 4 default
profiles, 1,000,000 trips, customer volumes and distances drawn from skewed
(log-normal) distributions.  Times, as the median of several runs:

* floor: a plain Python loop summing each customer's outbound and return km,
  the least work any per-trip aggregation in Python can do;
* lca:   ``lca.aggregate_trips`` once per customer (what the certificate run
  does: totals, band, breakdown per customer);
* lca_single_call: one ``aggregate_trips`` over all trips.

Peak memory is measured separately with tracemalloc (it slows execution, so
it is not mixed into the timings).  Prints JSON and writes
bench/results/lca.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lca import TripInput, aggregate_trips  # noqa: E402

PROFILES = ("ibc-1000-vs-steel-drums", "ibc-1000-vs-composite-ibc", "crate-600x400-vs-corrugated", "pallet-box-vs-wooden-crate")
BUDGET_S = 60.0


def make_month(n_trips: int, n_customers: int, seed: int) -> dict[str, list[TripInput]]:
    rng = random.Random(seed)
    customers = []
    for i in range(n_customers):
        # Customer size: log-normal, so a few large fillers and a long tail.
        weight = rng.lognormvariate(0.0, 1.0)
        # Distance from the pool depot: median ~120 km, 5-1,500 km.
        base_km = min(1500.0, max(5.0, rng.lognormvariate(4.8, 0.7)))
        mix = [rng.random() ** 2 for _ in PROFILES]  # each customer favours some profiles
        customers.append((f"c{i:04d}", weight, base_km, mix))
    total_w = sum(c[1] for c in customers)
    month: dict[str, list[TripInput]] = {}
    left = n_trips
    for idx, (cid, weight, base_km, mix) in enumerate(customers):
        n = left if idx == n_customers - 1 else min(left, round(n_trips * weight / total_w))
        left -= n
        trips = []
        choices = rng.choices(PROFILES, weights=mix, k=n)
        for pid in choices:
            out_km = base_km * rng.lognormvariate(0.0, 0.15)  # route variation
            # 70% straight back to the depot, 30% collected on a longer tour.
            ret_km = out_km * (rng.uniform(0.95, 1.1) if rng.random() < 0.7 else rng.uniform(1.1, 1.6))
            trips.append(TripInput(pid, out_km, ret_km))
        month[cid] = trips
    return month


def floor_sum(month: dict[str, list[TripInput]]) -> float:
    grand = 0.0
    for trips in month.values():
        s_out = s_ret = 0.0
        for t in trips:
            s_out += t.outbound_km
            s_ret += t.return_km
        grand += s_out + s_ret
    return grand


def lca_per_customer(month: dict[str, list[TripInput]]) -> dict[str, object]:
    return {cid: aggregate_trips(trips) for cid, trips in month.items()}


def lca_single(month: dict[str, list[TripInput]]):
    return aggregate_trips(t for trips in month.values() for t in trips)


def timed(fn, month, runs: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn(month)
        times.append(time.perf_counter() - t0)
    return times, out


def peak_mib(fn, month) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn(month)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 2**20, 2)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trips", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "lca.json"))
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    month = make_month(args.trips, args.customers, args.seed)
    gen_s = time.perf_counter() - t0
    n = sum(len(v) for v in month.values())

    floor_t, _ = timed(floor_sum, month, args.runs)
    lca_t, per_customer = timed(lca_per_customer, month, args.runs)
    single_t, single = timed(lca_single, month, args.runs)

    total_avoided = sum(r.avoided_kg_co2e for r in per_customer.values())
    med = statistics.median
    result = {
        "benchmark": "lca_monthly_aggregate",
        "machine_cores": os.cpu_count(),
        "python": platform.python_version(),
        "trips": n,
        "customers": len(month),
        "profiles": len(PROFILES),
        "runs": args.runs,
        "seed": args.seed,
        "generate_trips_s": round(gen_s, 2),
        "floor_sum_distances": {"median_s": round(med(floor_t), 3), "runs_s": [round(x, 3) for x in floor_t]},
        "lca_per_customer": {"median_s": round(med(lca_t), 3), "runs_s": [round(x, 3) for x in lca_t], "aggregate_calls": len(month)},
        "lca_single_call": {"median_s": round(med(single_t), 3), "runs_s": [round(x, 3) for x in single_t]},
        "ratio_per_customer_to_floor": round(med(lca_t) / med(floor_t), 2),
        "peak_memory_mib": {
            "floor_sum_distances": peak_mib(floor_sum, month),
            "lca_per_customer": peak_mib(lca_per_customer, month),
            "lca_single_call": peak_mib(lca_single, month),
        },
        "budget_s": BUDGET_S,
        "share_of_budget": round(med(lca_t) / BUDGET_S, 4),
        "check": {
            "avoided_t_co2e_sum_of_customers": round(total_avoided / 1000, 3),
            "avoided_t_co2e_single_call": round(single.avoided_kg_co2e / 1000, 3),
            "avoided_t_co2e_low": round(single.low_kg_co2e / 1000, 3),
            "avoided_t_co2e_high": round(single.high_kg_co2e / 1000, 3),
            "factor_set": single.factor_set,
        },
    }
    text = json.dumps(result, indent=2)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
