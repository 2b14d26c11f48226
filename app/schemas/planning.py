"""Request and response schemas of return requests and planning runs."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from .api import StrictBoolean

ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", error="1-40 letters, digits, '.', '_' or '-'")
HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", error="expected HH:MM, e.g. 06:30")
REQUEST_STATUSES = ["open", "planned", "collected", "cancelled", "unserved"]
PLAN_STATUSES = ["queued", "running", "done", "failed"]


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _truck_classes() -> list[str]:
    """The LCA truck classes the planners accept (checked there, listed here for the document)."""
    from ..services.planning_inputs import truck_factors

    return sorted(truck_factors())


# ------------------------------------------------------------------ return requests

class WindowSchema(Strict):
    start = fields.AwareDateTime(required=True, default_timezone=None,
                                 metadata={"description": "ISO 8601 with a UTC offset"})
    end = fields.AwareDateTime(required=True, default_timezone=None)


class ReturnRequestInSchema(Strict):
    site = fields.String(required=True, validate=ID, metadata={"description": "one of the customer's sites"})
    counts = fields.Dict(keys=fields.String(validate=ID), values=fields.Integer(validate=validate.Range(1, 100_000)),
                         required=True, validate=validate.Length(min=1, max=50),
                         metadata={"description": "assets to collect by asset type id, e.g. {\"ibc-1000\": 12}"})
    window = fields.Nested(WindowSchema, load_default=None, allow_none=True,
                           metadata={"description": "preferred collection window; omitted: the site's opening hours"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    customer = fields.String(load_default=None, validate=ID,
                             metadata={"description": "admin only: the customer the request is made for "
                                                      "(default: the site's customer)"})


class ReturnRequestQuerySchema(Strict):
    status = fields.String(load_default=None, validate=validate.OneOf(REQUEST_STATUSES))
    customer = fields.String(load_default=None, metadata={"description": "admin only"})
    site = fields.String(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0))


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
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


# ------------------------------------------------------------------ planning runs

class VehicleInSchema(Strict):
    id = fields.String(required=True, validate=ID)
    capacity_units = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=1000),
                                  metadata={"description": "pallet-place equivalents (a 13.6 m trailer holds 33)"})
    start_depot = fields.String(required=True, validate=ID)
    end_depot = fields.String(load_default=None, validate=ID, metadata={"description": "default: start_depot"})
    shift_start = fields.String(load_default="06:00", validate=HHMM, metadata={"description": "local time of the start depot"})
    shift_end = fields.String(load_default="18:00", validate=HHMM)
    cost_per_km = fields.Float(load_default=1.0, validate=validate.Range(0, 1000))
    fixed_cost = fields.Float(load_default=0.0, validate=validate.Range(0, 1_000_000),
                              metadata={"description": "cost of using the vehicle at all (objective cost)"})
    truck_class = fields.String(load_default="rigid_gt17t", metadata={"description": "LCA truck class",
                                                                      "enum": _truck_classes()})


class CollectionPlanInSchema(Strict):
    date = fields.Date(required=True, metadata={"description": "YYYY-MM-DD, the day of the tours"})
    depots = fields.List(fields.String(validate=ID), required=True, validate=validate.Length(1, 50))
    vehicles = fields.List(fields.Nested(VehicleInSchema), required=True, validate=validate.Length(1, 200))
    objective = fields.String(load_default="distance", validate=validate.OneOf(["distance", "cost", "co2e"]))
    time_limit_s = fields.Float(load_default=10.0, validate=validate.Range(1, 300))
    include_deliveries = StrictBoolean(load_default=False,
                                       metadata={"description": "drop as many clean assets as each stop collects "
                                                                "(like-for-like exchange) on the same tour"})


class RebalancingInSchema(Strict):
    asset_type = fields.String(required=True, validate=ID)
    depots = fields.List(fields.String(validate=ID), load_default=None, validate=validate.Length(1, 200),
                         metadata={"description": "default: every active depot"})
    horizon_days = fields.Integer(load_default=7, validate=validate.Range(1, 90))
    z = fields.Float(load_default=1.645, validate=validate.Range(0, 5),
                     metadata={"description": "safety factor (1.645 ~ 95 % service level)"})
    mode = fields.String(load_default="truckloads", validate=validate.OneOf(["continuous", "truckloads"]))
    truck_capacity_units = fields.Float(load_default=33.0, validate=validate.Range(min=0, min_inclusive=False, max=1000))
    objective = fields.String(load_default="cost", validate=validate.OneOf(["cost", "co2e"]))
    cost_per_truck_km = fields.Float(load_default=1.5, validate=validate.Range(0, 1000))
    truck_class = fields.String(load_default="artic_gt33t", metadata={"enum": _truck_classes()})
    time_limit_s = fields.Float(load_default=10.0, validate=validate.Range(1, 300))
    as_of = fields.Date(load_default=None, metadata={"description": "demand history ends the day before; default today"})


class PlanQuerySchema(Strict):
    kind = fields.String(load_default=None, validate=validate.OneOf(["collections", "rebalancing"]))
    status = fields.String(load_default=None, validate=validate.OneOf(PLAN_STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0))


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
