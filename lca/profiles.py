"""Packaging profiles: reusable asset + the single-use baseline it replaces.

Profiles are data files (``lca/data/profiles.yaml``).  This module parses them
into the frozen dataclasses of profile_types.py and checks them twice: structurally when loaded, and
against a factor set before a calculation (every referenced factor must
exist and belong to the category its role needs, so a freight factor can
never be used as a material factor).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from .errors import ProfileError
from .factors import DATA_DIR, FactorSet
from .profile_types import (
    Consumable,
    MaterialRoutes,
    MaterialShare,
    PackagingProfile,
    ProfileSet,
    Repair,
    ReturnLogistics,
    ReusableAsset,
    SingleUseBaseline,
    Washing,
)

DEFAULT_PROFILE_FILE = DATA_DIR / "profiles.yaml"
EOL_ROUTES = ("recycling", "incineration", "landfill")
TRUCK_CLASSES = ("rigid_7_5_17t", "rigid_gt17t", "artic_gt33t")
_SHARE_TOL = 1e-6


class _Reader:
    """Reads typed fields from a mapping and names the path on error."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, field: str, msg: str) -> ProfileError:
        return ProfileError(f"{self.where}, field {field!r}: {msg}")

    def map(self, doc: Any, field: str) -> Mapping[str, Any]:
        val = doc.get(field) if isinstance(doc, Mapping) else None
        if not isinstance(val, Mapping):
            raise self.fail(field, "must be a mapping")
        return val

    def text(self, doc: Mapping[str, Any], field: str) -> str:
        val = doc.get(field)
        if not isinstance(val, str) or not val.strip():
            raise self.fail(field, "missing or not text")
        return val.strip()

    def num(self, doc: Mapping[str, Any], field: str, *, minimum: float = 0.0, strict: bool = False, maximum: float | None = None) -> float:
        val = doc.get(field)
        if isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val):
            raise self.fail(field, f"must be a number, got {val!r}")
        if val < minimum or (strict and val == minimum):
            raise self.fail(field, f"must be {'>' if strict else '>='} {minimum}, got {val}")
        if maximum is not None and val > maximum:
            raise self.fail(field, f"must be <= {maximum}, got {val}")
        return float(val)


def _shares(raw: Any, where: str, materials: Mapping[str, MaterialRoutes]) -> tuple[MaterialShare, ...]:
    r = _Reader(where)
    if not isinstance(raw, list) or not raw:
        raise r.fail("materials", "must be a non-empty list")
    out = []
    for i, item in enumerate(raw):
        ri = _Reader(f"{where}.materials[{i}]")
        if not isinstance(item, Mapping):
            raise ri.fail("material", "entry must be a mapping")
        name = ri.text(item, "material")
        if name not in materials:
            raise ri.fail("material", f"unknown material {name!r} (known: {', '.join(sorted(materials))})")
        share = ri.num(item, "share", strict=True, maximum=1.0)
        eol_raw = ri.map(item, "eol")
        eol = {}
        for route, frac in eol_raw.items():
            if route not in EOL_ROUTES:
                raise ri.fail("eol", f"unknown route {route!r} (expected {', '.join(EOL_ROUTES)})")
            eol[route] = ri.num(eol_raw, route, maximum=1.0)
        if abs(sum(eol.values()) - 1.0) > _SHARE_TOL:
            raise ri.fail("eol", f"route shares must sum to 1, got {sum(eol.values())}")
        out.append(MaterialShare(material=name, share=share, eol=MappingProxyType(eol)))
    total = sum(m.share for m in out)
    if abs(total - 1.0) > _SHARE_TOL:
        raise r.fail("materials", f"mass shares must sum to 1, got {total}")
    return tuple(out)


def _truck(doc: Mapping[str, Any], field: str, r: _Reader) -> str:
    val = r.text(doc, field)
    if val not in TRUCK_CLASSES:
        raise r.fail(field, f"unknown truck class {val!r} (expected {', '.join(TRUCK_CLASSES)})")
    return val


