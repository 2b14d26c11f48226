"""Reproducible benchmark of the routing package against VROOM and PyVRP.

    .venv/bin/python bench/routing_bench.py [--time-limit 10] [--only cvrp,vrptw,rebalance]

Sections (each merged into bench/results/routing.json, whole result to stdout):
* cvrp: every CVRPLIB instance in ../shared/bench/cvrp; our solver
  (``routing.cli.solve_file``, engine auto), pyvroom (exploration level 5,
  2 threads = this machine's cores, same time limit) and plain PyVRP, run one
  after another so no two share the CPU; gap to the .sol BKS per instance.
  ``--ortools-sample N`` also runs our OR-Tools engine alone on N instances.
* vrptw: our solver on a Solomon subset; vehicles and distance vs BKS.
* rebalance: 500-depot instances; min-cost-flow vs scipy linprog (HiGHS).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from routing.cli import solve_file  # noqa: E402
from routing.vrplib_io import read_instance, read_solution  # noqa: E402

# Reference instances (CVRPLIB X, Solomon): ../shared/bench beside the checkout by default.
REFERENCE_BENCH = Path(os.environ.get("REFERENCE_DATA", Path(__file__).resolve().parents[1].parent / "shared")) / "bench"
CVRP_DIR = REFERENCE_BENCH / "cvrp"
VRPTW_DIR = REFERENCE_BENCH / "vrptw"
VRPTW_SUBSET = ("C101", "C201", "R101", "R201", "RC101", "RC201")
RESULTS = ROOT / "bench" / "results" / "routing.json"


def run_vroom(path: Path, time_limit_s: float) -> dict:
    import vroom

    inst = read_instance(path)
    p = inst.problem
    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=[list(r) for r in p.distance])
    cap = p.vehicle_types[0].capacity
    # Fleet: twice the trivial lower bound on routes, enough for every X instance's BKS.
    lower = math.ceil(sum(c.delivery for c in p.clients) / cap)
    inp.add_vehicle([vroom.Vehicle(i + 1, start=0, end=0, capacity=[cap]) for i in range(2 * lower + 2)])
    inp.add_job([vroom.Job(k + 1, location=c.location, delivery=[c.delivery]) for k, c in enumerate(p.clients)])
    t0 = time.perf_counter()
    sol = inp.solve(exploration_level=5, nb_threads=2, timeout=timedelta(seconds=time_limit_s))
    elapsed = time.perf_counter() - t0
    unassigned = len(sol.unassigned) if hasattr(sol, "unassigned") else 0
    return {"cost": int(sol.summary.cost), "runtime_s": round(elapsed, 2), "feasible": unassigned == 0}


def run_pyvrp(path: Path, time_limit_s: float, seed: int) -> dict:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    data = pyvrp.read(str(path), round_func="round")
    t0 = time.perf_counter()
    res = pyvrp.solve(data, MaxRuntime(time_limit_s), seed=seed, display=False)
    elapsed = time.perf_counter() - t0
    return {"cost": int(res.cost()), "runtime_s": round(elapsed, 2), "feasible": bool(res.is_feasible())}


def gap(cost: float, bks: float) -> float:
    return round(100.0 * (cost - bks) / bks, 3)


def bench_cvrp(time_limit_s: float, seed: int, ortools_sample: int) -> dict:
    rows = []
    for path in sorted(CVRP_DIR.glob("*.vrp")):
        bks = read_solution(path.with_suffix(".sol")).cost
        ours = solve_file(path, time_limit_s, seed)
        vr = run_vroom(path, time_limit_s)
        pv = run_pyvrp(path, time_limit_s, seed)
        row = {
            "instance": path.stem,
            "bks": bks,
            "ours": {"cost": ours["cost"], "gap_pct": gap(ours["cost"], bks), "feasible": ours["feasible"],
                     "engine": ours["engine"], "runtime_s": ours["runtime_s"]},
            "vroom": {**vr, "gap_pct": gap(vr["cost"], bks)},
            "pyvrp": {**pv, "gap_pct": gap(pv["cost"], bks)},
        }
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    out = {"time_limit_s": time_limit_s, "seed": seed, "instances": rows}
    for solver in ("ours", "vroom", "pyvrp"):
        out[f"mean_gap_pct_{solver}"] = round(sum(r[solver]["gap_pct"] for r in rows) / len(rows), 3)
    return out


def bench_ortools_sample(time_limit_s: float, seed: int, ortools_sample: int, n_instances: int) -> dict:
    out = {}
    rows = range(n_instances)
    if ortools_sample:
        sample = sorted(CVRP_DIR.glob("*.vrp"))[:: max(1, len(rows) // ortools_sample)][:ortools_sample]
        ort = []
        for path in sample:
            bks = read_solution(path.with_suffix(".sol")).cost
            rep = solve_file(path, time_limit_s, seed, engine="ortools")
            ort.append({"instance": path.stem, "cost": rep["cost"], "gap_pct": gap(rep["cost"], bks)})
            print(json.dumps(ort[-1]), file=sys.stderr, flush=True)
        out["ortools_engine_sample"] = {"instances": ort, "mean_gap_pct": round(sum(r["gap_pct"] for r in ort) / len(ort), 3)}
    return out


def bench_vrptw(time_limit_s: float, seed: int) -> dict:
    rows = []
    for name, vehicles_first in [(n, v) for v in (True, False) for n in VRPTW_SUBSET]:
        path = VRPTW_DIR / f"{name}.txt"
        bks = read_solution(path.with_suffix(".sol"))
        rep = solve_file(path, time_limit_s, seed, vehicles_first=vehicles_first)
        rows.append({"instance": name, "objective": "vehicles_first" if vehicles_first else "distance", "vehicles": rep["vehicles"], "bks_vehicles": len(bks.routes), "distance": rep["cost"],
                     "bks_distance": bks.cost, "distance_gap_pct": gap(rep["cost"], bks.cost), "feasible": rep["feasible"],
                     "engine": rep["engine"]})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return {"time_limit_s": time_limit_s, "subset": list(VRPTW_SUBSET), "instances": rows,
            **{f"mean_distance_gap_pct_{o}": round(sum(r["distance_gap_pct"] for r in rows if r["objective"] == o) / len(VRPTW_SUBSET), 3)
               for o in ("vehicles_first", "distance")},
            "vehicles_first_at_most_bks_vehicles": sum(r["vehicles"] <= r["bks_vehicles"] for r in rows if r["objective"] == "vehicles_first")}


def random_depots(n: int, seed: int, shortage: bool):
    import random

    from routing.matrix import GeoPoint, HaversineMatrixProvider
    from routing.rebalance import DepotStock

    rng = random.Random(seed)
    pts = [GeoPoint(f"D{i:03d}", rng.uniform(43.0, 55.0), rng.uniform(-1.0, 16.0)) for i in range(n)]
    hi = 600 if shortage else 400  # targets above stock on average -> shortage case
    depots = [DepotStock(p.location_id,
                         {a: rng.randint(0, 500) for a in ("crate", "folded_ibc", "pallet_box")},
                         {a: rng.randint(0, hi) for a in ("crate", "folded_ibc", "pallet_box")}) for p in pts]
    return depots, HaversineMatrixProvider().build(pts)


def lp_optimum(depots, matrix, per_unit_km: float) -> float:
    """Same transportation LP, solved independently by scipy's HiGHS."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    from routing.loads import LoadUnitTable
    from routing.rebalance import imbalances

    total = 0.0
    index = matrix.index_of()
    for asset in ("crate", "folded_ibc", "pallet_box"):
        lu = LoadUnitTable().load_units({asset: 1})
        sources, sinks, _ = imbalances(depots, asset)
        ns, nk = len(sources), len(sinks)
        cost = np.array([[matrix.distance_km[index[depots[i].depot_id]][index[depots[j].depot_id]] * lu * per_unit_km
                          for j, _ in sinks] for i, _ in sources]).ravel()
        rows_s = np.repeat(np.arange(ns), nk)
        cols = np.arange(ns * nk)
        a_ub = coo_matrix((np.ones(ns * nk), (rows_s, cols)), shape=(ns, ns * nk))
        rows_k = np.tile(np.arange(nk), ns)
        a_eq = coo_matrix((np.ones(ns * nk), (rows_k, cols)), shape=(nk, ns * nk))
        res = linprog(cost, A_ub=a_ub, b_ub=[s for _, s in sources], A_eq=a_eq, b_eq=[d for _, d in sinks],
                      bounds=(0, None), method="highs")
        assert res.status == 0, res.message
        total += res.fun
    return total


