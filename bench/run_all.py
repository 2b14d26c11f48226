"""Run every benchmark in turn (one at a time: they must not share the 2 cores).

    .venv/bin/python -m bench.run_all [--skip routing ...]

Each benchmark prints JSON and writes bench/results/<name>.json; docs/benchmarks.md
summarises the latest results. The routing benchmark alone takes ~20 minutes.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = {
    "ingest": ["-m", "bench.ingest_bench"],
    "balance": ["-m", "bench.balance_bench"],
    "labels": ["bench/labels_bench.py"],
    "lca": ["bench/lca_bench.py"],
    "certificates": ["bench/certificates_bench.py"],
    "routing": ["bench/routing_bench.py", "--time-limit", "10"],
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip", nargs="*", default=[], choices=sorted(BENCHES))
    args = ap.parse_args()
    failed = []
    for name, cmd in BENCHES.items():
        if name in args.skip:
            continue
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, *cmd], cwd=ROOT).returncode != 0:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
