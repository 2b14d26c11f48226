"""Command line: ``python -m lca {profiles,per-trip,factors}``.

Bad input never produces a traceback: the message names the option at fault,
goes to stderr, and the exit status is 2 (argparse's convention).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Sequence

from .calc import per_trip
from .errors import FactorFileError, LcaError, ProfileError
from .factors import default_factor_set, factor_rows, load_factor_set
from .model import CalcOptions
from .profiles import default_profiles

DEFAULT_OUTBOUND_KM = 200.0


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _km(text: str) -> float:
    value = _float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"distance must be >= 0 km, got {text}")
    return value


def _loss_rate(text: str) -> float:
    value = _float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"loss rate must be in [0, 1), got {text}")
    return value


def _positive(text: str) -> float:
    value = _float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # same format as argparse, exit status 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m lca", description="Avoided CO2e of reusable packaging trips (ISO 14067 / WBCSD avoided emissions).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("profiles", help="list packaging profiles")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    f = sub.add_parser("factors", help="list (and validate) a factor set")
    f.add_argument("--factor-set", metavar="FILE", help="YAML or CSV factor file (default: built-in set)")
    f.add_argument("--json", action="store_true", help="machine-readable output")

    t = sub.add_parser("per-trip", help="avoided emissions of one trip")
    t.add_argument("--profile", required=True, metavar="NAME", help="profile id (see 'profiles')")
    t.add_argument("--outbound-km", type=_km, default=DEFAULT_OUTBOUND_KM, metavar="KM", help=f"delivery distance (default {DEFAULT_OUTBOUND_KM:g})")
    t.add_argument("--return-km", type=_km, default=None, metavar="KM", help="empty return distance actually driven (default: same as outbound)")
    t.add_argument("--loss-rate", type=_loss_rate, default=None, metavar="R", help="probability an asset is lost per trip, in [0, 1) (default: profile)")
    t.add_argument("--trips-per-year", type=_positive, default=None, metavar="N", help="rotations per asset per year; caps life at design years x N")
    t.add_argument("--electricity", default=None, metavar="FACTOR_ID", help="grid factor for washing, e.g. electricity.cn_grid")
    t.add_argument("--factor-set", metavar="FILE", help="YAML or CSV factor file (default: built-in set)")
    t.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _fail(option: str, message: str) -> int:
    sys.stderr.write(f"python -m lca: error: {option}: {message}\n")
    return 2


def _load_fs(path: str | None):
    return default_factor_set() if path is None else load_factor_set(path)


def _cmd_profiles(args) -> int:
    ps = default_profiles()
    rows = []
    for pid in ps.ids():
        pr = ps[pid]
        rows.append(
            {
                "id": pid,
                "description": pr.description,
                "functional_unit": pr.functional_unit,
                "reusable": {"name": pr.reusable.name, "tare_mass_kg": pr.reusable.tare_mass_kg, "design_life_trips": pr.reusable.design_life_trips, "design_life_years": pr.reusable.design_life_years},
                "baseline": {"name": pr.baseline.name, "units_per_trip": pr.baseline.units_per_trip, "unit_mass_kg": pr.baseline.unit_mass_kg},
                "default_loss_rate": pr.default_loss_rate,
            }
        )
    if args.json:
        print(json.dumps({"profiles_version": ps.version, "profiles": rows}, indent=2))
        return 0
    print(f"profiles {ps.version}")
    for r in rows:
        print(f"  {r['id']:<30} {r['description']}")
    return 0


def _cmd_factors(args) -> int:
    try:
        fs = _load_fs(args.factor_set)
    except FactorFileError as exc:
        return _fail("--factor-set", str(exc))
    rows = list(factor_rows(fs))
    if args.json:
        print(json.dumps({"factor_set": fs.version, "factor_set_hash": fs.content_hash, "factors": rows}, indent=2))
        return 0
    print(f"factor set {fs.version}  {fs.content_hash}")
    for r in rows:
        flag = " (assumption)" if r["assumption"] else ""
        print(f"  {r['id']:<36} {r['value']:>10.5g} {r['unit']:<12} [{r['low']:.4g}, {r['high']:.4g}]  {r['publisher']} {r['year']}{flag}")
    return 0


def _cmd_per_trip(args) -> int:
    ps = default_profiles()
    if args.profile not in ps.profiles:
        return _fail("--profile", f"unknown profile {args.profile!r} (known: {', '.join(ps.ids())})")
    try:
        fs = _load_fs(args.factor_set)
    except FactorFileError as exc:
        return _fail("--factor-set", str(exc))
    if args.electricity is not None and (args.electricity not in fs or fs[args.electricity].category != "electricity"):
        known = ", ".join(i for i in fs.ids() if fs[i].category == "electricity")
        return _fail("--electricity", f"not an electricity factor in {fs.version!r}: {args.electricity!r} (known: {known})")
    return_km = args.outbound_km if args.return_km is None else args.return_km
    options = CalcOptions(loss_rate=args.loss_rate, trips_per_year=args.trips_per_year, electricity=args.electricity)
    try:
        result = per_trip(args.profile, args.outbound_km, return_km, options=options, factor_set=fs, profiles=ps)
    except ProfileError as exc:  # the profile needs a factor this set lacks or misuses
        return _fail("--factor-set", str(exc))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    a = result.assumptions
    print(f"profile     {args.profile}   factor set {result.factor_set} ({result.factor_set_hash[:19]}...)")
    print(f"inputs      outbound {args.outbound_km:g} km, return {return_km:g} km, loss rate {a['loss_rate']:g}, effective trips {a['effective_trips']:.2f}")
    print(f"{'stage':<22}{'reusable':>14}{'baseline':>14}   kg CO2e per trip")
    stages = list(result.breakdown["reusable"]) + [s for s in result.breakdown["baseline"] if s not in result.breakdown["reusable"]]
    for s in stages:
        ru = result.breakdown["reusable"].get(s)
        ba = result.breakdown["baseline"].get(s)
        print(f"{s:<22}{'' if ru is None else f'{ru:.4f}':>14}{'' if ba is None else f'{ba:.4f}':>14}")
    print(f"{'total':<22}{result.reusable_kg_co2e:>14.4f}{result.baseline_kg_co2e:>14.4f}")
    print(f"avoided     {result.avoided_kg_co2e:.4f} kg CO2e  (range {result.low_kg_co2e:.4f} to {result.high_kg_co2e:.4f})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "profiles":
            return _cmd_profiles(args)
        if args.command == "factors":
            return _cmd_factors(args)
        return _cmd_per_trip(args)
    except LcaError as exc:  # anything else the data can be wrong about
        return _fail(args.command, str(exc))
