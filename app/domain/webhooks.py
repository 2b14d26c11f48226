"""Webhook rules (pure): the events, which URLs may receive them, the signature, the back-off.

Signature (the scheme Stripe uses): the header
`X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the HMAC is computed
with the subscription's secret (its UTF-8 bytes) over `"<t>." + raw body`. A receiver
recomputes it, compares in constant time and refuses a `t` too far from its clock.

URLs: https only, except `localhost` and `127.0.0.1` (http or https, for development and
tests). Any other host written as an address in a private, loopback, link-local or
otherwise non-public range is refused, so a subscription cannot make the service call its
own network (SSRF); names are resolved and judged again at each delivery
(`address_problem`).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
from datetime import timedelta
from urllib.parse import urlsplit

EVENTS = ("handover.confirmed", "statement.closed", "dispute.opened", "dispute.resolved", "invoice.issued")
# Hosts that may receive webhooks over plain http and despite being loopback (dev, tests).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
MAX_URL_LENGTH = 2000
# The waits after the 1st, 2nd, ... failed attempt; after the last one the delivery has failed.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
STATUSES = (PENDING, DELIVERED, FAILED)
SIGNATURE_HEADER = "X-Webhook-Signature"


def url_problem(url: str) -> str | None:
    """Why `url` may not receive webhooks, or None."""
    if len(url) > MAX_URL_LENGTH:
        return f"at most {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return "expected an absolute https:// URL"
    if parts.username is not None or parts.password is not None:
        return "credentials in the URL are not accepted; authenticate the signature instead"
    if host in LOCAL_HOSTS:
        return None
    if parts.scheme != "https":
        return "https is required (http only for localhost and 127.0.0.1)"
    if host.endswith((".localhost", ".local", ".internal", ".localdomain", ".home.arpa")):
        return f"{host} names a host of a private network"
    address = _literal_address(host)
    if address is not None and not address.is_global:
        return f"{host} is a private, loopback or link-local address"
    return None


def _literal_address(host: str):
    """The address a host written as one means, also in the short forms resolvers accept
    ("2130706433", "0x7f.1"); None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.ip_address(socket.inet_aton(host))
    except OSError:
        return None


def address_problem(host: str, addresses: list[str]) -> str | None:
    """At delivery: why the resolved `addresses` of `host` may not be called, or None."""
    if host.lower() in LOCAL_HOSTS:
        return None
    for text in addresses:
        if not ipaddress.ip_address(text.split("%", 1)[0]).is_global:
            return f"{host} resolves to the non-public address {text}"
    return None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Webhook-Signature header value for `body` sent at `timestamp` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance_s: int = 300) -> bool:
    """What a receiver does: the header is ours for this body and recent."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return abs(now - timestamp) <= tolerance_s and hmac.compare_digest(expected, fields.get("v1", ""))


def next_wait(failures: int) -> timedelta | None:
    """The wait before the next attempt after `failures` failed ones in a row; None: give up."""
    return BACKOFF[failures - 1] if 1 <= failures <= len(BACKOFF) else None