def _parse_profile(doc: Any, index: int, materials: Mapping[str, MaterialRoutes]) -> PackagingProfile:
    r = _Reader(f"profiles[{index}]")
    if not isinstance(doc, Mapping):
        raise r.fail("id", "profile must be a mapping")
    pid = r.text(doc, "id")
    r = _Reader(f"profile {pid!r}")
    reusable = _parse_reusable(r.map(doc, "reusable"), f"profile {pid!r}.reusable", materials)
    baseline = _parse_baseline(r.map(doc, "baseline"), f"profile {pid!r}.baseline", materials)
    notes = doc.get("notes") or []
    return PackagingProfile(
        id=pid,
        description=r.text(doc, "description"),
        functional_unit=r.text(doc, "functional_unit"),
        outbound_truck_class=_truck(doc, "outbound_truck_class", r),
        default_loss_rate=_loss_rate(r, doc),
        reusable=reusable,
        baseline=baseline,
        notes=tuple(str(n) for n in notes),
    )


def _parse_reusable(ru: Mapping[str, Any], where: str, materials: Mapping[str, MaterialRoutes]) -> ReusableAsset:
    rr = _Reader(where)
    # Sections first, then fields: a missing section is reported before any bad field.
    wash = rr.map(ru, "washing")
    rep = rr.map(ru, "repair")
    ret = rr.map(ru, "return_logistics")
    consumables = _parse_consumables(ru.get("consumables") or [], where, materials)
    return ReusableAsset(
        name=rr.text(ru, "name"),
        tare_mass_kg=rr.num(ru, "tare_mass_kg", strict=True),
        materials=_shares(ru.get("materials"), rr.where, materials),
        design_life_trips=rr.num(ru, "design_life_trips", minimum=1.0),
        design_life_years=rr.num(ru, "design_life_years", strict=True),
        washing=_parse_washing(wash, f"{where}.washing"),
        repair=_parse_repair(rep, f"{where}.repair", materials),
        consumables=consumables,
        return_logistics=_parse_return_logistics(ret, f"{where}.return_logistics"),
    )


def _parse_consumables(raw: Any, where: str, materials: Mapping[str, MaterialRoutes]) -> tuple[Consumable, ...]:
    consumables = []
    for i, c in enumerate(raw):
        rc = _Reader(f"{where}.consumables[{i}]")
        if not isinstance(c, Mapping):
            raise rc.fail("name", "entry must be a mapping")
        name, mass_kg = rc.text(c, "name"), rc.num(c, "mass_kg")
        consumables.append(Consumable(name, mass_kg, _shares(c.get("materials"), rc.where, materials)))
    return tuple(consumables)


def _parse_washing(wash: Mapping[str, Any], where: str) -> Washing:
    rw = _Reader(where)
    return Washing(
        water_l=rw.num(wash, "water_l"),
        energy_kwh=rw.num(wash, "energy_kwh"),
        detergent_kg=rw.num(wash, "detergent_kg"),
        electricity=rw.text(wash, "electricity"),
        detergent=rw.text(wash, "detergent"),
    )


def _parse_repair(rep: Mapping[str, Any], where: str, materials: Mapping[str, MaterialRoutes]) -> Repair:
    rp = _Reader(where)
    return Repair(
        rate_per_trip=rp.num(rep, "rate_per_trip"),
        mass_kg=rp.num(rep, "mass_kg"),
        materials=_shares(rep.get("materials"), rp.where, materials),
    )


def _parse_return_logistics(ret: Mapping[str, Any], where: str) -> ReturnLogistics:
    rl = _Reader(where)
    return ReturnLogistics(
        truck_class=_truck(ret, "truck_class", rl),
        assets_per_truckload=rl.num(ret, "assets_per_truckload", strict=True),
        load_factor=rl.num(ret, "load_factor", strict=True, maximum=1.0),
        payload_capacity_kg=rl.num(ret, "payload_capacity_kg", strict=True),
    )


def _parse_baseline(ba: Mapping[str, Any], where: str, materials: Mapping[str, MaterialRoutes]) -> SingleUseBaseline:
    rb = _Reader(where)
    return SingleUseBaseline(
        name=rb.text(ba, "name"),
        units_per_trip=rb.num(ba, "units_per_trip", strict=True),
        unit_mass_kg=rb.num(ba, "unit_mass_kg", strict=True),
        materials=_shares(ba.get("materials"), rb.where, materials),
    )


