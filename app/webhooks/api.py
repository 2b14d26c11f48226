"""Webhook subscriptions and their delivery log."""
from __future__ import annotations

from flask.views import MethodView

from app.accounts.auth import current, requires
from app.accounts.blueprint import ApiBlueprint
from app.domain.policy import roles_for
from app.platform.responses import documented
from app.webhooks import subscriptions as subs
from app.webhooks.schemas import (
    DeliveryPageSchema,
    DeliveryQuerySchema,
    DeliverySchema,
    SubscriptionInSchema,
    SubscriptionPageSchema,
    SubscriptionQuerySchema,
    SubscriptionSchema,
    SubscriptionSecretSchema,
)

blp = ApiBlueprint("webhooks", __name__, description="Signed webhooks: subscriptions and delivery log")
READERS = roles_for("webhook.read")
MANAGERS = roles_for("webhook.manage")


@blp.route("/webhooks")
class Subscriptions(MethodView):
    @blp.arguments(SubscriptionQuerySchema, location="query")
    @blp.response(200, SubscriptionPageSchema)
    @documented(404)
    @requires(*READERS)
    def get(self, args):
        """Subscriptions (secrets never shown). A customer user sees its own customer's."""
        items = subs.list_subscriptions(current(), args["customer"], args["limit"], args["offset"])
        return {"items": [subs.shown(s) for s in items]}

    @blp.arguments(SubscriptionInSchema)
    @blp.response(201, SubscriptionSecretSchema)
    @documented(404)
    @requires(*MANAGERS)
    def post(self, body):
        """Subscribe a URL to events; the signing secret is in this answer and nowhere else."""
        subscription, secret = subs.create(current(), body["url"], body["events"], body["customer"])
        return subs.shown(subscription, secret), 201


@blp.route("/webhooks/<int:subscription_id>")
class Subscription(MethodView):
    @blp.response(200, SubscriptionSchema)
    @requires(*READERS)
    def get(self, subscription_id):
        """One subscription."""
        return subs.shown(subs.get(current(), subscription_id))

    @blp.response(204)
    @requires(*MANAGERS)
    def delete(self, subscription_id):
        """Delete a subscription with its delivery log."""
        subs.remove(current(), subscription_id)


@blp.route("/webhooks/<int:subscription_id>/disable", methods=["POST"])
@blp.response(200, SubscriptionSchema)
@requires(*MANAGERS)
def post_disable(subscription_id):
    """Stop sending: no new deliveries, pending retries fail."""
    return subs.shown(subs.disable(current(), subscription_id))


@blp.route("/webhooks/<int:subscription_id>/rotate-secret", methods=["POST"])
@blp.response(200, SubscriptionSecretSchema)
@requires(*MANAGERS)
def post_rotate(subscription_id):
    """A new signing secret, in force at once (for retries too); shown in this answer only."""
    subscription, secret = subs.rotate_secret(current(), subscription_id)
    return subs.shown(subscription, secret)


@blp.route("/webhooks/<int:subscription_id>/deliveries")
@blp.arguments(DeliveryQuerySchema, location="query")
@blp.response(200, DeliveryPageSchema)
@requires(*READERS)
def get_deliveries(args, subscription_id):
    """The delivery log, newest first: each delivery with its attempts (time, status code, duration, error)."""
    return {"items": subs.deliveries(current(), subscription_id, args["status"], args["limit"], args["offset"])}


@blp.route("/webhooks/<int:subscription_id>/deliveries/<delivery_id>/redeliver", methods=["POST"])
@blp.response(200, DeliverySchema)
@requires(*MANAGERS)
def post_redeliver(subscription_id, delivery_id):
    """Send a delivery again (same id and body, signed anew), with a fresh round of retries."""
    return subs.redeliver(current(), subscription_id, delivery_id)
