"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from hypothesis import given, settings
from hypothesis import strategies as st

from lca import CalcOptions, default_profiles, effective_trips, per_trip

PROFILES = st.sampled_from(
    ["ibc-1000-vs-steel-drums", "ibc-1000-vs-composite-ibc", "crate-600x400-vs-corrugated", "pallet-box-vs-wooden-crate"]
)
KM = st.floats(min_value=0.0, max_value=3000.0, allow_nan=False)
LOSS = st.floats(min_value=0.0, max_value=0.5, allow_nan=False)
FAST = settings(max_examples=60, deadline=None, database=None)


def _with_life(profile_id: str, trips: float):
    ps = default_profiles()
    prof = ps[profile_id]
    new = dataclasses.replace(prof, reusable=dataclasses.replace(prof.reusable, design_life_trips=trips))
    profiles = dict(ps.profiles)
    profiles[profile_id] = new
    return dataclasses.replace(ps, profiles=MappingProxyType(profiles))


@FAST
@given(PROFILES, KM, KM, st.floats(min_value=0.001, max_value=500.0))
def test_more_return_km_gives_less_avoided(pid, out_km, ret_km, extra):
    a = per_trip(pid, out_km, ret_km)
    b = per_trip(pid, out_km, ret_km + extra)
    assert b.avoided_kg_co2e < a.avoided_kg_co2e
    assert b.baseline_kg_co2e == a.baseline_kg_co2e
    assert b.low_kg_co2e < a.low_kg_co2e and b.high_kg_co2e < a.high_kg_co2e


@FAST
@given(PROFILES, KM, KM, st.floats(min_value=1.0, max_value=500.0), st.floats(min_value=0.5, max_value=500.0), LOSS)
def test_longer_design_life_gives_more_avoided(pid, out_km, ret_km, life, extra, loss):
    opts = CalcOptions(loss_rate=loss)
    a = per_trip(pid, out_km, ret_km, options=opts, profiles=_with_life(pid, life))
    b = per_trip(pid, out_km, ret_km, options=opts, profiles=_with_life(pid, life + extra))
    # Strict unless the chance of surviving ``life`` trips, (1-p)^L, is below
    # double precision: then the extra life is unreachable in practice too.
    assert b.avoided_kg_co2e >= a.avoided_kg_co2e
    if (1.0 - loss) ** life > 1e-9:
        assert b.avoided_kg_co2e > a.avoided_kg_co2e


@FAST
@given(PROFILES, KM, KM, LOSS, st.floats(min_value=1e-4, max_value=0.4))
def test_higher_loss_rate_gives_less_avoided(pid, out_km, ret_km, loss, extra):
    a = per_trip(pid, out_km, ret_km, options=CalcOptions(loss_rate=loss))
    b = per_trip(pid, out_km, ret_km, options=CalcOptions(loss_rate=min(loss + extra, 0.99)))
    assert b.avoided_kg_co2e < a.avoided_kg_co2e


@FAST
@given(PROFILES, KM, KM, LOSS, st.one_of(st.none(), st.floats(min_value=0.05, max_value=100.0)))
def test_band_contains_central_value(pid, out_km, ret_km, loss, tpy):
    r = per_trip(pid, out_km, ret_km, options=CalcOptions(loss_rate=loss, trips_per_year=tpy))
    eps = 1e-9 * max(1.0, abs(r.baseline_kg_co2e))
    assert r.low_kg_co2e <= r.high_kg_co2e
    assert r.low_kg_co2e - eps <= r.avoided_kg_co2e <= r.high_kg_co2e + eps
    assert r.reusable_low_kg_co2e - eps <= r.reusable_kg_co2e <= r.reusable_high_kg_co2e + eps
    assert r.baseline_low_kg_co2e - eps <= r.baseline_kg_co2e <= r.baseline_high_kg_co2e + eps
    # Net-coefficient bounds are never wider than naive interval subtraction.
    assert r.low_kg_co2e >= r.baseline_low_kg_co2e - r.reusable_high_kg_co2e - eps
    assert r.high_kg_co2e <= r.baseline_high_kg_co2e - r.reusable_low_kg_co2e + eps
    # Breakdown adds up to the totals.
    assert abs(sum(r.breakdown["reusable"].values()) - r.reusable_kg_co2e) <= eps
    assert abs(sum(r.breakdown["baseline"].values()) - r.baseline_kg_co2e) <= eps


@FAST
@given(PROFILES, KM, KM, KM, KM)
def test_result_is_linear_in_distance(pid, o1, r1, o2, r2):
    a = per_trip(pid, o1, r1)
    b = per_trip(pid, o2, r2)
    c = per_trip(pid, o1 + o2, r1 + r2)
    z = per_trip(pid, 0.0, 0.0)
    # f(x1) + f(x2) = f(x1 + x2) + f(0) for an affine f.
    lhs = a.avoided_kg_co2e + b.avoided_kg_co2e
    rhs = c.avoided_kg_co2e + z.avoided_kg_co2e
    assert abs(lhs - rhs) <= 1e-9 * max(1.0, abs(lhs))


@FAST
@given(st.floats(min_value=1.0, max_value=1000.0), st.floats(min_value=0.0, max_value=0.99))
def test_effective_trips_bounded(life, p):
    eff = effective_trips(life, p)
    assert 1.0 - 1e-12 <= eff <= life + 1e-9
    if p > 0:
        assert eff <= 1.0 / p + 1e-9
