"""Managing webhook subscriptions and reading their delivery log.

The operator subscribes to every customer's events or to one customer's; a customer user
manages subscriptions to its own customer's events only (another customer's subscription
answers 404 like an unknown one). The secret is made here and shown once, on creation and
on rotation.
"""
from __future__ import annotations

import secrets

from sqlalchemy import delete, select

from app.catalog.models import Customer
from app.domain import webhooks as rules
from app.domain.errors import DomainError, NotFound
from app.domain.policy import Caller, authorize
from app.platform.base import utcnow
from app.platform.db import get_or_404, get_session, unit_of_work
from app.webhooks import delivery
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def _new_secret() -> str:
    return "whsec_" + secrets.token_hex(32)


def create(caller: Caller, url: str, events: list[str], customer_id: str | None) -> tuple[WebhookSubscription, str]:
    own = authorize(caller, "webhook.manage", customer_id)
    customer_id = own or customer_id
    problem = rules.url_problem(url)
    if problem:
        raise DomainError("url", problem)
    if customer_id is not None:
        get_or_404(Customer, customer_id, "customer", "customer")
    secret = _new_secret()
    with unit_of_work() as session:
        subscription = WebhookSubscription(url=url, events=sorted(set(events), key=rules.EVENTS.index),
                                           customer_id=customer_id, secret=secret, active=True, created_at=utcnow(),
                                           created_by=getattr(caller, "user_id", None))
        session.add(subscription)
    return subscription, secret


def list_subscriptions(caller: Caller, customer_id: str | None, limit: int, offset: int) -> list[WebhookSubscription]:
    own = authorize(caller, "webhook.read", customer_id)
    stmt = select(WebhookSubscription)
    if own is not None or customer_id:
        stmt = stmt.where(WebhookSubscription.customer_id == (own or customer_id))
    return list(get_session().scalars(stmt.order_by(WebhookSubscription.id).limit(limit).offset(offset)))


def get(caller: Caller, subscription_id: int, operation: str = "webhook.read",
        lock: bool = False) -> WebhookSubscription:
    own = authorize(caller, operation, field="subscription_id")
    subscription = get_session().get(WebhookSubscription, subscription_id, with_for_update=lock or None)
    if subscription is None or (own is not None and subscription.customer_id != own):
        raise NotFound("subscription_id", f"unknown webhook subscription {subscription_id}")
    return subscription


def disable(caller: Caller, subscription_id: int) -> WebhookSubscription:
    """No new deliveries; pending retries fail with "the subscription is disabled"."""
    with unit_of_work():
        subscription = get(caller, subscription_id, "webhook.manage", lock=True)
        subscription.active = False
    return subscription


def remove(caller: Caller, subscription_id: int) -> None:
    """The subscription and its delivery log."""
    with unit_of_work() as session:
        subscription = get(caller, subscription_id, "webhook.manage", lock=True)
        ids = select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == subscription.id)
        session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id))
        session.delete(subscription)


def rotate_secret(caller: Caller, subscription_id: int) -> tuple[WebhookSubscription, str]:
    """A new secret at once: every attempt from now on (retries too) is signed with it."""
    secret = _new_secret()
    with unit_of_work():
        subscription = get(caller, subscription_id, "webhook.manage", lock=True)
        subscription.secret, subscription.secret_rotated_at = secret, utcnow()
    return subscription, secret


def deliveries(caller: Caller, subscription_id: int, status: str | None, limit: int, offset: int) -> list[dict]:
    """The subscription's deliveries, newest first, each with its attempts."""
    subscription = get(caller, subscription_id)
    session = get_session()
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    rows = session.scalars(stmt.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
                           .limit(limit).offset(offset)).all()
    attempts: dict[str, list] = {row.id: [] for row in rows}
    if rows:
        for a in session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(list(attempts)))
                                 .order_by(WebhookAttempt.at, WebhookAttempt.id)):
            attempts[a.delivery_id].append(a)
    return [summary(row, attempts[row.id]) for row in rows]


def redeliver(caller: Caller, subscription_id: int, delivery_id: str) -> dict:
    """Send a delivery again now, whatever its status (same id and body; a fresh round of retries)."""
    with unit_of_work() as session:
        subscription = get(caller, subscription_id, "webhook.manage", lock=True)
        row = session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if row is None or row.subscription_id != subscription.id:
            raise NotFound("delivery_id", f"unknown delivery {delivery_id!r}")
        row.status, row.failures, row.next_attempt_at = rules.PENDING, 0, utcnow()
    delivery.send_soon([delivery_id])
    session = get_session()
    session.expire_all()
    row = session.get(WebhookDelivery, delivery_id)
    found = session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
                            .order_by(WebhookAttempt.at, WebhookAttempt.id)).all()
    return summary(row, found)


def summary(row: WebhookDelivery, attempts: list[WebhookAttempt]) -> dict:
    return {"id": row.id, "event": row.event, "status": row.status, "created_at": row.created_at,
            "attempts": [{"at": a.at, "status_code": a.status_code, "duration_ms": a.duration_ms, "error": a.error}
                         for a in attempts],
            "next_attempt_at": row.next_attempt_at if row.status == rules.PENDING else None,
            "delivered_at": row.delivered_at}


def shown(subscription: WebhookSubscription, secret: str | None = None) -> dict:
    out = {"id": subscription.id, "url": subscription.url, "events": subscription.events,
           "customer": subscription.customer_id, "active": subscription.active, "created_at": subscription.created_at,
           "secret_rotated_at": subscription.secret_rotated_at}
    if secret is not None:
        out["secret"] = secret
    return out
