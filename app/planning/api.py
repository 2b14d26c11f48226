"""Return requests, collection tours and depot rebalancing."""
from __future__ import annotations

import json

from flask import Response
from flask.views import MethodView

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.domain.policy import roles_for
from app.pickups import services as return_requests
from app.planning import exports as plan_exports
from app.planning import services as planning
from app.planning.schemas import (
    CollectedSchema,
    CollectionPlanInSchema,
    PlanPageSchema,
    PlanQuerySchema,
    PlanSchema,
    RebalancingInSchema,
    ReturnRequestInSchema,
    ReturnRequestPageSchema,
    ReturnRequestQuerySchema,
    ReturnRequestSchema,
)
from app.platform.responses import TEXT, documented

# Exports exist for finished collection plans: a running plan answers 409, a rebalancing plan 422.
NOT_EXPORTABLE = (409, 422)
LOCATION = {"Location": {"description": "the plan: `/api/v1/plans/<id>`", "required": True,
                         "schema": {"type": "string"}}}
GEOJSON = {"type": "object", "required": ["type", "features"],
           "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": {
               "type": "object", "required": ["type", "geometry", "properties"],
               "properties": {"type": {"const": "Feature"}}}}}}

blp = ApiBlueprint("planning", __name__, description="Return requests, collection tours and depot rebalancing")
PLAN_READERS = roles_for("plan.read")


@blp.route("/return-requests")
class ReturnRequests(MethodView):
    @blp.arguments(ReturnRequestQuerySchema, location="query")
    @blp.response(200, ReturnRequestPageSchema)
    @documented(404)
    @requires(*roles_for("return_request.read"))
    def get(self, args):
        """List return requests, newest first. A customer user sees its own only."""
        return return_requests.list_requests(current(), args["status"], args["customer"], args["site"],
                                             args["limit"], args["offset"])

    @blp.arguments(ReturnRequestInSchema)
    @blp.response(201, ReturnRequestSchema)
    @documented(404)
    @requires(*roles_for("return_request.create"))
    def post(self, body):
        """Ask for empties to be collected at one of the customer's sites (admin: on a customer's behalf)."""
        return return_requests.create(current(), body)


@blp.route("/return-requests/<int:request_id>")
@blp.response(200, ReturnRequestSchema)
@requires(*roles_for("return_request.read"))
def get_return_request(request_id):
    """One request with its status; once planned: plan, vehicle, stop number and ETA."""
    return return_requests.get(current(), request_id)


@blp.route("/return-requests/<int:request_id>/cancel", methods=["POST"])
@blp.response(200, ReturnRequestSchema)
@documented(409)
@requires(*roles_for("return_request.cancel"))
def post_cancel(request_id):
    """Cancel a request that is not on a route yet (`open` or `unserved`); otherwise 409."""
    return return_requests.cancel(current(), request_id)


@blp.route("/return-requests/<int:request_id>/collected", methods=["POST"])
@blp.arguments(CollectedSchema, required=False)
@blp.response(200, ReturnRequestSchema)
@documented(409)
@requires(*roles_for("return_request.collect"))
def post_collected(body, request_id):
    """Mark a request collected (the empties are on the truck)."""
    return return_requests.mark_collected(current(), request_id, body["note"])


def _started(plan, mode: str):
    headers = {"Location": f"/api/v1/plans/{plan.id}"}
    return (plan, 201, headers) if mode == "inline" else (plan, 202, headers)


@blp.route("/plans/collections", methods=["POST"])
@blp.arguments(CollectionPlanInSchema)
@blp.response(201, PlanSchema, description="planned inline (no worker listens): the finished plan", headers=LOCATION)
@blp.alt_response(202, schema=PlanSchema, description="queued for a worker: poll the Location until `done`",
                  headers=LOCATION)
@documented(404)
@requires(*roles_for("plan.collections"))
def post_collections(body):
    """Plan the day's collection tours over the open return requests whose window overlaps the date."""
    return _started(*planning.start(current(), "collections", body))


@blp.route("/plans/rebalancing", methods=["POST"])
@blp.arguments(RebalancingInSchema)
@blp.response(201, PlanSchema, description="planned inline (no worker listens): the finished plan", headers=LOCATION)
@blp.alt_response(202, schema=PlanSchema, description="queued for a worker: poll the Location until `done`",
                  headers=LOCATION)
@documented(404)
@requires(*roles_for("plan.rebalancing"))
def post_rebalancing(body):
    """Move clean empties of one asset type from depots above their forecast target to those below."""
    return _started(*planning.start(current(), "rebalancing", body))


@blp.route("/plans")
@blp.arguments(PlanQuerySchema, location="query")
@blp.response(200, PlanPageSchema)
@requires(*PLAN_READERS)
def get_plans(args):
    """Planning runs, newest first (without their results)."""
    return {"items": planning.list_plans(current(), args["kind"], args["status"], args["limit"], args["offset"])}


# Plan ids are UUIDs: the routes match nothing else (`/plans/collections` is no plan id).
@blp.route("/plans/<uuid:plan_id>.csv")
@blp.response(200, TEXT, content_type="text/csv", description="one row per stop (an attachment)")
@documented(*NOT_EXPORTABLE)
@requires(*PLAN_READERS)
def get_plan_csv(plan_id):
    """Driver list: one row per stop (vehicle, seq, site, name, lat, lon, eta, pickups by type, load)."""
    plan = planning.get_done(current(), str(plan_id), "collections")
    return Response(plan_exports.to_csv(plan), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="plan-{plan_id}.csv"'})


@blp.route("/plans/<uuid:plan_id>.geojson")
@blp.response(200, GEOJSON, content_type="application/geo+json", description="a GeoJSON FeatureCollection")
@documented(*NOT_EXPORTABLE)
@requires(*PLAN_READERS)
def get_plan_geojson(plan_id):
    """Map: a LineString per route and a Point per stop and depot, coordinates [lon, lat]."""
    plan = planning.get_done(current(), str(plan_id), "collections")
    return Response(json.dumps(plan_exports.to_geojson(plan)), mimetype="application/geo+json",
                    headers={"Content-Disposition": f'inline; filename="plan-{plan_id}.geojson"'})


@blp.route("/plans/<uuid:plan_id>")
@blp.response(200, PlanSchema)
@requires(*PLAN_READERS)
def get_plan(plan_id):
    """A planning run: status and progress; when done, routes with stops and ETAs (or transfers)."""
    return planning.get(current(), str(plan_id))
