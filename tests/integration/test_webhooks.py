"""Signed webhooks on PostgreSQL with a real HTTP receiver on 127.0.0.1: delivery and its
signature (checked here with hmac, independently of the service), retries with back-off and
the delivery log, nothing sent for a rolled-back change, refused URLs, customer isolation."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from tests.conftest import auth
from tests.integration.test_statements_closing import AUG, JUL, at, close, issue_and_deliver, post_scans

URL = "/api/v1/webhooks"


class Receiver:
    """An HTTP server in a thread that records every request and answers `status`."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "received": time.time()})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def tokens(world):
    return {k: auth(v) for k, v in world["tokens"].items()}


def subscribe(client, headers, url, events=("statement.closed",), **extra) -> dict:
    r = client.post(URL, json={"url": url, "events": list(events), **extra}, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def signature_ok(secret: str, request: dict, tolerance_s: int = 300) -> bool:
    """The receiver's check, written from the documented scheme alone."""
    parts = dict(p.split("=", 1) for p in request["headers"]["X-Webhook-Signature"].split(","))
    signed = parts["t"].encode() + b"." + request["body"]
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) <= tolerance_s


def log(client, headers, subscription_id) -> list[dict]:
    r = client.get(f"{URL}/{subscription_id}/deliveries", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_a_statement_close_delivers_a_signed_statement_closed(client, world, tokens, receiver):
    admin = tokens["admin"]
    sub = subscribe(client, admin, receiver.url)
    assert sub["secret"].startswith("whsec_") and sub["customer"] is None
    assert "secret" not in client.get(f"{URL}/{sub['id']}", headers=admin).get_json()
    post_scans(client, admin, issue_and_deliver(world["codes"][0], at(JUL, 3)))
    statement = close(client, admin, JUL)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert signature_ok(sub["secret"], request)
    assert not signature_ok("whsec_" + "0" * 64, request)
    body = json.loads(request["body"])
    assert body["event"] == "statement.closed" and request["headers"]["X-Webhook-Event"] == "statement.closed"
    assert body["id"] == request["headers"]["X-Webhook-Id"]
    assert {k: body["data"][k] for k in ("id", "number", "customer", "month")} == {
        k: statement[k] for k in ("id", "number", "customer", "month")}
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None
    [delivery] = log(client, admin, sub["id"])
    assert delivery["id"] == body["id"] and delivery["status"] == "delivered"
    assert [(a["status_code"], a["error"]) for a in delivery["attempts"]] == [(200, None)]
    # a subscription to other events gets nothing; a rotated secret signs from then on
    other = subscribe(client, admin, receiver.url, ["invoice.issued"])
    r = client.post(f"{URL}/{sub['id']}/rotate-secret", headers=admin)
    assert r.status_code == 200 and r.get_json()["secret"] != sub["secret"]
    rotated = r.get_json()["secret"]
    r = client.post(f"{URL}/{sub['id']}/deliveries/{delivery['id']}/redeliver", headers=admin)
    assert r.status_code == 200 and r.get_json()["status"] == "delivered", r.get_json()
    assert len(r.get_json()["attempts"]) == 2
    again = receiver.requests[1]
    assert again["headers"]["X-Webhook-Id"] == body["id"] and again["body"] == request["body"]
    assert signature_ok(rotated, again) and not signature_ok(sub["secret"], again)
    assert log(client, admin, other["id"]) == []


def test_a_failing_receiver_gets_retries_with_back_off_and_a_log(app, client, world, tokens, receiver):
    from app.webhooks import delivery

    admin = tokens["admin"]
    receiver.status = 500
    sub = subscribe(client, admin, receiver.url, ["statement.closed", "dispute.opened"])
    post_scans(client, admin, issue_and_deliver(world["codes"][0], at(JUL, 3)))
    close(client, admin, JUL)
    [d] = log(client, admin, sub["id"])
    first = datetime.fromisoformat(d["attempts"][0]["at"])
    assert d["status"] == "pending" and [a["status_code"] for a in d["attempts"]] == [500]
    assert d["attempts"][0]["error"].startswith("HTTP 500")
    assert datetime.fromisoformat(d["next_attempt_at"]) - first == timedelta(minutes=1)
    with app.app_context():
        assert delivery.retry_due() == {}  # not due yet
        assert delivery.retry_due(first + timedelta(seconds=61)) == {d["id"]: "retry"}
    [d] = log(client, admin, sub["id"])
    second = datetime.fromisoformat(d["attempts"][1]["at"])
    assert [a["status_code"] for a in d["attempts"]] == [500, 500]
    assert datetime.fromisoformat(d["next_attempt_at"]) - second == timedelta(minutes=5)
    waits = [timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12)]
    with app.app_context():
        clock = second
        for wait in waits:
            clock += wait + timedelta(minutes=10)
            assert list(delivery.retry_due(clock).values()) == ["retry"]
        assert list(delivery.retry_due(clock + timedelta(days=1)).values()) == ["failed"]
    [d] = log(client, admin, sub["id"])
    assert d["status"] == "failed" and d["next_attempt_at"] is None and len(d["attempts"]) == 6
    assert len(receiver.requests) == 6 and len({r["headers"]["X-Webhook-Id"] for r in receiver.requests}) == 1
    assert all(r["duration_ms"] >= 0 for r in d["attempts"])
    assert log(client, admin, sub["id"]) == log(client, admin, sub["id"])
    r = client.get(f"{URL}/{sub['id']}/deliveries?status=failed", headers=admin)
    assert [x["id"] for x in r.get_json()["items"]] == [d["id"]]
    # once the receiver is fixed, a redelivery goes through
    receiver.status = 204
    r = client.post(f"{URL}/{sub['id']}/deliveries/{d['id']}/redeliver", headers=admin)
    assert r.status_code == 200 and r.get_json()["status"] == "delivered" and len(r.get_json()["attempts"]) == 7


