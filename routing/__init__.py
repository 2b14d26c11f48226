"""Route planning for reusable-packaging returns and depot rebalancing.

Pure library: stdlib + OR-Tools (+ PyVRP as search engine when installed).
Inputs and outputs are frozen dataclasses; see docs/routing.md.
"""

from routing.collection import plan_collections
from routing.errors import RoutingError
from routing.loads import DEFAULT_LOAD_UNITS_PER_ASSET, LoadUnitTable
from routing.matrix import GeoPoint, HaversineMatrixProvider, TravelMatrix
from routing.model import (
    CollectionPlan,
    CollectionProblem,
    CollectionRequest,
    Depot,
    Objective,
    Route,
    Site,
    Stop,
    TimeWindow,
    UnservedReason,
    UnservedRequest,
    Vehicle,
)
from routing.osrm import MatrixProviderError, OsrmMatrixProvider
from routing.rebalance import DepotStock, RebalancePlan, Shortage, Transfer, forecast_target, rebalance_continuous
from routing.truckload import rebalance_truckloads

__all__ = [
    "CollectionPlan", "CollectionProblem", "CollectionRequest", "DEFAULT_LOAD_UNITS_PER_ASSET", "Depot", "DepotStock",
    "GeoPoint", "HaversineMatrixProvider", "LoadUnitTable", "MatrixProviderError", "Objective", "OsrmMatrixProvider",
    "RebalancePlan", "Route", "RoutingError", "Shortage", "Site", "Stop", "TimeWindow", "Transfer", "TravelMatrix",
    "UnservedReason", "UnservedRequest", "Vehicle", "forecast_target", "plan_collections", "rebalance_continuous",
    "rebalance_truckloads",
]
