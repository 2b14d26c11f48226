"""Batch API: aggregate of many trips == sum of single trips, input checks."""

from __future__ import annotations

import math
import random

import pytest

from lca import CalcOptions, InputError, ProfileError, Totals, TripInput, aggregate_totals, aggregate_trips, per_trip, sum_trips

IDS = ["ibc-1000-vs-steel-drums", "ibc-1000-vs-composite-ibc", "crate-600x400-vs-corrugated", "pallet-box-vs-wooden-crate"]


def rel_close(a: float, b: float, rel: float = 1e-9) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-12)


def synthetic_trips(n: int, seed: int = 7) -> list[TripInput]:
    rng = random.Random(seed)
    return [TripInput(rng.choice(IDS), rng.lognormvariate(5.0, 0.6), rng.uniform(0, 900)) for _ in range(n)]


def test_aggregate_equals_sum_of_single_trips():
    trips = synthetic_trips(2000)
    agg = aggregate_trips(trips)
    singles = [per_trip(t.profile_id, t.outbound_km, t.return_km) for t in trips]
    assert agg.trip_count == len(trips)
    for name in ("avoided_kg_co2e", "reusable_kg_co2e", "baseline_kg_co2e"):
        assert rel_close(getattr(agg, name), math.fsum(getattr(s, name) for s in singles)), name
    for side in ("reusable", "baseline"):
        for stage, value in agg.breakdown[side].items():
            assert rel_close(value, math.fsum(s.breakdown[side][stage] for s in singles)), (side, stage)
    # Bounds are linear too when every trip of a profile shares its options.
    for pid, pa in agg.by_profile.items():
        mine = [s for s in singles if s.profile_id == pid]
        assert pa.totals.trip_count == len(mine)
        assert rel_close(pa.result.low_kg_co2e, math.fsum(s.low_kg_co2e for s in mine))
        assert rel_close(pa.result.high_kg_co2e, math.fsum(s.high_kg_co2e for s in mine))
    assert rel_close(agg.avoided_kg_co2e, math.fsum(pa.result.avoided_kg_co2e for pa in agg.by_profile.values()))


def test_aggregate_records_the_inputs_used():
    trips = [TripInput("crate-600x400-vs-corrugated", 100.0, 50.0), TripInput("crate-600x400-vs-corrugated", 20.0, 30.0), TripInput("ibc-1000-vs-steel-drums", 300.0, 0.0)]
    agg = aggregate_trips(trips)
    assert agg.by_profile["crate-600x400-vs-corrugated"].totals == Totals(2, 120.0, 80.0)
    assert agg.by_profile["ibc-1000-vs-steel-drums"].totals == Totals(1, 300.0, 0.0)
    d = agg.to_dict()
    assert d["trip_count"] == 3
    assert d["inputs"]["crate-600x400-vs-corrugated"]["outbound_km"] == 120.0
    assert d["factor_set"] == "circ-default-2026.1"
    assert d["inputs"]["ibc-1000-vs-steel-drums"]["assumptions"]["loss_rate"] == 0.005


def test_options_per_profile_apply_in_aggregate():
    trips = [TripInput("crate-600x400-vs-corrugated", 100.0, 100.0)] * 3
    plain = aggregate_trips(trips)
    lossy = aggregate_trips(trips, options={"crate-600x400-vs-corrugated": CalcOptions(loss_rate=0.1)})
    assert lossy.avoided_kg_co2e < plain.avoided_kg_co2e
    single = per_trip("crate-600x400-vs-corrugated", 100.0, 100.0, options=CalcOptions(loss_rate=0.1))
    assert rel_close(lossy.avoided_kg_co2e, 3 * single.avoided_kg_co2e)


def test_empty_batch_is_zero():
    agg = aggregate_trips([])
    assert agg.trip_count == 0 and agg.avoided_kg_co2e == 0.0 and agg.low_kg_co2e == 0.0


def test_aggregate_totals_matches_aggregate_trips():
    trips = synthetic_trips(500, seed=3)
    assert aggregate_totals(sum_trips(trips)).to_dict() == aggregate_trips(trips).to_dict()


@pytest.mark.parametrize(
    "trip, match",
    [
        (TripInput("crate-600x400-vs-corrugated", -1.0, 0.0), "outbound_km must be a number >= 0"),
        (TripInput("crate-600x400-vs-corrugated", 1.0, -0.5), "return_km must be a number >= 0"),
        (TripInput("crate-600x400-vs-corrugated", float("nan"), 0.0), "outbound_km"),
        (TripInput("crate-600x400-vs-corrugated", 1.0, float("inf")), "non-finite"),
    ],
)
def test_bad_trips_are_rejected(trip, match):
    with pytest.raises(InputError, match=match):
        aggregate_trips([TripInput("crate-600x400-vs-corrugated", 1.0, 1.0), trip])


def test_unknown_profile_and_bad_options():
    with pytest.raises(ProfileError, match="unknown profile 'pallet'"):
        aggregate_trips([TripInput("pallet", 1.0, 1.0)])
    with pytest.raises(InputError, match="loss_rate must be < 1"):
        per_trip("crate-600x400-vs-corrugated", 1, 1, options=CalcOptions(loss_rate=1.0))
    with pytest.raises(InputError, match="trips_per_year must be > 0"):
        per_trip("crate-600x400-vs-corrugated", 1, 1, options=CalcOptions(trips_per_year=0))
    with pytest.raises(InputError, match="electricity must be an electricity factor"):
        per_trip("crate-600x400-vs-corrugated", 1, 1, options=CalcOptions(electricity="material.pp"))
    with pytest.raises(InputError, match="outbound_km must be >= 0"):
        per_trip("crate-600x400-vs-corrugated", -5, 1)
    with pytest.raises(InputError, match="trip_count"):
        aggregate_totals({"crate-600x400-vs-corrugated": Totals(-1, 0.0, 0.0)})


def test_china_grid_option_changes_only_washing():
    eu = per_trip("ibc-1000-vs-steel-drums", 200, 200)
    cn = per_trip("ibc-1000-vs-steel-drums", 200, 200, options=CalcOptions(electricity="electricity.cn_grid"))
    assert cn.breakdown["reusable"]["washing"] > eu.breakdown["reusable"]["washing"]
    for stage in ("manufacture", "end_of_life", "return_transport", "outbound_transport"):
        assert cn.breakdown["reusable"][stage] == eu.breakdown["reusable"][stage]
    assert cn.assumptions["washing_electricity_factor"] == "electricity.cn_grid"
