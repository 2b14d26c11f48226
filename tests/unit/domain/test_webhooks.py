"""Webhook rules: the signature a receiver can check, the URLs refused, the back-off."""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from app.domain import webhooks as rules


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = b'{"event":"statement.closed"}'
    header = rules.sign("whsec_abc", 1767225600, body)
    expected = hmac.new(b"whsec_abc", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1767225600,v1={expected}"
    assert rules.verify("whsec_abc", header, body, now=1767225600 + 299)
    assert not rules.verify("whsec_abc", header, body, now=1767225600 + 301)  # too old: a replay
    assert not rules.verify("whsec_abc", header, body + b" ", now=1767225600)
    assert not rules.verify("whsec_other", header, body, now=1767225600)
    assert not rules.verify("whsec_abc", "t=x,v1=00", body, now=1767225600)


@pytest.mark.parametrize("url", ["https://erp.example.com/hooks/circularity", "http://127.0.0.1:8080/x",
                                 "http://localhost/x", "https://localhost:8443/x", "https://8.8.8.8/x"])
def test_accepted_urls(url):
    assert rules.url_problem(url) is None


@pytest.mark.parametrize("url", ["http://erp.example.com/", "https://10.1.2.3/", "https://172.16.0.1/",
                                 "https://100.64.0.1/", "https://169.254.169.254/", "https://[fe80::1]/",
                                 "https://[::ffff:10.0.0.1]/", "https://0.0.0.0/", "https://127.0.0.2/",
                                 "https://017700000001/", "https://a.localhost/", "https://db.internal/",
                                 "https:///nohost", "mailto:x@example.com", "https://x@example.com/",
                                 "https://example.com:99999/", "https://" + "a" * 2000 + ".com/"])
def test_refused_urls(url):
    assert rules.url_problem(url) is not None


def test_resolved_addresses_are_judged_again():
    assert rules.address_problem("erp.example.com", ["93.184.216.34"]) is None
    assert "10.0.0.7" in rules.address_problem("erp.example.com", ["93.184.216.34", "10.0.0.7"])
    assert rules.address_problem("localhost", ["::1", "127.0.0.1"]) is None


def test_back_off_then_give_up():
    waits = [rules.next_wait(n) for n in range(1, 7)]
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                     timedelta(hours=12), None]
