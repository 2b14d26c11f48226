"""Public calculation API: one trip, or many trips aggregated.

Both paths evaluate the same linear forms (model.py), the single trip with
(1 trip, its km) and the aggregate with (N trips, summed km), so the
aggregate of N trips equals the sum of the N single-trip results up to
floating-point rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from . import linear
from .errors import InputError
from .factors import FactorSet, default_factor_set
from .model import BASELINE_STAGES, REUSABLE_STAGES, CalcOptions, ProfileModel, build_model, check_distance, stage_form
from .profiles import ProfileSet, default_profiles


@dataclass(frozen=True, slots=True)
class TripInput:
    """One completed trip of a reusable asset, as the certificate service records it."""

    profile_id: str
    outbound_km: float
    return_km: float


@dataclass(frozen=True)
class Totals:
    """Activity summed over trips of one profile: all the aggregate needs."""

    trip_count: int
    outbound_km: float
    return_km: float


@dataclass(frozen=True)
class Result:
    """Emissions for some number of trips, kg CO2e.

    ``low_kg_co2e``/``high_kg_co2e`` bound the *avoided* emissions; the
    reusable and baseline totals carry their own bounds.  ``breakdown`` maps
    "reusable"/"baseline" to stage -> kg CO2e (central values).
    """

    avoided_kg_co2e: float
    reusable_kg_co2e: float
    baseline_kg_co2e: float
    low_kg_co2e: float
    high_kg_co2e: float
    reusable_low_kg_co2e: float
    reusable_high_kg_co2e: float
    baseline_low_kg_co2e: float
    baseline_high_kg_co2e: float
    breakdown: Mapping[str, Mapping[str, float]]
    factor_set: str
    factor_set_hash: str
    profiles_version: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "avoided_kg_co2e": self.avoided_kg_co2e,
            "reusable_kg_co2e": self.reusable_kg_co2e,
            "baseline_kg_co2e": self.baseline_kg_co2e,
            "low_kg_co2e": self.low_kg_co2e,
            "high_kg_co2e": self.high_kg_co2e,
            "reusable_low_kg_co2e": self.reusable_low_kg_co2e,
            "reusable_high_kg_co2e": self.reusable_high_kg_co2e,
            "baseline_low_kg_co2e": self.baseline_low_kg_co2e,
            "baseline_high_kg_co2e": self.baseline_high_kg_co2e,
            "breakdown": {side: dict(stages) for side, stages in self.breakdown.items()},
            "factor_set": self.factor_set,
            "factor_set_hash": self.factor_set_hash,
            "profiles_version": self.profiles_version,
        }


@dataclass(frozen=True)
class TripResult(Result):
    profile_id: str = ""
    outbound_km: float = 0.0
    return_km: float = 0.0
    assumptions: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(profile_id=self.profile_id, inputs={"outbound_km": self.outbound_km, "return_km": self.return_km}, assumptions=dict(self.assumptions))
        return out


@dataclass(frozen=True)
class ProfileAggregate:
    profile_id: str
    totals: Totals
    result: Result
    assumptions: Mapping[str, Any]


@dataclass(frozen=True)
class AggregateResult(Result):
    trip_count: int = 0
    by_profile: Mapping[str, ProfileAggregate] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["trip_count"] = self.trip_count
        out["inputs"] = {
            pid: {
                "trip_count": pa.totals.trip_count,
                "outbound_km": pa.totals.outbound_km,
                "return_km": pa.totals.return_km,
                "assumptions": dict(pa.assumptions),
            }
            for pid, pa in self.by_profile.items()
        }
        out["by_profile"] = {pid: pa.result.to_dict() for pid, pa in self.by_profile.items()}
        return out


def _evaluate(models: list[tuple[ProfileModel, Totals]], fs: FactorSet, profiles: ProfileSet, cls=Result, **extra) -> Result:
    """Evaluate summed forms for (model, totals) pairs into one result."""
    reusable_total: linear.Form = {}
    baseline_total: linear.Form = {}
    breakdown = {"reusable": {s: 0.0 for s in REUSABLE_STAGES}, "baseline": {s: 0.0 for s in BASELINE_STAGES}}
    for model, t in models:
        for side, stages, total in (("reusable", model.reusable, reusable_total), ("baseline", model.baseline, baseline_total)):
            for name, stage in stages.items():
                form = stage_form(stage, t.trip_count, t.outbound_km, t.return_km)
                breakdown[side][name] += linear.central(form, fs)
                linear.add(total, form)
    reusable = linear.central(reusable_total, fs)
    baseline = linear.central(baseline_total, fs)
    r_lo, r_hi = linear.bounds(reusable_total, fs)
    b_lo, b_hi = linear.bounds(baseline_total, fs)
    a_lo, a_hi = linear.bounds(linear.combine((baseline_total, 1.0), (reusable_total, -1.0)), fs)
    return cls(
        avoided_kg_co2e=baseline - reusable,
        reusable_kg_co2e=reusable,
        baseline_kg_co2e=baseline,
        low_kg_co2e=a_lo,
        high_kg_co2e=a_hi,
        reusable_low_kg_co2e=r_lo,
        reusable_high_kg_co2e=r_hi,
        baseline_low_kg_co2e=b_lo,
        baseline_high_kg_co2e=b_hi,
        breakdown=MappingProxyType({k: MappingProxyType(v) for k, v in breakdown.items()}),
        factor_set=fs.version,
        factor_set_hash=fs.content_hash,
        profiles_version=profiles.version,
        **extra,
    )


# build_model resolves a profile against a factor set and options (checks
# every factor, computes effective trips...).  The certificate run calls the
# aggregate once per customer with the same few (profile, options) pairs, so
# the resolved models are memoised.  Keys use object identity; the cached
# value keeps the factor and profile sets alive so an id is never reused.
_MODEL_CACHE: dict[tuple, tuple[FactorSet, ProfileSet, ProfileModel]] = {}
_MODEL_CACHE_MAX = 256


def _model(ps: ProfileSet, pid: str, fs: FactorSet, options: CalcOptions | None) -> ProfileModel:
    key = (id(ps), id(fs), pid, options)
    hit = _MODEL_CACHE.get(key)
    if hit is not None and hit[0] is fs and hit[1] is ps:
        return hit[2]
    model = build_model(ps[pid], ps, fs, options)
    if len(_MODEL_CACHE) >= _MODEL_CACHE_MAX:
        _MODEL_CACHE.clear()
    _MODEL_CACHE[key] = (fs, ps, model)
    return model


def _options_for(options: CalcOptions | Mapping[str, CalcOptions] | None, profile_id: str) -> CalcOptions | None:
    if options is None or isinstance(options, CalcOptions):
        return options
    return options.get(profile_id)


def per_trip(
    profile_id: str,
    outbound_km: float,
    return_km: float,
    *,
    options: CalcOptions | None = None,
    factor_set: FactorSet | None = None,
    profiles: ProfileSet | None = None,
) -> TripResult:
    """Avoided emissions of one completed trip (kg CO2e), with band and breakdown."""
    fs = factor_set or default_factor_set()
    ps = profiles or default_profiles()
    out_km = check_distance("outbound_km", outbound_km)
    ret_km = check_distance("return_km", return_km)
    model = _model(ps, profile_id, fs, options)
    return _evaluate(
        [(model, Totals(1, out_km, ret_km))],
        fs,
        ps,
        cls=TripResult,
        profile_id=profile_id,
        outbound_km=out_km,
        return_km=ret_km,
        assumptions=model.assumptions,
    )


def sum_trips(trips: Iterable[TripInput]) -> dict[str, Totals]:
    """Group trips by profile and sum their km -- the only O(N) step."""
    acc: dict[str, list] = {}
    get = acc.get
    for t in trips:
        o = t.outbound_km
        r = t.return_km
        # "not (x >= 0)" also rejects NaN; infinities are caught below.
        if not (o >= 0.0 and r >= 0.0):
            bad = "outbound_km" if not o >= 0.0 else "return_km"
            raise InputError(f"trip {t!r}: {bad} must be a number >= 0")
        a = get(t.profile_id)
        if a is None:
            a = acc[t.profile_id] = [0, 0.0, 0.0]
        a[0] += 1
        a[1] += o
        a[2] += r
    totals = {}
    for pid, (n, o, r) in acc.items():
        if not (math.isfinite(o) and math.isfinite(r)):
            raise InputError(f"profile {pid!r}: trip distances sum to a non-finite value (an infinite km?)")
        totals[pid] = Totals(n, o, r)
    return totals


def aggregate_totals(
    totals: Mapping[str, Totals],
    *,
    options: CalcOptions | Mapping[str, CalcOptions] | None = None,
    factor_set: FactorSet | None = None,
    profiles: ProfileSet | None = None,
) -> AggregateResult:
    """Aggregate result from per-profile totals (trip count, summed km)."""
    fs = factor_set or default_factor_set()
    ps = profiles or default_profiles()
    pairs = []
    by_profile = {}
    for pid in sorted(totals):
        t = totals[pid]
        if isinstance(t.trip_count, bool) or not isinstance(t.trip_count, int) or t.trip_count < 0:
            raise InputError(f"profile {pid!r}: trip_count must be an integer >= 0, got {t.trip_count!r}")
        check_distance(f"profile {pid!r} outbound_km", t.outbound_km)
        check_distance(f"profile {pid!r} return_km", t.return_km)
        model = _model(ps, pid, fs, _options_for(options, pid))
        pairs.append((model, t))
        by_profile[pid] = ProfileAggregate(pid, t, _evaluate([(model, t)], fs, ps), model.assumptions)
    return _evaluate(
        pairs,
        fs,
        ps,
        cls=AggregateResult,
        trip_count=sum(t.trip_count for t in totals.values()),
        by_profile=MappingProxyType(by_profile),
    )


def aggregate_trips(
    trips: Iterable[TripInput],
    *,
    options: CalcOptions | Mapping[str, CalcOptions] | None = None,
    factor_set: FactorSet | None = None,
    profiles: ProfileSet | None = None,
) -> AggregateResult:
    """Aggregate many trips (e.g. one customer's month) into one result.

    Results are linear in distance, so only the trip count and the summed
    outbound and return km per profile are needed; see ``aggregate_totals``.
    """
    return aggregate_totals(sum_trips(trips), options=options, factor_set=factor_set, profiles=profiles)
