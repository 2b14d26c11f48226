from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.assets import queries, registry
from app.assets.schemas import (
    AssetPageSchema,
    AssetQuerySchema,
    AssetSchema,
    RegisterAssetsSchema,
    RegisteredSchema,
    TripSchema,
)
from app.domain.policy import roles_for
from app.platform.responses import documented

# A code that is no GRAI in any accepted form answers 422 naming `code`.
MALFORMED_CODE = 422

blp = ApiBlueprint("assets", __name__, description="Assets, their state and trips")


@blp.route("/assets")
class Assets(MethodView):
    @blp.arguments(AssetQuerySchema, location="query")
    @blp.response(200, AssetPageSchema)
    @documented(404)
    @requires()
    def get(self, args):
        """List assets (filtered, cursor-paginated). A customer sees the assets it holds
        (404 for a `customer` filter naming another customer)."""
        items, cursor = queries.list_assets(current(), args.get("state"), args.get("customer"), args.get("type"),
                                            args.get("site"), args["limit"], args.get("cursor"))
        return {"items": items, "next_cursor": cursor}

    @blp.arguments(RegisterAssetsSchema)
    @blp.response(201, RegisteredSchema)
    @documented(404, 409)
    @requires(*roles_for("asset.register"))
    def post(self, body):
        """Register new assets: `count` new serials, or one per legacy alias."""
        assets = registry.register(body["asset_type"], body.get("count"), body.get("site"), body.get("aliases"))
        base = current_app.config["SETTINGS"].resolver_base_url
        return {"asset_type": body["asset_type"], "count": len(assets), "codes": [a.code for a in assets],
                "digital_links": [_link(a.code, base) for a in assets]}


def _link(code: str, base: str) -> str:
    return f"{base.rstrip('/')}/8003/{code}"


@blp.route("/assets/<code>")
@blp.response(200, AssetSchema)
@documented(MALFORMED_CODE)
@requires()
def get_asset(code):
    """One asset: state, holder, site, open trip, trip count, last seen."""
    return queries.asset_detail(current(), code)


@blp.route("/assets/<code>/trips")
@blp.response(200, TripSchema(many=True))
@documented(MALFORMED_CODE)
@requires()
def get_trips(code):
    """The asset's trips; a customer user sees its own share of the trips it was part of."""
    return queries.asset_trips(current(), code)
