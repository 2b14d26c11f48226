"""Packaging profiles as frozen dataclasses: reusable asset + the single-use baseline.

Parsing and checking them is profiles.py's job; these types only hold the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .errors import ProfileError


@dataclass(frozen=True)
class MaterialRoutes:
    """Factor ids to make a material and to treat it at end of life."""

    manufacture: str
    eol: Mapping[str, str]  # route -> factor id


@dataclass(frozen=True)
class MaterialShare:
    material: str
    share: float  # fraction of the item's mass
    eol: Mapping[str, float]  # route -> fraction of this material's mass


@dataclass(frozen=True)
class Washing:
    water_l: float
    energy_kwh: float
    detergent_kg: float
    electricity: str  # factor id (kg CO2e/kWh)
    detergent: str  # factor id (kg CO2e/kg)


@dataclass(frozen=True)
class Repair:
    rate_per_trip: float  # expected repairs per trip
    mass_kg: float  # mass of parts replaced per repair
    materials: tuple[MaterialShare, ...]


@dataclass(frozen=True)
class Consumable:
    """Something used up every trip, e.g. a liner bag in a rigid IBC."""

    name: str
    mass_kg: float
    materials: tuple[MaterialShare, ...]


@dataclass(frozen=True)
class ReturnLogistics:
    truck_class: str
    assets_per_truckload: float  # capacity when returned (folded/nested)
    load_factor: float  # share of that capacity actually used on average
    payload_capacity_kg: float  # to turn the load into a laden fraction


@dataclass(frozen=True)
class ReusableAsset:
    name: str
    tare_mass_kg: float
    materials: tuple[MaterialShare, ...]
    design_life_trips: float
    design_life_years: float
    washing: Washing
    repair: Repair
    consumables: tuple[Consumable, ...]
    return_logistics: ReturnLogistics


@dataclass(frozen=True)
class SingleUseBaseline:
    name: str
    units_per_trip: float  # single-use units one reusable trip replaces
    unit_mass_kg: float
    materials: tuple[MaterialShare, ...]


@dataclass(frozen=True)
class PackagingProfile:
    id: str
    description: str
    functional_unit: str
    outbound_truck_class: str
    default_loss_rate: float
    reusable: ReusableAsset
    baseline: SingleUseBaseline
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ProfileSet:
    version: str
    content_hash: str
    materials: Mapping[str, MaterialRoutes]
    profiles: Mapping[str, PackagingProfile]
    path: str = ""

    def __getitem__(self, profile_id: str) -> PackagingProfile:
        try:
            return self.profiles[profile_id]
        except KeyError:
            known = ", ".join(sorted(self.profiles))
            raise ProfileError(f"unknown profile {profile_id!r} (known: {known})") from None

    def ids(self) -> list[str]:
        return sorted(self.profiles)
