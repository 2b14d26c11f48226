"""Route planning for reusable-packaging returns and depot rebalancing.

Pure library: stdlib + OR-Tools (+ PyVRP as search engine when installed).
Inputs and outputs are frozen dataclasses; see docs/routing.md.

The public names below load on first use (PEP 562), so importing a light module such
as `routing.geo` does not drag in OR-Tools, NumPy and pandas.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "plan_collections": "routing.collection",
    "RoutingError": "routing.errors",
    "DEFAULT_LOAD_UNITS_PER_ASSET": "routing.loads", "LoadUnitTable": "routing.loads",
    "GeoPoint": "routing.matrix", "HaversineMatrixProvider": "routing.matrix", "TravelMatrix": "routing.matrix",
    **{name: "routing.model" for name in (
        "CollectionPlan", "CollectionProblem", "CollectionRequest", "Depot", "Objective", "Route", "Site", "Stop",
        "TimeWindow", "UnservedReason", "UnservedRequest", "Vehicle")},
    "MatrixProviderError": "routing.osrm", "OsrmMatrixProvider": "routing.osrm",
    **{name: "routing.rebalance" for name in (
        "DepotStock", "RebalancePlan", "Shortage", "Transfer", "forecast_target", "rebalance_continuous")},
    "rebalance_truckloads": "routing.truckload",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'routing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
