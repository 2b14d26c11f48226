"""Delivering webhooks: one signed POST per attempt, retried with back-off, every attempt logged.

An attempt first claims its delivery (a short transaction moves `next_attempt_at` past the
attempt's timeout), so two workers, a scheduled retry and `flask webhooks retry-due` never
send one delivery at once. A 2xx answer delivers it; anything else (another status, a
timeout, a refused connection, a host resolving to a private address) is a failed attempt,
retried after the waits of app/domain/webhooks.py (1 min, 5 min, 30 min, 2 h, 12 h), then
failed for good. Redirects are not followed.

Retries go to the job queue with `enqueue_in` when an RQ worker listens (start it with
`--with-scheduler`); without one, `flask webhooks retry-due`, run every minute by cron or
a systemd timer, sends what is due. Inline delivery (no worker) happens after the commit of
the request that caused it, with a short timeout (WEBHOOK_TIMEOUT_S) and a budget of two
timeouts per request; what does not fit waits for retry-due. It never fails the request.
"""
from __future__ import annotations

import logging
import socket
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, g
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain import webhooks as rules
from app.platform import jobs, redis_store
from app.platform.base import utcnow
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 500
USER_AGENT = "circularity-webhooks/1"


def send_soon(delivery_ids: list[str]) -> None:
    """After a commit: queue the deliveries, or send them here (WEBHOOK_INLINE) with no worker."""
    settings = current_app.config["SETTINGS"]
    if not settings.webhook_inline and not jobs.worker_listening():
        return  # left to retry-due
    jobs.dispatch(deliver_job, delivery_ids, job_timeout=len(delivery_ids) * (settings.webhook_timeout_s + 5) + 60)


@jobs.in_app_context
def deliver_job(delivery_ids: list[str]) -> dict[str, str]:
    """The job: one attempt for each due delivery among `delivery_ids`; their outcomes."""
    from rq import get_current_job

    inline = get_current_job() is None
    budget_s = 2 * current_app.config["SETTINGS"].webhook_timeout_s
    outcomes = {}
    with _own_session() as session:
        for delivery_id in delivery_ids:
            if inline and g.get("webhook_inline_spent_s", 0.0) >= budget_s:
                outcomes[delivery_id] = "deferred"  # still due: retry-due sends it
                continue
            started = time.monotonic()
            outcomes[delivery_id] = attempt(session, delivery_id)
            if inline:
                g.webhook_inline_spent_s = g.get("webhook_inline_spent_s", 0.0) + time.monotonic() - started
    return outcomes


def retry_due(now: datetime | None = None, limit: int = 1000) -> dict[str, str]:
    """Send every pending delivery whose time has come (`flask webhooks retry-due`)."""
    now = now or utcnow()
    with _own_session() as session:
        due = session.scalars(select(WebhookDelivery.id).where(WebhookDelivery.status == rules.PENDING,
                                                               WebhookDelivery.next_attempt_at <= now)
                              .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)).all()
        session.rollback()
        return {delivery_id: attempt(session, delivery_id, now) for delivery_id in due}


class _own_session:  # noqa: N801 - used as a context manager like a function
    """A session of its own: inline, the caller's session has just committed and is in its
    after-commit hook, where it may not run SQL."""

    def __enter__(self) -> Session:
        self.session = current_app.extensions["sessionmaker"]()
        return self.session

    def __exit__(self, *exc):
        self.session.close()


def attempt(session: Session, delivery_id: str, now: datetime | None = None) -> str:
    """One attempt at a delivery if it is pending and due: "delivered", "retry", "failed"
    or "skipped" (not due, claimed elsewhere, or gone with a rolled-back savepoint)."""
    now = now or utcnow()
    timeout_s = current_app.config["SETTINGS"].webhook_timeout_s
    claimed = session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == rules.PENDING,
                                      WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + timedelta(seconds=timeout_s + 60))).rowcount
    session.commit()
    if not claimed:
        return "skipped"
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    subscription = session.get(WebhookSubscription, delivery.subscription_id)
    started = time.monotonic()
    if not subscription.active:
        status_code, error = None, "the subscription is disabled"
    else:
        status_code, error = post(subscription.url, subscription.secret, delivery, timeout_s)
    duration_ms = round((time.monotonic() - started) * 1000)
    outcome = _record(session, delivery, status_code, error, duration_ms, give_up=not subscription.active)
    if outcome == "retry":
        _schedule(delivery.id, delivery.next_attempt_at - utcnow())
    return outcome


def _record(session: Session, delivery: WebhookDelivery, status_code: int | None, error: str | None,
            duration_ms: int, give_up: bool = False) -> str:
    now = utcnow()
    session.add(WebhookAttempt(delivery_id=delivery.id, at=now, status_code=status_code, duration_ms=duration_ms,
                               error=error[:MAX_ERROR_CHARS] if error else None))
    delivery.attempts += 1
    if error is None:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at, delivery.failures = \
            rules.DELIVERED, now, None, 0
        outcome = "delivered"
    else:
        delivery.failures += 1
        wait = None if give_up else rules.next_wait(delivery.failures)
        if wait is None:
            delivery.status, delivery.next_attempt_at, outcome = rules.FAILED, None, "failed"
        else:
            delivery.next_attempt_at, outcome = now + wait, "retry"
    session.commit()
    return outcome


def post(url: str, secret: str, delivery: WebhookDelivery, timeout_s: float) -> tuple[int | None, str | None]:
    """POST the delivery's body, signed now. (status code or None, error or None on 2xx)."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = [info[4][0] for info in socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)]
    except (OSError, ValueError) as exc:
        return None, f"cannot resolve {parts.hostname}: {exc}"
    problem = rules.url_problem(url) or rules.address_problem(parts.hostname, addresses)
    if problem:
        return None, f"refused: {problem}"
    body = delivery.body.encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Webhook-Id": delivery.id,
               "X-Webhook-Event": delivery.event, rules.SIGNATURE_HEADER: rules.sign(secret, int(time.time()), body)}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(reason).__name__}: {reason}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: following it could reach a private address."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _schedule(delivery_id: str, wait: timedelta) -> None:
    """The retry on the job queue, when a worker listens (its scheduler runs it); otherwise retry-due."""
    if not jobs.worker_listening():
        return
    try:
        from rq import Queue

        Queue(jobs.QUEUE, connection=redis_store.client()).enqueue_in(max(wait, timedelta(0)), deliver_job,
                                                                      [delivery_id])
    except Exception as exc:  # retry-due still finds it
        log.warning("could not schedule the retry of webhook delivery %s: %s", delivery_id, exc)