def bench_rebalance(seed: int) -> dict:
    from routing.rebalance import rebalance_continuous
    from routing.truckload import rebalance_truckloads

    per_unit_km = 1.5 / 33
    rows = []
    for k, shortage in enumerate((False, True, False)):
        depots, matrix = random_depots(500, seed + k, shortage)
        t0 = time.perf_counter()
        plan = rebalance_continuous(depots, matrix, cost_per_load_unit_km=per_unit_km)
        ours_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        lp = lp_optimum(depots, matrix, per_unit_km)
        lp_s = time.perf_counter() - t0
        rows.append({"depots": 500, "asset_types": 3, "shortage_case": shortage, "min_cost_flow_s": round(ours_s, 3),
                     "objective": plan.objective_value, "highs_lp_objective": round(lp, 6), "highs_s": round(lp_s, 3),
                     "rel_diff": abs(plan.objective_value - lp) / max(1e-9, lp), "transfers": len(plan.transfers),
                     "shortage_lines": len(plan.shortages)})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    truck = []
    for n, lanes in ((20, None), (50, None), (200, 8), (500, 5)):
        depots, matrix = random_depots(n, seed + 10 + n, False)
        t0 = time.perf_counter()
        plan = rebalance_truckloads(depots, matrix, time_limit_s=20.0, seed=seed, max_lanes_per_sink=lanes)
        truck.append({"depots": n, "max_lanes_per_sink": lanes, "status": plan.status, "proven_optimal": plan.proven_optimal,
                      "trips": sum(t for _, _, t in plan.truck_trips), "objective": plan.objective_value,
                      "runtime_s": round(time.perf_counter() - t0, 2), "time_limit_s": 20.0})
        print(json.dumps(truck[-1]), file=sys.stderr, flush=True)
    return {"continuous": rows, "all_within_2s": all(r["min_cost_flow_s"] <= 2.0 for r in rows),
            "all_equal_lp": all(r["rel_diff"] < 1e-6 for r in rows), "truckload_cp_sat": truck}


