from __future__ import annotations

from flask.views import MethodView

from ..auth import current, requires
from ..domain.errors import NotFound
from ..schemas.api import (AssetTypeSchema, AssetTypeUpdateSchema, CustomerSchema, CustomerUpdateSchema,
                           SiteQuerySchema, SiteSchema, SiteUpdateSchema)
from ..services import catalog
from .blueprint import ApiBlueprint
from .responses import documented

blp = ApiBlueprint("catalog", __name__, description="Customers, sites and asset types")


@blp.route("/customers")
class Customers(MethodView):
    @blp.response(200, CustomerSchema(many=True))
    @requires()
    def get(self):
        """Customers. A customer user sees only its own."""
        scope = current().scope
        return catalog.list_all("customer", id=scope)

    @blp.arguments(CustomerSchema)
    @blp.response(201, CustomerSchema)
    @documented(409)
    @requires("admin")
    def post(self, body):
        return catalog.create("customer", body)


@blp.route("/customers/<customer_id>")
class CustomerItem(MethodView):
    @blp.response(200, CustomerSchema)
    @requires()
    def get(self, customer_id):
        scope = current().scope
        if scope is not None and scope != customer_id:
            raise NotFound("customer", f"unknown customer {customer_id!r}")
        return catalog.get("customer", customer_id)

    @blp.arguments(CustomerUpdateSchema)
    @blp.response(200, CustomerSchema)
    @requires("admin")
    def patch(self, body, customer_id):
        return catalog.update("customer", customer_id, body)


@blp.route("/sites")
class Sites(MethodView):
    @blp.arguments(SiteQuerySchema, location="query")
    @blp.response(200, SiteSchema(many=True))
    @requires()
    def get(self, args):
        """Depots and customer sites. A customer user sees depots and its own sites."""
        scope = current().scope
        sites = catalog.list_all("site", kind=args.get("kind"), customer_id=args.get("customer"))
        if scope is not None:
            sites = [s for s in sites if s.kind == "depot" or s.customer_id == scope]
        return sites

    @blp.arguments(SiteSchema)
    @blp.response(201, SiteSchema)
    @documented(404, 409)
    @requires("admin")
    def post(self, body):
        return catalog.create("site", body)


@blp.route("/sites/<site_id>")
class SiteItem(MethodView):
    @blp.response(200, SiteSchema)
    @requires()
    def get(self, site_id):
        site = catalog.get("site", site_id)
        scope = current().scope
        if scope is not None and site.kind == "customer" and site.customer_id != scope:
            raise NotFound("site", f"unknown site {site_id!r}")
        return site

    @blp.arguments(SiteUpdateSchema)
    @blp.response(200, SiteSchema)
    @requires("admin")
    def patch(self, body, site_id):
        return catalog.update("site", site_id, body)


@blp.route("/asset-types")
class AssetTypes(MethodView):
    @blp.response(200, AssetTypeSchema(many=True))
    @requires()
    def get(self):
        return catalog.list_all("asset_type")

    @blp.arguments(AssetTypeSchema)
    @blp.response(201, AssetTypeSchema)
    @documented(409)
    @requires("admin")
    def post(self, body):
        return catalog.create("asset_type", body)


@blp.route("/asset-types/<type_id>")
class AssetTypeItem(MethodView):
    @blp.response(200, AssetTypeSchema)
    @requires()
    def get(self, type_id):
        return catalog.get("asset_type", type_id)

    @blp.arguments(AssetTypeUpdateSchema)
    @blp.response(200, AssetTypeSchema)
    @requires("admin")
    def patch(self, body, type_id):
        return catalog.update("asset_type", type_id, body)
