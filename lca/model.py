"""Per-trip model: stages of the reusable system and of the single-use baseline.

Functional unit: delivery of one load of content (what one reusable asset
carries) from filler to customer in one trip.  The content itself, and its
transport, are identical in both systems and cancel, so only the packaging is
modelled (see docs/lca-methodology.md for the full boundary).

Each stage is split into three linear forms over factor ids (see linear.py):
a part per trip, a part per outbound km and a part per return km.  Results
are linear in distance, which is what makes monthly aggregation cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from . import linear
from .errors import InputError
from .factors import FactorSet
from .profile_types import MaterialRoutes, MaterialShare, PackagingProfile, ProfileSet, ReusableAsset
from .profiles import check_profile, freight_factor_ids

REUSABLE_STAGES = ("manufacture", "end_of_life", "washing", "repair", "consumables", "return_transport", "outbound_transport")
BASELINE_STAGES = ("manufacture", "end_of_life", "outbound_transport")


@dataclass(frozen=True)
class CalcOptions:
    """Per-profile overrides; None means "use the profile default"."""

    loss_rate: float | None = None  # probability an asset is lost (or scrapped early) per trip
    trips_per_year: float | None = None  # observed rotations per asset per year
    electricity: str | None = None  # factor id for the washing site's grid


def _check_number(name: str, value: float, *, minimum: float = 0.0, strict: bool = False, below: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{name} must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise InputError(f"{name} must be finite, got {value!r}")
    if v < minimum or (strict and v == minimum):
        raise InputError(f"{name} must be {'>' if strict else '>='} {minimum}, got {value!r}")
    if below is not None and v >= below:
        raise InputError(f"{name} must be < {below}, got {value!r}")
    return v


def check_distance(name: str, km: float) -> float:
    return _check_number(name, km)


def life_trips(design_life_trips: float, design_life_years: float, trips_per_year: float | None) -> float:
    """Trips an asset can make before it wears out or ages out.

    Calendar ageing: an asset turned only a few times a year reaches its
    design life in years (UV, creep, fatigue; ADR caps plastic IBCs for
    dangerous goods at five years) before its design life in trips, so
    L = min(design_life_trips, design_life_years x trips_per_year), and at
    least the one trip being accounted for.
    """
    if trips_per_year is None:
        return design_life_trips
    return max(1.0, min(design_life_trips, design_life_years * trips_per_year))


def effective_trips(life: float, loss_rate: float) -> float:
    """Expected trips an asset makes, given loss probability p per trip.

    After each trip the asset is lost with probability p, so the number of
    trips N = min(L, G) with G geometric on {1, 2, ...}.  E[N] = sum over
    k = 0..L-1 of P(G > k) = sum (1-p)^k = (1 - (1-p)^L) / p, and L when p = 0.
    Computed with expm1/log1p so that tiny p stays accurate.
    """
    p = loss_rate
    if p == 0.0:
        return life
    if p < 1e-9:
        # Second-order series; avoids dividing subnormal numbers, and its
        # error (~p^2 L^3 / 6) is far below any reported digit.
        return life - p * life * (life - 1.0) / 2.0
    return -math.expm1(life * math.log1p(-p)) / p


def _material_forms(shares: tuple[MaterialShare, ...], mass_kg: float, routes: Mapping[str, MaterialRoutes]) -> tuple[linear.Form, linear.Form]:
    """(manufacture form, end-of-life form) for ``mass_kg`` of an item."""
    make: linear.Form = {}
    eol: linear.Form = {}
    for ms in shares:
        kg = mass_kg * ms.share
        r = routes[ms.material]
        make[r.manufacture] = make.get(r.manufacture, 0.0) + kg
        for route, frac in ms.eol.items():
            if frac > 0.0:
                fid = r.eol[route]
                eol[fid] = eol.get(fid, 0.0) + kg * frac
    return make, eol


@dataclass(frozen=True)
class StageForms:
    per_trip: Mapping[str, float]
    per_outbound_km: Mapping[str, float]
    per_return_km: Mapping[str, float]


def _stage(per_trip=None, per_out=None, per_ret=None) -> StageForms:
    return StageForms(MappingProxyType(dict(per_trip or {})), MappingProxyType(dict(per_out or {})), MappingProxyType(dict(per_ret or {})))


@dataclass(frozen=True)
class ProfileModel:
    """A profile resolved against options: linear forms per stage + assumptions."""

    profile: PackagingProfile
    options: CalcOptions
    reusable: Mapping[str, StageForms]
    baseline: Mapping[str, StageForms]
    assumptions: Mapping[str, object]


def build_model(profile: PackagingProfile, profiles: ProfileSet, factor_set: FactorSet, options: CalcOptions | None = None) -> ProfileModel:
    opts = options or CalcOptions()
    loss, tpy = _checked_options(opts, profile, factor_set)
    check_profile(profile, profiles.materials, factor_set)
    ru = profile.reusable
    grid = opts.electricity or ru.washing.electricity
    life = life_trips(ru.design_life_trips, ru.design_life_years, tpy)
    eff = effective_trips(life, loss)
    per_ret_km, n_per_truck, laden = _return_per_km(ru)
    reusable = _reusable_stages(profile, profiles.materials, grid, eff, per_ret_km)
    baseline, ba_mass = _baseline_stages(profile, profiles.materials)
    assumptions = {
        "loss_rate": loss,
        "trips_per_year": tpy,
        "design_life_trips": ru.design_life_trips,
        "design_life_years": ru.design_life_years,
        "life_trips": life,
        "effective_trips": eff,
        "reusable_tare_mass_kg": ru.tare_mass_kg,
        "baseline_mass_per_trip_kg": ba_mass,
        "baseline_units_per_trip": profile.baseline.units_per_trip,
        "washing_electricity_factor": grid,
        "outbound_truck_class": profile.outbound_truck_class,
        "return_truck_class": ru.return_logistics.truck_class,
        "return_assets_per_truck": n_per_truck,
        "return_laden_fraction": laden,
    }
    return ProfileModel(profile, opts, MappingProxyType(reusable), MappingProxyType(baseline), MappingProxyType(assumptions))


def _checked_options(opts: CalcOptions, profile: PackagingProfile, factor_set: FactorSet) -> tuple[float, float | None]:
    """(loss rate, trips per year) after checking every override."""
    loss = profile.default_loss_rate if opts.loss_rate is None else _check_number("loss_rate", opts.loss_rate, below=1.0)
    tpy = None if opts.trips_per_year is None else _check_number("trips_per_year", opts.trips_per_year, strict=True)
    if opts.electricity is not None:
        f = factor_set.factors.get(opts.electricity)
        if f is None or f.category != "electricity":
            known = ", ".join(i for i in factor_set.ids() if factor_set[i].category == "electricity")
            raise InputError(f"electricity must be an electricity factor id (known: {known}), got {opts.electricity!r}")
    return loss, tpy


def _return_per_km(ru: ReusableAsset) -> tuple[linear.Form, float, float]:
    """(form per return km, assets per truck, laden fraction) of the empty return.

    Allocated per ISO 14083 by mass among the assets on the truck: all carry
    the same tare, so each gets 1/n of the vehicle-km.  The vehicle-km factor
    is interpolated between 0% and 100% laden on the laden fraction by mass of
    the returning load.
    """
    rl = ru.return_logistics
    n_per_truck = rl.assets_per_truckload * rl.load_factor
    laden = min(1.0, n_per_truck * ru.tare_mass_kg / rl.payload_capacity_kg)
    vkm = freight_factor_ids(rl.truck_class)
    return {vkm["vkm_empty"]: (1.0 - laden) / n_per_truck, vkm["vkm_full"]: laden / n_per_truck}, n_per_truck, laden


def _reusable_stages(profile: PackagingProfile, routes: Mapping[str, MaterialRoutes], grid: str, eff: float,
                     per_ret_km: linear.Form) -> dict[str, StageForms]:
    ru = profile.reusable
    make, eol = _material_forms(ru.materials, ru.tare_mass_kg, routes)
    w = ru.washing
    washing = {"water.supply": w.water_l / 1000.0, "water.treatment": w.water_l / 1000.0, grid: w.energy_kwh}
    linear.add(washing, {w.detergent: w.detergent_kg})
    rep_make, rep_eol = _material_forms(ru.repair.materials, ru.repair.mass_kg, routes)
    repair = linear.combine((rep_make, ru.repair.rate_per_trip), (rep_eol, ru.repair.rate_per_trip))
    consumables: linear.Form = {}
    for c in ru.consumables:
        c_make, c_eol = _material_forms(c.materials, c.mass_kg, routes)
        linear.add(consumables, c_make)
        linear.add(consumables, c_eol)
    # Outbound: each system carries its own packaging mass on the delivery
    # (tonne-km allocation); the content is the same and cancels.
    tkm = freight_factor_ids(profile.outbound_truck_class)["tkm"]
    return {
        "manufacture": _stage(per_trip=linear.combine((make, 1.0 / eff))),
        "end_of_life": _stage(per_trip=linear.combine((eol, 1.0 / eff))),
        "washing": _stage(per_trip=washing),
        "repair": _stage(per_trip=repair),
        "consumables": _stage(per_trip=consumables),
        "return_transport": _stage(per_ret=per_ret_km),
        "outbound_transport": _stage(per_out={tkm: ru.tare_mass_kg / 1000.0}),
    }


def _baseline_stages(profile: PackagingProfile, routes: Mapping[str, MaterialRoutes]) -> tuple[dict[str, StageForms], float]:
    """(stages, packaging mass per trip in kg) of the single-use baseline."""
    ba = profile.baseline
    ba_mass = ba.units_per_trip * ba.unit_mass_kg
    ba_make, ba_eol = _material_forms(ba.materials, ba_mass, routes)
    tkm = freight_factor_ids(profile.outbound_truck_class)["tkm"]
    stages = {
        "manufacture": _stage(per_trip=ba_make),
        "end_of_life": _stage(per_trip=ba_eol),
        "outbound_transport": _stage(per_out={tkm: ba_mass / 1000.0}),
    }
    return stages, ba_mass


def stage_form(stage: StageForms, trips: float, outbound_km: float, return_km: float) -> linear.Form:
    """The form of one stage for ``trips`` trips with the given total km."""
    return linear.combine((stage.per_trip, trips), (stage.per_outbound_km, outbound_km), (stage.per_return_km, return_km))
