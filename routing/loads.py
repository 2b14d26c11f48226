"""Load units: how much vehicle space one returnable asset takes.

Capacities are expressed in *pallet-place equivalents* (ppe): one floor
position of a 1200 x 800/1000 mm pallet, full trailer height.  A 13.6 m
curtain-sider holds 33 ppe, a 7.5 t box truck about 15.  Defaults (override
per pool or vehicle fleet by passing another table):

* ``pallet_box``  0.25 ppe - a folded large pallet box is ~0.5 m high, so
  four stack in one place;
* ``folded_ibc``  0.5 ppe  - a folded IBC is ~1.1 m high, two per place;
* ``crate``       0.025 ppe - 600 x 400 mm folding crates, 4 per layer and
  ~10 folded layers per pallet place = 40 crates per place.

The solver works on integer milli-ppe (``MILLI``) so shares like 0.025 stay
exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from routing.errors import RoutingError

MILLI = 1000

DEFAULT_LOAD_UNITS_PER_ASSET = MappingProxyType({"pallet_box": 0.25, "folded_ibc": 0.5, "crate": 0.025})


@dataclass(frozen=True)
class LoadUnitTable:
    units_per_asset: Mapping[str, float] = field(default_factory=lambda: DEFAULT_LOAD_UNITS_PER_ASSET)

    def __post_init__(self) -> None:
        for asset, units in self.units_per_asset.items():
            if not (isinstance(units, (int, float)) and math.isfinite(units) and units > 0):
                raise RoutingError(f"load_units.{asset}", f"load units must be a positive number, got {units!r}")
        object.__setattr__(self, "units_per_asset", MappingProxyType(dict(self.units_per_asset)))

    def load_units(self, assets: Mapping[str, int], field_name: str = "assets") -> float:
        return self.milli_units(assets, field_name) / MILLI

    def milli_units(self, assets: Mapping[str, int], field_name: str = "assets") -> int:
        total = 0
        for asset, count in assets.items():
            if asset not in self.units_per_asset:
                known = ", ".join(sorted(self.units_per_asset))
                raise RoutingError(f"{field_name}.{asset}", f"unknown asset type {asset!r}; known: {known}")
            if not isinstance(count, int) or count < 0:
                raise RoutingError(f"{field_name}.{asset}", f"count must be a non-negative integer, got {count!r}")
            total += count * round(self.units_per_asset[asset] * MILLI)
        return total


def to_milli(units: float) -> int:
    # Capacities round down: never promise space the truck does not have.
    return int(math.floor(units * MILLI + 1e-9))