def test_an_unreachable_receiver_never_fails_the_change(client, world, tokens):
    admin = tokens["admin"]
    sub = subscribe(client, admin, "http://127.0.0.1:9/nothing-listens")
    post_scans(client, admin, issue_and_deliver(world["codes"][0], at(JUL, 3)))
    close(client, admin, JUL)
    [d] = log(client, admin, sub["id"])
    assert d["status"] == "pending" and d["attempts"][0]["status_code"] is None and d["attempts"][0]["error"]


def test_a_rolled_back_change_emits_nothing(app, client, world, tokens, receiver, monkeypatch):
    from app.domain.policy import OPERATOR
    from app.platform.db import get_session
    from app.statements import closing
    from app.statements.models import Statement
    from app.webhooks import events
    from app.webhooks.models import WebhookDelivery

    admin = tokens["admin"]
    subscribe(client, admin, receiver.url)
    post_scans(client, admin, issue_and_deliver(world["codes"][0], at(JUL, 3)))
    real_emit = events.emit

    def emit_then_fail(*args, **kwargs):
        ids = real_emit(*args, **kwargs)
        assert ids  # the delivery row was written in the close's transaction
        raise RuntimeError("the change fails after its event was recorded")

    monkeypatch.setattr(closing.events, "emit", emit_then_fail)
    with app.app_context(), pytest.raises(RuntimeError):
        closing.close_month(OPERATOR, JUL, "acme")
    with app.app_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
        assert session.scalar(select(func.count()).select_from(Statement)) == 0
    assert receiver.requests == []


@pytest.mark.parametrize("url", [
    "https://10.0.0.5/hook", "https://169.254.169.254/latest/meta-data", "https://192.168.1.1/", "https://[::1]/x",
    "https://2130706433/", "https://0x7f.1/", "https://printer.local/", "http://example.com/hook",
    "ftp://example.com/", "https://user:pw@example.com/", "http://[::1]:8080/"])
def test_private_or_plain_urls_are_refused(client, tokens, url):
    r = client.post(URL, json={"url": url, "events": ["statement.closed"]}, headers=tokens["admin"])
    assert r.status_code == 422 and "url" in r.get_json()["errors"], (url, r.get_json())
    assert client.get(URL, headers=tokens["admin"]).get_json()["items"] == []


def test_bad_events_are_refused(client, tokens):
    for events in ([], ["statement.opened"], "statement.closed"):
        r = client.post(URL, json={"url": "https://erp.example.com/hook", "events": events}, headers=tokens["admin"])
        assert r.status_code == 422 and "events" in r.get_json()["errors"]["json"], r.get_json()


def test_customers_manage_and_receive_only_their_own(client, world, tokens, receiver):
    acme, globex, admin = tokens["acme"], tokens["globex"], tokens["admin"]
    mine = subscribe(client, acme, receiver.url, ["statement.closed", "dispute.opened"])
    assert mine["customer"] == "acme"
    r = client.post(URL, json={"url": receiver.url, "events": ["statement.closed"], "customer": "globex"},
                    headers=acme)
    assert r.status_code == 404 and "customer" in r.get_json()["errors"]
    for method, path in (("get", ""), ("get", "/deliveries"), ("post", "/disable"), ("post", "/rotate-secret"),
                         ("delete", "")):
        r = getattr(client, method)(f"{URL}/{mine['id']}{path}", headers=globex)
        assert r.status_code == 404, (method, path, r.status_code)
    assert client.get(URL, headers=globex).get_json()["items"] == []
    assert [s["id"] for s in client.get(URL, headers=acme).get_json()["items"]] == [mine["id"]]
    assert client.post(URL, json={"url": receiver.url, "events": ["statement.closed"]},
                       headers=tokens["driver"]).status_code == 403
    c = world["codes"]
    post_scans(client, admin, issue_and_deliver(c[0], at(JUL, 3)) + issue_and_deliver(c[1], at(JUL, 4), "globex"))
    client.post("/api/v1/statements/close", json={"month": JUL}, headers=admin)
    assert [json.loads(r["body"])["data"]["customer"] for r in receiver.requests] == ["acme"]
    # disabled: nothing more; deleted: gone with its log
    assert client.post(f"{URL}/{mine['id']}/disable", headers=acme).get_json()["active"] is False
    close(client, admin, AUG)
    assert len(receiver.requests) == 1
    assert client.delete(f"{URL}/{mine['id']}", headers=acme).status_code == 204
    assert client.get(f"{URL}/{mine['id']}", headers=admin).status_code == 404


def test_disputes_emit_opened_and_resolved(client, world, tokens, receiver):
    admin, acme = tokens["admin"], tokens["acme"]
    sub = subscribe(client, admin, receiver.url, ["dispute.opened", "dispute.resolved"], customer="acme")
    post_scans(client, admin, issue_and_deliver(world["codes"][0], at(JUL, 3)))
    statement = close(client, admin, JUL)
    line = client.get(f"/api/v1/statements/{statement['id']}", headers=acme).get_json()["lines"][0]["id"]
    r = client.post(f"/api/v1/statements/{statement['id']}/disputes", json={"lines": [line], "reason": "not ours"},
                    headers=acme)
    dispute = r.get_json()["id"]
    assert client.post(f"/api/v1/disputes/{dispute}/reject", json={"reason": "signed for"},
                       headers=admin).status_code == 200
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    assert [(b["event"], b["data"]["id"], b["data"]["status"]) for b in bodies] == [
        ("dispute.opened", dispute, "open"), ("dispute.resolved", dispute, "rejected")]
    assert all(signature_ok(sub["secret"], r) for r in receiver.requests)
