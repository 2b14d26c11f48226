"""What planning runs share: local time, truck emission factors, load units, matrices."""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

import lca
from app.catalog.models import AssetType, Site
from app.domain.errors import DomainError
from app.platform.db import get_or_404, get_session
from routing import HaversineMatrixProvider, LoadUnitTable, MatrixProviderError, OsrmMatrixProvider

log = logging.getLogger(__name__)

# A truck's emissions per km depend on how laden it is (DESNZ gives 0 % and 100 % laden
# rows). A collection tour leaves nearly empty and fills up as it goes; folded empties
# are light, so the mass-laden fraction rarely passes one half. We take the factor at
# half laden (linear interpolation, as docs/lca-methodology.md does for return legs):
# an estimate that errs high rather than flattering the tour.
ASSUMED_LADEN_FRACTION = 0.5
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def local_time(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    """`HH:MM` on `day` in `tz` as an aware datetime; `24:00` is the next midnight."""
    if hhmm == "24:00":
        return datetime.combine(day + timedelta(days=1), time(0), tz)
    return datetime.combine(day, time.fromisoformat(hhmm), tz)


@lru_cache(maxsize=4)
def _truck_factors(version: str) -> dict[str, dict]:
    fs = lca.default_factor_set()
    out = {}
    for fid in fs.ids():
        parts = fid.split(".")
        if len(parts) == 3 and parts[0] == "freight" and parts[2] == "vkm_empty" and f"freight.{parts[1]}.vkm_full" in fs:
            empty, full = fs[fid], fs[f"freight.{parts[1]}.vkm_full"]
            value = empty.value + ASSUMED_LADEN_FRACTION * (full.value - empty.value)
            out[parts[1]] = {"kg_co2e_per_km": round(value, 5), "laden_fraction": ASSUMED_LADEN_FRACTION,
                             "factors": [empty.id, full.id], "source": f"{empty.source.publisher}, {empty.source.year}",
                             "factor_set": fs.version}
    return out


def truck_factors() -> dict[str, dict]:
    """Per truck class (e.g. `rigid_gt17t`): kg CO2e per vehicle-km and where it comes from."""
    return _truck_factors(lca.default_factor_set().version)


def kg_co2e_per_km() -> dict[str, float]:
    return {cls: f["kg_co2e_per_km"] for cls, f in truck_factors().items()}


def load_unit_table() -> LoadUnitTable:
    """Pallet-place equivalents per asset, from each asset type's `load_units`."""
    rows = get_session().execute(select(AssetType.id, AssetType.load_units)).all()
    return LoadUnitTable({tid: float(units) for tid, units in rows if units and units > 0})


def matrix_providers() -> list[tuple[str, object]]:
    """OSRM when OSRM_URL is set (road network), then the offline estimate as fallback."""
    providers = []
    url = getattr(current_app.config["SETTINGS"], "osrm_url", None)
    if url:
        providers.append(("osrm", OsrmMatrixProvider(url)))
    providers.append(("haversine", HaversineMatrixProvider()))
    return providers


def with_matrix(solve):
    """Call `solve(provider)` with OSRM, falling back to the offline estimate if OSRM fails.

    Returns (result, matrix name, warnings)."""
    warnings = []
    for name, provider in matrix_providers():
        try:
            return solve(provider), name, warnings
        except MatrixProviderError as exc:
            log.warning("OSRM matrix failed, using the great-circle estimate: %s", exc)
            warnings.append(f"OSRM unavailable ({exc}); distances are great-circle km x 1.3 at 60 km/h")
    raise AssertionError("the offline matrix provider never fails")


def check_depots(depots: list[str]) -> None:
    """Each id once, each an existing depot; the error names the offending list item."""
    if len(set(depots)) != len(depots):
        raise DomainError("depots", "a depot is listed twice")
    for i, depot_id in enumerate(depots):
        site = get_or_404(Site, depot_id, f"depots[{i}]", "depot")
        if site.kind != "depot":
            raise DomainError(f"depots[{i}]", f"{depot_id!r} is a customer site, not a depot")
