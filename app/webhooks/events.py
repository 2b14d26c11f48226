"""Emitting an event: the outbox rows in the caller's transaction, delivery after its commit.

`emit` writes one `webhook_deliveries` row per active subscription that wants the event
(for its customer) into the session the change is written with, so the event is
delivered if and only if the change commits: a rollback takes the rows with it. When
that session commits, the new deliveries go to the job queue (app.platform.jobs: RQ when
a worker listens, inline otherwise; `delivery.deliver_job`).
"""
from __future__ import annotations

import json
import logging
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event as sa_event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.domain.webhooks import EVENTS, PENDING
from app.platform.base import utcnow
from app.platform.db import get_session
from app.webhooks.models import WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
_PENDING_KEY = "webhook_deliveries_to_send"


def emit(event: str, data: dict, customer_id: str | None, session: Session | None = None) -> list[str]:
    """Record `event` for every subscriber, in `session`'s (the caller's) transaction.

    Returns the ids of the deliveries written. `data` must be JSON-serializable (datetimes,
    dates and Decimals are written as ISO text and strings)."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    session = session or get_session()
    stmt = select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    if customer_id is None:
        stmt = stmt.where(WebhookSubscription.customer_id.is_(None))
    else:
        stmt = stmt.where(or_(WebhookSubscription.customer_id.is_(None), WebhookSubscription.customer_id == customer_id))
    now = utcnow()
    ids = []
    for subscription in session.scalars(stmt.order_by(WebhookSubscription.id)):
        if event not in subscription.events:
            continue
        delivery_id = str(uuid.uuid4())
        body = json.dumps({"id": delivery_id, "event": event, "created_at": now.isoformat(), "data": data},
                          default=_json_value, separators=(",", ":"), sort_keys=True)
        session.add(WebhookDelivery(id=delivery_id, subscription_id=subscription.id, event=event,
                                    customer_id=customer_id, body=body, status=PENDING, attempts=0, failures=0,
                                    next_attempt_at=now, created_at=now))
        ids.append(delivery_id)
    if ids:
        session.flush()
        _watch(session).extend(ids)
    return ids


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _watch(session: Session) -> list[str]:
    """The deliveries written in `session`'s open transaction; sent once it commits."""
    if _PENDING_KEY not in session.info:
        session.info[_PENDING_KEY] = []
        sa_event.listen(session, "after_commit", _after_commit)
        sa_event.listen(session, "after_soft_rollback", _after_rollback)
    return session.info[_PENDING_KEY]


def _after_commit(session: Session) -> None:
    ids, session.info[_PENDING_KEY] = session.info[_PENDING_KEY], []
    if not ids:
        return
    from app.webhooks import delivery

    try:
        delivery.send_soon(ids)
    except Exception:  # the change is committed: a delivery problem must not fail it (retry-due sends later)
        log.exception("could not dispatch webhook deliveries %s", ids)


def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction: its deliveries are gone
        session.info[_PENDING_KEY] = []