def markdown_tables(results: dict) -> str:
    """Tables for docs/benchmarks/routing.md, generated from the JSON so figures stay honest."""
    out = []
    cv = results.get("cvrp")
    if cv:
        out += [f"### CVRPLIB X, {len(cv['instances'])} instances, {cv['time_limit_s']:g} s each, seed {cv['seed']}", "",
                "| instance | BKS | ours | gap % | VROOM | gap % | PyVRP | gap % |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in cv["instances"]:
            out.append(f"| {r['instance']} | {r['bks']:.0f} | {r['ours']['cost']} | {r['ours']['gap_pct']:.2f} | {r['vroom']['cost']} | "
                       f"{r['vroom']['gap_pct']:.2f} | {r['pyvrp']['cost']} | {r['pyvrp']['gap_pct']:.2f} |")
        out.append(f"| **mean** | | | **{cv['mean_gap_pct_ours']:.2f}** | | **{cv['mean_gap_pct_vroom']:.2f}** | | **{cv['mean_gap_pct_pyvrp']:.2f}** |")
        ort = cv.get("ortools_engine_sample")
        if ort:
            out += ["", f"Our OR-Tools engine alone (`--engine ortools`), {len(ort['instances'])} of the instances:", "",
                    "| instance | cost | gap % |", "| --- | ---: | ---: |"]
            out += [f"| {r['instance']} | {r['cost']} | {r['gap_pct']:.2f} |" for r in ort["instances"]]
            out.append(f"| **mean** | | **{ort['mean_gap_pct']:.2f}** |")
    tw = results.get("vrptw")
    if tw:
        out += ["", f"### Solomon VRPTW subset, {tw['time_limit_s']:g} s each (vehicles first, then distance)", "",
                "| instance | objective | vehicles | BKS vehicles | distance | BKS distance | distance gap % |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
        out += [f"| {r['instance']} | {r['objective']} | {r['vehicles']} | {r['bks_vehicles']} | {r['distance']} | {r['bks_distance']} | {r['distance_gap_pct']:.2f} |"
                for r in tw["instances"]]
    rb = results.get("rebalance")
    if rb:
        out += ["", "### Rebalancing", "", "| depots | asset types | shortage case | min-cost-flow s | objective | HiGHS LP objective | HiGHS s | rel. diff |",
                "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
        out += [f"| {r['depots']} | {r['asset_types']} | {r['shortage_case']} | {r['min_cost_flow_s']:.3f} | {r['objective']:.2f} | "
                f"{r['highs_lp_objective']:.2f} | {r['highs_s']:.2f} | {r['rel_diff']:.1e} |" for r in rb["continuous"]]
        out += ["", "| depots | lanes per sink | CP-SAT status | trips | objective | runtime s (limit) |", "| ---: | ---: | --- | ---: | ---: | ---: |"]
        out += [f"| {r['depots']} | {r['max_lanes_per_sink'] or 'all'} | {r['status']} | {r['trips']} | {r['objective']:.2f} | "
                f"{r['runtime_s']} ({r['time_limit_s']:g}) |" for r in rb["truckload_cp_sat"]]
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="cvrp,ortools,vrptw,rebalance")
    ap.add_argument("--ortools-sample", type=int, default=0)
    ap.add_argument("--tables", action="store_true", help="print markdown tables from the saved JSON and exit")
    args = ap.parse_args()
    if args.tables:
        print(markdown_tables(json.loads(RESULTS.read_text())))
        return
    sections = set(args.only.split(","))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = {"cpus": 2, "python": platform.python_version()}
    started = time.perf_counter()
    timings = results.setdefault("section_runtime_s", {})
    for name in ("cvrp", "ortools", "vrptw", "rebalance"):
        if name not in sections:
            continue
        t0 = time.perf_counter()
        if name == "cvrp":
            results["cvrp"] = bench_cvrp(args.time_limit, args.seed, 0)
        elif name == "ortools":
            n = len(list(CVRP_DIR.glob("*.vrp")))
            results.setdefault("cvrp", {}).update(bench_ortools_sample(args.time_limit, args.seed, args.ortools_sample or 8, n))
        elif name == "vrptw":
            results["vrptw"] = bench_vrptw(args.time_limit, args.seed)
        else:
            results["rebalance"] = bench_rebalance(args.seed)
        timings[name] = round(time.perf_counter() - t0, 1)
    results["last_run_runtime_s"] = round(time.perf_counter() - started, 1)
    RESULTS.write_text(json.dumps(results, indent=1))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