def _loss_rate(r: _Reader, doc: Mapping[str, Any]) -> float:
    p = r.num(doc, "default_loss_rate", maximum=1.0)
    if p >= 1.0:
        raise r.fail("default_loss_rate", "must be < 1")
    return p


def load_profiles(path: str | os.PathLike[str]) -> ProfileSet:
    """Load and structurally validate a profile file (YAML)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
    except OSError as exc:
        raise ProfileError(f"{p}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{p}: not valid YAML: {exc}") from None
    top = _Reader(str(p))
    if not isinstance(doc, Mapping):
        raise top.fail("version", "top level must be a mapping")
    version = top.text(doc, "version")
    materials = {}
    for name, spec in top.map(doc, "materials").items():
        rm = _Reader(f"{p}: materials.{name}")
        if not isinstance(spec, Mapping):
            raise rm.fail("manufacture", "must be a mapping")
        eol = rm.map(spec, "eol")
        for route in eol:
            if route not in EOL_ROUTES:
                raise rm.fail("eol", f"unknown route {route!r}")
        materials[str(name)] = MaterialRoutes(manufacture=rm.text(spec, "manufacture"), eol=MappingProxyType({k: str(v) for k, v in eol.items()}))
    raw_profiles = doc.get("profiles")
    if not isinstance(raw_profiles, list) or not raw_profiles:
        raise top.fail("profiles", "must be a non-empty list")
    profiles: dict[str, PackagingProfile] = {}
    for i, raw in enumerate(raw_profiles):
        prof = _parse_profile(raw, i, materials)
        if prof.id in profiles:
            raise ProfileError(f"{p}: duplicate profile id {prof.id!r}")
        profiles[prof.id] = prof
    digest = "sha256:" + hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode("utf-8")).hexdigest()
    return ProfileSet(version=version, content_hash=digest, materials=MappingProxyType(materials), profiles=MappingProxyType(profiles), path=str(p))


@lru_cache(maxsize=1)
def default_profiles() -> ProfileSet:
    return load_profiles(DEFAULT_PROFILE_FILE)


def freight_factor_ids(truck_class: str) -> dict[str, str]:
    return {
        "tkm": f"freight.{truck_class}.tkm",
        "vkm_empty": f"freight.{truck_class}.vkm_empty",
        "vkm_full": f"freight.{truck_class}.vkm_full",
    }


def required_factors(profile: PackagingProfile, materials: Mapping[str, MaterialRoutes]) -> dict[str, str]:
    """Every factor id the profile needs -> the category that role requires."""
    need: dict[str, str] = {}

    def add_shares(shares: tuple[MaterialShare, ...]) -> None:
        for ms in shares:
            routes = materials[ms.material]
            need[routes.manufacture] = "material"
            for route, frac in ms.eol.items():
                if frac > 0:
                    if route not in routes.eol:
                        raise ProfileError(f"profile {profile.id!r}: material {ms.material!r} has no factor for end-of-life route {route!r}")
                    need[routes.eol[route]] = "end_of_life"

    ru = profile.reusable
    add_shares(ru.materials)
    add_shares(ru.repair.materials)
    for c in ru.consumables:
        add_shares(c.materials)
    add_shares(profile.baseline.materials)
    need[ru.washing.electricity] = "electricity"
    need[ru.washing.detergent] = "chemical"
    need["water.supply"] = "water"
    need["water.treatment"] = "water"
    need[freight_factor_ids(profile.outbound_truck_class)["tkm"]] = "freight_tkm"
    for key, fid in freight_factor_ids(ru.return_logistics.truck_class).items():
        if key != "tkm":
            need[fid] = "freight_vkm"
    return need


def check_profile(profile: PackagingProfile, materials: Mapping[str, MaterialRoutes], factor_set: FactorSet) -> None:
    """Raise ProfileError unless every factor the profile uses exists with the right category."""
    for fid, category in sorted(required_factors(profile, materials).items()):
        if fid not in factor_set:
            raise ProfileError(f"profile {profile.id!r} needs factor {fid!r}, which factor set {factor_set.version!r} does not define")
        got = factor_set[fid].category
        if got != category:
            raise ProfileError(f"profile {profile.id!r} uses factor {fid!r} as {category!r}, but the factor set declares it {got!r} ({factor_set[fid].unit})")
