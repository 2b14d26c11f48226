"""The figures a certificate states: avoided kg CO2e per asset type and in total, with
the loss rates and LCA assumptions behind them (computed with the `lca` library).

Pure arithmetic over a month's inputs (app/certificates/data.py): the same inputs give
the same figures, to the digit.
"""
from __future__ import annotations

import math

import lca
from app.certificates.data import LOSS_WINDOW_MONTHS, MonthInputs, ScopeInputs


def loss_options(inputs: MonthInputs, ps: lca.ProfileSet) -> tuple[dict, dict]:
    """Per LCA profile: the calculator options (the observed loss rate, when trips closed in
    the window) and the notes the document states about that rate."""
    per_profile: dict[str, list[int]] = {}
    for type_id, (completed, lost) in inputs.loss_counts.items():
        profile = inputs.asset_types.get(type_id, (None, None))[1]
        if profile in ps.profiles:
            acc = per_profile.setdefault(profile, [0, 0])
            acc[0] += completed
            acc[1] += lost
    options, notes = {}, {}
    window = {"from": inputs.month.shifted(-(LOSS_WINDOW_MONTHS - 1)).text, "to": inputs.month.text}
    for profile in ps.ids():
        completed, lost = per_profile.get(profile, (0, 0))
        if completed > 0:
            rate = lost / (completed + lost)
            options[profile] = lca.CalcOptions(loss_rate=rate)
            notes[profile] = {"loss_rate": rate, "loss_rate_source": "observed", "completed_trips": completed,
                              "lost_trips": lost, "window": window}
        else:
            notes[profile] = {"loss_rate": ps[profile].default_loss_rate, "loss_rate_source": "profile_default",
                              "completed_trips": completed, "lost_trips": lost, "window": window}
    return options, notes


def _figures(result: lca.Result) -> dict:
    return {"avoided_kg_co2e": result.avoided_kg_co2e, "low_kg_co2e": result.low_kg_co2e,
            "high_kg_co2e": result.high_kg_co2e, "reusable_kg_co2e": result.reusable_kg_co2e,
            "baseline_kg_co2e": result.baseline_kg_co2e}


def compute(scope: ScopeInputs, inputs: MonthInputs, options: dict, loss_notes: dict, fs, ps) -> dict:
    """Figures of one certificate: per asset type, totals, and the assumptions used."""
    rows, per_profile = [], {}
    for type_id in sorted(scope.by_asset_type):
        n, out_km, ret_km = scope.by_asset_type[type_id]
        name, profile = inputs.asset_types.get(type_id, (type_id, None))
        row = {"asset_type": type_id, "name": name, "lca_profile": profile, "trip_count": n,
               "outbound_km": out_km, "return_km": ret_km}
        if profile is None:
            row.update(credited=False, reason="asset type has no LCA profile (set asset_types.lca_profile)")
        elif profile not in ps.profiles:
            row.update(credited=False, reason=f"LCA profile {profile!r} is not in profile set {ps.version}")
        else:
            totals = lca.Totals(n, out_km, ret_km)
            result = lca.aggregate_totals({profile: totals}, options=options, factor_set=fs, profiles=ps)
            row.update(credited=True, reason=None, **_figures(result))
            acc = per_profile.setdefault(profile, [0, 0.0, 0.0])
            acc[0] += n
            acc[1] += out_km
            acc[2] += ret_km
        rows.append(row)
    total = lca.aggregate_totals({p: lca.Totals(*v) for p, v in per_profile.items()}, options=options,
                                 factor_set=fs, profiles=ps)
    assumptions = {}
    for pid, pa in total.by_profile.items():
        prof = ps[pid]
        assumptions[pid] = {
            "description": prof.description,
            "functional_unit": prof.functional_unit,
            "reference_scenario": f"{prof.baseline.units_per_trip:g} x {prof.baseline.name} per trip",
            **loss_notes[pid], **{k: v for k, v in pa.assumptions.items() if k != "loss_rate"},
        }
    not_credited = sum(r["trip_count"] for r in rows if not r["credited"])
    totals = {"trip_count": total.trip_count, "not_credited_trip_count": not_credited, **_figures(total),
              "breakdown_kg_co2e": {side: dict(stages) for side, stages in total.breakdown.items()}}
    return tidy({"by_asset_type": rows, "totals": totals, "assumptions": assumptions,
                 "factor_set": {"version": fs.version, "content_hash": fs.content_hash},
                 "profile_set": {"version": ps.version, "content_hash": ps.content_hash}})


def tidy(value):
    """Floats to 15 significant digits. Any 15-digit decimal has its own double, so a
    digit changed in the signed JSON always changes the value and breaks the signature
    (a 17-digit repr can take a changed last digit and still parse to the same number)."""
    if isinstance(value, float):
        return float(f"{value:.15g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [tidy(v) for v in value]
    return value
