import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from routing.checker import check_solution
from routing.core import IndexedRoute
from routing.errors import RoutingError
from routing.vrplib_io import read_instance, read_solution
from tests.helpers.routes import brute_force_optimum

# CVRPLIB / Solomon reference instances: ../shared/bench beside the checkout by default.
REFERENCE_BENCH = Path(os.environ.get("REFERENCE_DATA", Path(__file__).resolve().parents[3].parent / "shared")) / "bench"

ROOT = Path(__file__).resolve().parents[3]
COORDS = [(0, 0), (10, 0), (10, 10), (0, 10), (-10, 5), (-5, -8), (6, -9)]
DEMAND = [0, 3, 4, 2, 5, 3, 4]


def write_cvrp(path: Path) -> None:
    lines = ["NAME : tiny", "TYPE : CVRP", f"DIMENSION : {len(COORDS)}", "EDGE_WEIGHT_TYPE : EUC_2D", "CAPACITY : 10",
             "NODE_COORD_SECTION"]
    lines += [f"{i + 1} {x} {y}" for i, (x, y) in enumerate(COORDS)]
    lines += ["DEMAND_SECTION"] + [f"{i + 1} {d}" for i, d in enumerate(DEMAND)]
    lines += ["DEPOT_SECTION", "1", "-1", "EOF"]
    path.write_text("\n".join(lines) + "\n")


def brute_force_cost() -> int:
    def d(a, b):
        return int(math.floor(math.hypot(COORDS[a][0] - COORDS[b][0], COORDS[a][1] - COORDS[b][1]) + 0.5))

    return brute_force_optimum(range(1, len(COORDS)),
                               route_cost=lambda r: sum(d(a, b) for a, b in zip([0] + r, r + [0])),
                               route_ok=lambda r: sum(DEMAND[i] for i in r) <= 10)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "routing", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_cli_solve_vrplib_json_matches_brute_force(tmp_path):
    inst = tmp_path / "tiny.vrp"
    write_cvrp(inst)
    proc = run_cli("solve-vrplib", str(inst), "--time-limit", "1", "--seed", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["feasible"] is True
    assert out["engine"] in ("pyvrp", "ortools", "pyvrp+ortools")
    assert sorted(c for r in out["routes"] for c in r) == list(range(1, len(COORDS)))
    assert out["cost"] == brute_force_cost()


def test_cli_bench_reports_gap(tmp_path):
    write_cvrp(tmp_path / "tiny.vrp")
    best = brute_force_cost()
    (tmp_path / "tiny.sol").write_text(f"Route #1: 1 2\nCost {best}\n")
    proc = run_cli("bench", str(tmp_path), "--time-limit", "0.5", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["instances"][0]["gap_pct"] == 0.0 and out["mean_gap_pct"] == 0.0


def test_cli_reports_bad_file_cleanly(tmp_path):
    bad = tmp_path / "x.vrp"
    bad.write_text("hello\n")
    proc = run_cli("solve-vrplib", str(bad), "--time-limit", "1", "--json")
    assert proc.returncode == 2
    assert json.loads(proc.stderr)["field"] == "file"


SOLOMON = """TINY

VEHICLE
NUMBER     CAPACITY
  3         20

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      40         50          0          0        240          0
    1      45         68         10          0        100         10
    2      45         70         10         20        120         10
    3      42         66          5         50        200         10
    4      30         50         10         0         200         10
"""


def test_solomon_truncation_convention_and_windows(tmp_path):
    p = tmp_path / "TINY.txt"
    p.write_text(SOLOMON)
    inst = read_instance(p)
    assert inst.kind == "vrptw" and inst.cost_scale == 10
    # d(0,1) = sqrt(25 + 324) = 18.68... -> 186 tenths (truncated, not rounded to 187)
    assert inst.problem.distance[0][1] == 186
    proc = run_cli("solve-vrplib", str(p), "--time-limit", "1", "--json")
    out = json.loads(proc.stdout)
    assert out["feasible"] and sorted(c for r in out["routes"] for c in r) == [1, 2, 3, 4]


def test_bks_files_of_shared_bench_are_feasible_under_our_conventions():
    for name in ("cvrp/X-n106-k14", "vrptw/C101", "vrptw/RC101"):
        base = REFERENCE_BENCH / name
        path = base.with_suffix(".vrp") if name.startswith("cvrp") else base.with_suffix(".txt")
        assert path.exists(), f"reference instance missing: {path} (set REFERENCE_DATA)"
        inst = read_instance(path)
        sol = read_solution(base.with_suffix(".sol"))
        routes = tuple(IndexedRoute(0, tuple(c - 1 for c in r)) for r in sol.routes)
        objective, violations = check_solution(inst.problem, routes)
        assert not violations
        fixed = inst.problem.vehicle_types[0].fixed_cost * len(routes)
        assert (objective - fixed) / inst.cost_scale == pytest.approx(sol.cost, abs=1e-6)


def test_checker_flags_violations():
    inst_dir = REFERENCE_BENCH / "vrptw" / "C101.txt"
    assert inst_dir.exists(), f"reference instance missing: {inst_dir} (set REFERENCE_DATA)"
    inst = read_instance(inst_dir)
    # One route through every customer overloads the truck and misses windows.
    _, violations = check_solution(inst.problem, (IndexedRoute(0, tuple(range(len(inst.problem.clients)))),))
    assert any("exceeds capacity" in v for v in violations)
    assert any("after window end" in v for v in violations)
    _, violations = check_solution(inst.problem, ())
    assert any("required client" in v for v in violations)


def test_unknown_engine_and_bad_limit():
    from routing.solver import solve_indexed

    inst = read_instance(REFERENCE_BENCH / "vrptw" / "C101.txt")
    with pytest.raises(RoutingError) as err:
        solve_indexed(inst.problem, 1, engine="gurobi")
    assert err.value.field == "engine"
    with pytest.raises(RoutingError):
        solve_indexed(inst.problem, 0)
