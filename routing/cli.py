"""Command line: solve or benchmark CVRPLIB / Solomon instances.

    python -m routing solve-vrplib FILE --time-limit S [--seed N] [--engine E] --json
    python -m routing bench DIR --time-limit S [--seed N] [--engine E] --json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from routing.checker import evaluate_route
from routing.errors import RoutingError
from routing.solver import ENGINES, solve_indexed
from routing.vrplib_io import Instance, read_instance, read_solution


def solve_file(path: str | Path, time_limit_s: float, seed: int = 0, engine: str = "auto", vehicles_first: bool = True) -> dict:
    inst = read_instance(path, vehicles_first)
    started = time.perf_counter()
    sol = solve_indexed(inst.problem, time_limit_s, seed, engine)
    elapsed = time.perf_counter() - started
    return _report(inst, sol, elapsed)


def _report(inst: Instance, sol, elapsed_s: float) -> dict:
    distance = sum(evaluate_route(inst.problem, r).distance for r in sol.routes)
    # Client index i sits at location i + 1, which is the file's customer id.
    routes = [[inst.problem.clients[c].location for c in r.clients] for r in sol.routes]
    cost = distance if inst.cost_scale == 1 else round(distance / inst.cost_scale, 1)
    return {
        "instance": inst.name,
        "kind": inst.kind,
        "cost": cost,
        "routes": routes,
        "vehicles": len(routes),
        "feasible": sol.feasible,
        "engine": sol.engine,
        "runtime_s": round(elapsed_s, 2),
    }


def bench_dir(directory: str | Path, time_limit_s: float, seed: int = 0, engine: str = "auto", vehicles_first: bool = True) -> dict:
    rows = []
    for path in sorted(Path(directory).iterdir()):
        if path.suffix not in (".vrp", ".txt") or not path.with_suffix(".sol").exists():
            continue
        rep = solve_file(path, time_limit_s, seed, engine, vehicles_first)
        bks = read_solution(path.with_suffix(".sol"))
        rep["bks_cost"] = bks.cost
        rep["bks_vehicles"] = len(bks.routes)
        rep["gap_pct"] = round(100.0 * (rep["cost"] - bks.cost) / bks.cost, 3)
        rep.pop("routes")
        rows.append(rep)
    gaps = [r["gap_pct"] for r in rows]
    return {
        "directory": str(directory),
        "time_limit_s": time_limit_s,
        "instances": rows,
        "mean_gap_pct": round(sum(gaps) / len(gaps), 3) if gaps else None,
        "all_feasible": all(r["feasible"] for r in rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m routing")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, target in (("solve-vrplib", "file"), ("bench", "directory")):
        p = sub.add_parser(name)
        p.add_argument(target)
        p.add_argument("--time-limit", type=float, required=True, help="seconds per instance")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--engine", choices=ENGINES, default="auto")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument("--vrptw-objective", choices=("vehicles", "distance"), default="vehicles",
                       help="Solomon: minimise vehicles then distance (default) or distance only")
    args = parser.parse_args(argv)
    try:
        if args.command == "solve-vrplib":
            out = solve_file(args.file, args.time_limit, args.seed, args.engine, args.vrptw_objective == "vehicles")
        else:
            out = bench_dir(args.directory, args.time_limit, args.seed, args.engine, args.vrptw_objective == "vehicles")
    except RoutingError as exc:
        print(json.dumps({"error": str(exc), "field": exc.field}) if args.json else f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out))
    elif args.command == "solve-vrplib":
        print(f"{out['instance']}: cost {out['cost']} with {out['vehicles']} routes, feasible={out['feasible']}, engine={out['engine']}")
    else:
        for r in out["instances"]:
            print(f"{r['instance']:<14} cost {r['cost']:>10} bks {r['bks_cost']:>10} gap {r['gap_pct']:>7.3f}% vehicles {r['vehicles']}/{r['bks_vehicles']}")
        print(f"mean gap {out['mean_gap_pct']}%")
    return 0
