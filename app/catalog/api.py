from __future__ import annotations

from flask.views import MethodView

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.catalog import services as catalog
from app.catalog.schemas import (
    AssetTypeSchema,
    AssetTypeUpdateSchema,
    CustomerSchema,
    CustomerSettingsSchema,
    CustomerUpdateSchema,
    SiteQuerySchema,
    SiteSchema,
    SiteUpdateSchema,
)
from app.domain.policy import roles_for
from app.platform.responses import documented

blp = ApiBlueprint("catalog", __name__, description="Customers, sites and asset types")


@blp.route("/customers")
class Customers(MethodView):
    @blp.response(200, CustomerSchema(many=True))
    @requires()
    def get(self):
        """Customers. A customer user sees only its own."""
        return catalog.customers_for(current())

    @blp.arguments(CustomerSchema)
    @blp.response(201, CustomerSchema)
    @documented(409)
    @requires(*roles_for("customer.write"))
    def post(self, body):
        return catalog.create("customer", body)


@blp.route("/customers/<customer_id>")
class CustomerItem(MethodView):
    @blp.response(200, CustomerSchema)
    @requires()
    def get(self, customer_id):
        return catalog.customer_for(current(), customer_id)

    @blp.arguments(CustomerUpdateSchema)
    @blp.response(200, CustomerSchema)
    @requires(*roles_for("customer.write"))
    def patch(self, body, customer_id):
        return catalog.update("customer", customer_id, body)


@blp.route("/customers/<customer_id>/settings")
class CustomerSettings(MethodView):
    @blp.response(200, CustomerSettingsSchema)
    @requires(*roles_for("customer.settings"))
    def get(self, customer_id):
        """Settings the customer decides itself: `publish_certificate_figures` (default false)."""
        return catalog.customer_settings(current(), customer_id)

    @blp.arguments(CustomerSettingsSchema)
    @blp.response(200, CustomerSettingsSchema)
    @requires(*roles_for("customer.settings"))
    def patch(self, body, customer_id):
        """Change the customer's settings (its own users, or an admin on its behalf).

        `publish_certificate_figures`: true shows the figures of its certificates (name,
        trips, kg CO2e) on the public verification page and API; false (the default)
        shows only whether a serial is valid, superseded or revoked, the issuer and month."""
        return catalog.update_customer_settings(current(), customer_id, body)


@blp.route("/sites")
class Sites(MethodView):
    @blp.arguments(SiteQuerySchema, location="query")
    @blp.response(200, SiteSchema(many=True))
    @documented(404)
    @requires()
    def get(self, args):
        """Depots and customer sites. A customer user sees depots and its own sites (404 for a
        `customer` filter naming another customer)."""
        return catalog.sites_for(current(), args.get("kind"), args.get("customer"))

    @blp.arguments(SiteSchema)
    @blp.response(201, SiteSchema)
    @documented(404, 409)
    @requires(*roles_for("catalog.write"))
    def post(self, body):
        return catalog.create("site", body)


@blp.route("/sites/<site_id>")
class SiteItem(MethodView):
    @blp.response(200, SiteSchema)
    @requires()
    def get(self, site_id):
        return catalog.site_for(current(), site_id)

    @blp.arguments(SiteUpdateSchema)
    @blp.response(200, SiteSchema)
    @requires(*roles_for("catalog.write"))
    def patch(self, body, site_id):
        return catalog.update("site", site_id, body)


@blp.route("/asset-types")
class AssetTypes(MethodView):
    @blp.response(200, AssetTypeSchema(many=True))
    @requires()
    def get(self):
        return catalog.asset_types(current())

    @blp.arguments(AssetTypeSchema)
    @blp.response(201, AssetTypeSchema)
    @documented(409)
    @requires(*roles_for("catalog.write"))
    def post(self, body):
        return catalog.create("asset_type", body)


@blp.route("/asset-types/<type_id>")
class AssetTypeItem(MethodView):
    @blp.response(200, AssetTypeSchema)
    @requires()
    def get(self, type_id):
        return catalog.asset_type_for(current(), type_id)

    @blp.arguments(AssetTypeUpdateSchema)
    @blp.response(200, AssetTypeSchema)
    @requires(*roles_for("catalog.write"))
    def patch(self, body, type_id):
        return catalog.update("asset_type", type_id, body)
