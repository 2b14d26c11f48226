"""Request and response schemas of return requests and planning runs."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from app.domain.return_requests import ReturnRequestStatus
from app.planning.inputs import truck_factors
from app.platform.fields import CLOCK_OR_24, ID, Day, Filter, Id, Limit, Offset, StrictBoolean, Text, Timestamp

REQUEST_STATUSES = [s.value for s in ReturnRequestStatus]
PLAN_STATUSES = ["queued", "running", "done", "failed"]


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _truck_classes() -> list[str]:
    """The LCA truck classes the planners accept (checked there, listed here for the document)."""
    return sorted(truck_factors())


# ------------------------------------------------------------------ return requests

class WindowSchema(Strict):
    start = Timestamp(required=True, metadata={"description": "ISO 8601 with a UTC offset"})
    end = Timestamp(required=True)


class ReturnRequestInSchema(Strict):
    site = Id(required=True, metadata={"description": "one of the customer's sites"})
    counts = fields.Dict(keys=Text(validate=ID), values=fields.Integer(validate=validate.Range(1, 100_000)),
                         required=True, validate=validate.Length(min=1, max=50),
                         metadata={"description": "assets to collect by asset type id, e.g. {\"ibc-1000\": 12}"})
    window = fields.Nested(WindowSchema, load_default=None, allow_none=True,
                           metadata={"description": "preferred collection window; omitted: the site's opening hours"})
    note = Text(multiline=True, load_default=None, allow_none=True, validate=validate.Length(max=1000))
    customer = Id(load_default=None, metadata={"description": "admin only: the customer the request is made for "
                                                            "(default: the site's customer)"})


class ReturnRequestQuerySchema(Strict):
    status = Text(load_default=None, validate=validate.OneOf(REQUEST_STATUSES))
    customer = Filter(load_default=None, metadata={"description": "admin only"})
    site = Filter(load_default=None)
    limit = Limit(100, 500)
    offset = Offset()


class PlannedVisitSchema(Schema):
    plan_id = fields.String()
    vehicle = fields.String()
    seq = fields.Integer()
    eta = fields.String(metadata={"description": "start of service, ISO 8601 in the depot's time zone"})


class ReturnRequestSchema(Schema):
    id = fields.Integer()
    customer = fields.String()
    site = fields.String()
    site_name = fields.String(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    collected = fields.Dict(keys=fields.String(), values=fields.Integer(),
                            metadata={"description": "per asset type, how many of `counts` collect scans covered so far"})
    load_units = fields.Float(allow_none=True, metadata={"description": "pallet-place equivalents"})
    window = fields.Dict(allow_none=True)
    note = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": REQUEST_STATUSES})
    reason = fields.String(allow_none=True, metadata={"description": "why unserved or cancelled"})
    plan_id = fields.String(allow_none=True)
    planned = fields.Nested(PlannedVisitSchema, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ReturnRequestPageSchema(Schema):
    items = fields.List(fields.Nested(ReturnRequestSchema))
    total = fields.Integer()


class CollectedSchema(Strict):
    note = Text(multiline=True, load_default=None, allow_none=True, validate=validate.Length(max=1000))


# ------------------------------------------------------------------ planning runs

class VehicleInSchema(Strict):
    id = Id(required=True)
    capacity_units = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=1000),
                                  metadata={"description": "pallet-place equivalents (a 13.6 m trailer holds 33)"})
    start_depot = Id(required=True)
    end_depot = Id(load_default=None, metadata={"description": "default: start_depot"})
    shift_start = Text(load_default="06:00", validate=CLOCK_OR_24, metadata={"description": "local time of the start depot"})
    shift_end = Text(load_default="18:00", validate=CLOCK_OR_24)
    cost_per_km = fields.Float(load_default=1.0, validate=validate.Range(0, 1000))
    fixed_cost = fields.Float(load_default=0.0, validate=validate.Range(0, 1_000_000),
                              metadata={"description": "cost of using the vehicle at all (objective cost)"})
    truck_class = Text(load_default="rigid_gt17t", validate=validate.Length(1, 40),
                       metadata={"description": "LCA truck class", "enum": _truck_classes()})


class CollectionPlanInSchema(Strict):
    date = Day(required=True, metadata={"description": "YYYY-MM-DD, the day of the tours"})
    depots = fields.List(Id(), required=True, validate=validate.Length(1, 50))
    vehicles = fields.List(fields.Nested(VehicleInSchema), required=True, validate=validate.Length(1, 200))
    objective = Text(load_default="distance", validate=validate.OneOf(["distance", "cost", "co2e"]))
    time_limit_s = fields.Float(load_default=10.0, validate=validate.Range(1, 300))
    include_deliveries = StrictBoolean(load_default=False,
                                       metadata={"description": "drop as many clean assets as each stop collects "
                                                                "(like-for-like exchange) on the same tour"})


class RebalancingInSchema(Strict):
    asset_type = Id(required=True)
    depots = fields.List(Id(), load_default=None, validate=validate.Length(1, 200),
                         metadata={"description": "default: every active depot"})
    horizon_days = fields.Integer(load_default=7, validate=validate.Range(1, 90))
    z = fields.Float(load_default=1.645, validate=validate.Range(0, 5),
                     metadata={"description": "safety factor (1.645 ~ 95 % service level)"})
    mode = Text(load_default="truckloads", validate=validate.OneOf(["continuous", "truckloads"]))
    truck_capacity_units = fields.Float(load_default=33.0, validate=validate.Range(min=0, min_inclusive=False, max=1000))
    objective = Text(load_default="cost", validate=validate.OneOf(["cost", "co2e"]))
    cost_per_truck_km = fields.Float(load_default=1.5, validate=validate.Range(0, 1000))
    truck_class = Text(load_default="artic_gt33t", validate=validate.Length(1, 40), metadata={"enum": _truck_classes()})
    time_limit_s = fields.Float(load_default=10.0, validate=validate.Range(1, 300))
    as_of = Day(load_default=None, metadata={"description": "demand history ends the day before; default today"})


class PlanQuerySchema(Strict):
    kind = Text(load_default=None, validate=validate.OneOf(["collections", "rebalancing"]))
    status = Text(load_default=None, validate=validate.OneOf(PLAN_STATUSES))
    limit = Limit(50, 500)
    offset = Offset()


class PlanSummarySchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"enum": ["collections", "rebalancing"]})
    status = fields.String(metadata={"enum": PLAN_STATUSES})
    progress = fields.Float()
    params = fields.Dict()
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    links = fields.Method("_links")

    def _links(self, plan) -> dict:
        base = f"/api/v1/plans/{plan.id}"
        out = {"self": base}
        if plan.kind == "collections":
            out.update(csv=base + ".csv", geojson=base + ".geojson")
        return out


class PlanSchema(PlanSummarySchema):
    result = fields.Dict(allow_none=True, metadata={"description": "routes and unserved requests, or transfers"})


class PlanPageSchema(Schema):
    items = fields.List(fields.Nested(PlanSummarySchema))
