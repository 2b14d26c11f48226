"""Confirming and disputing statements on PostgreSQL: accept posts a correction into the
next statement, reject needs a reason, the deadline, auto-confirm, isolation, uploads."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import auth, scan
from tests.integration.test_statements_closing import (AUG, JUL, URL, at, close, detail, issue_and_deliver,
                                                       post_scans, total)

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PDF = b"%PDF-1.7\n" + b"x" * 100


@pytest.fixture
def tokens(world):
    return {k: auth(v) for k, v in world["tokens"].items()}


@pytest.fixture
def july(app, client, world, tokens):
    """acme's and globex's July statements: acme was issued two IBCs, globex one."""
    c = world["codes"]
    post_scans(client, tokens["admin"], issue_and_deliver(c[0], at(JUL, 3)) + issue_and_deliver(c[1], at(JUL, 4))
               + issue_and_deliver(c[2], at(JUL, 5), "globex"))
    r = client.post(f"{URL}/close", json={"month": JUL}, headers=tokens["admin"])
    return {s["customer"]: s for s in r.get_json()["items"]}


def dispute(client, headers, statement_id, line_ids, reason="we never received it"):
    return client.post(f"{URL}/{statement_id}/disputes", json={"lines": line_ids, "reason": reason}, headers=headers)


def stored_counts(app) -> tuple:
    from app.platform.db import get_session
    from app.statements.models import Dispute, DisputeComment, DisputeEvidence, StatementAudit

    with app.app_context():
        s = get_session()
        return tuple(s.scalar(select(func.count()).select_from(m))
                     for m in (Dispute, DisputeComment, DisputeEvidence, StatementAudit))


def test_accepted_dispute_is_corrected_in_the_next_statement(app, client, tokens, july):
    acme, admin = tokens["acme"], tokens["admin"]
    statement = detail(client, acme, july["acme"]["id"])
    line = statement["lines"][1]
    r = dispute(client, acme, statement["id"], [line["id"]])
    assert r.status_code == 201, r.get_json()
    d = r.get_json()
    assert detail(client, acme, statement["id"])["status"] == "disputed"
    r = client.post(f"/api/v1/disputes/{d['id']}/evidence", data={"file": (io.BytesIO(JPEG), "photo.jpg")},
                    headers=acme, content_type="multipart/form-data")
    assert r.status_code == 201 and r.get_json()["content_type"] == "image/jpeg", r.get_json()
    evidence_id = r.get_json()["id"]
    for who, text in ((acme, "the driver left it at the gate of plant 2"), (admin, "checking the scan photo")):
        assert client.post(f"/api/v1/disputes/{d['id']}/comments", json={"body": text}, headers=who).status_code == 201
    thread = client.get(f"/api/v1/disputes/{d['id']}", headers=admin).get_json()
    assert [c["author_role"] for c in thread["comments"]] == ["customer", "admin"]
    assert client.get(f"/api/v1/disputes/{d['id']}/evidence/{evidence_id}", headers=admin).data == JPEG
    # the customer cannot decide its own dispute
    assert client.post(f"/api/v1/disputes/{d['id']}/accept", json={}, headers=acme).status_code == 403
    r = client.post(f"/api/v1/disputes/{d['id']}/accept", json={"reason": "scan at the wrong site"}, headers=admin)
    assert r.status_code == 200 and r.get_json()["status"] == "accepted"
    assert client.post(f"/api/v1/disputes/{d['id']}/accept", json={}, headers=admin).status_code == 409
    assert detail(client, acme, statement["id"])["status"] == "resolved"
    frozen = detail(client, admin, statement["id"])
    aug = close(client, admin, AUG)
    assert aug["opening"] == july["acme"]["closing"]
    corrections = [ln for ln in detail(client, acme, aug["id"])["lines"] if ln["kind"] == "correction"]
    assert [(ln["quantity"], ln["dispute_id"], ln["reference"], ln["adjustment_for"]) for ln in corrections] == [
        (-1, d["id"], f"dispute {d['id']}", JUL)]
    assert total(aug["closing"]) == total(aug["opening"]) - 1
    # the corrected statement itself never changes (only the audit log grows)
    after = detail(client, admin, statement["id"])
    assert {k: v for k, v in after.items() if k not in ("audit", "disputes")} == \
           {k: v for k, v in frozen.items() if k not in ("audit", "disputes")}
    assert client.get(f"/api/v1/disputes/{d['id']}", headers=acme).get_json()["correction_statement_id"] == aug["id"]
    actions = [a["action"] for a in after["audit"]]
    assert actions == ["close", "dispute", "evidence", "comment", "comment", "accept"]
    # confirming after the resolution
    r = client.post(f"{URL}/{statement['id']}/confirm", headers=acme)
    assert r.status_code == 200 and r.get_json()["status"] == "confirmed" and r.get_json()["confirmed_by"]
    assert client.post(f"{URL}/{statement['id']}/confirm", headers=acme).status_code == 409


def test_rejected_dispute_needs_a_reason_and_posts_nothing(app, client, tokens, july):
    acme, admin = tokens["acme"], tokens["admin"]
    statement = detail(client, acme, july["acme"]["id"])
    d = dispute(client, acme, statement["id"], [statement["lines"][0]["id"]]).get_json()
    r = client.post(f"/api/v1/disputes/{d['id']}/reject", json={}, headers=admin)
    assert r.status_code == 422 and "reason" in r.get_json()["message"]
    r = client.post(f"/api/v1/disputes/{d['id']}/reject", json={"reason": "the delivery scan has a photo"},
                    headers=admin)
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    aug = close(client, admin, AUG)
    assert [ln for ln in detail(client, admin, aug["id"])["lines"] if ln["kind"] == "correction"] == []
    assert aug["closing"] == aug["opening"] == statement["closing"]


def test_disputes_after_the_deadline_and_auto_confirm(app, client, tokens, july):
    from app.platform.db import unit_of_work
    from app.statements import actions
    from app.statements.models import Statement

    acme = tokens["acme"]
    line = detail(client, acme, july["acme"]["id"])["lines"][0]["id"]
    d = dispute(client, acme, july["globex"]["id"], [line], "x")
    assert d.status_code == 404  # acme cannot dispute globex's statement
    # globex disputes; acme stays silent
    globex_line = detail(client, tokens["globex"], july["globex"]["id"])["lines"][0]["id"]
    assert dispute(client, tokens["globex"], july["globex"]["id"], [globex_line]).status_code == 201
    with app.app_context(), unit_of_work() as session:
        for statement in session.scalars(select(Statement)):
            statement.deadline = statement.published_at - timedelta(seconds=1)
    before = stored_counts(app)
    r = dispute(client, acme, july["acme"]["id"], [line])
    assert r.status_code == 422 and r.get_json()["message"].startswith("statement: the dispute window closed")
    assert stored_counts(app) == before
    with app.app_context():
        assert actions.auto_confirm() == [july["acme"]["number"]]  # globex's is disputed: not confirmed
        assert actions.auto_confirm() == []
    body = detail(client, acme, july["acme"]["id"])
    assert body["status"] == "confirmed" and body["confirmed_by"] is None
    assert body["audit"][-1]["action"] == "auto_confirm" and body["audit"][-1]["actor_role"] == "service"
    assert detail(client, tokens["admin"], july["globex"]["id"])["status"] == "disputed"
    result = app.test_cli_runner().invoke(args=["statements", "auto-confirm"])
    assert result.exit_code == 0 and "0 statement(s) confirmed" in result.output


def test_a_customer_sees_and_acts_only_on_its_own_statements(app, client, tokens, july):
    acme, globex = tokens["acme"], tokens["globex"]
    theirs = july["globex"]["id"]
    line = detail(client, globex, theirs)["lines"][0]["id"]
    d = dispute(client, globex, theirs, [line]).get_json()
    assert [s["customer"] for s in client.get(URL, headers=acme).get_json()["items"]] == ["acme"]
    assert client.get(URL, query_string={"customer": "globex"}, headers=acme).status_code == 404
    before = stored_counts(app)
    for method, path, kwargs in (
            ("get", f"{URL}/{theirs}", {}), ("get", f"{URL}/{theirs}.csv", {}),
            ("post", f"{URL}/{theirs}/confirm", {}),
            ("post", f"{URL}/{theirs}/disputes", {"json": {"lines": [line], "reason": "x"}}),
            ("get", f"/api/v1/disputes/{d['id']}", {}),
            ("post", f"/api/v1/disputes/{d['id']}/comments", {"json": {"body": "x"}}),
            ("post", f"/api/v1/disputes/{d['id']}/evidence", {"data": {"file": (io.BytesIO(PDF), "a.pdf")},
                                                              "content_type": "multipart/form-data"})):
        r = getattr(client, method)(path, headers=acme, **kwargs)
        assert r.status_code == 404, (path, r.status_code, r.get_json())
    assert stored_counts(app) == before
    # a line of another statement cannot be disputed either
    mine = july["acme"]["id"]
    r = dispute(client, acme, mine, [line])
    assert r.status_code == 422 and r.get_json()["message"].startswith("lines:")
    # staff roles that may not act as the customer
    assert client.post(f"{URL}/{mine}/confirm", headers=tokens["admin"]).status_code == 403
    assert client.get(f"{URL}/{mine}", headers=tokens["driver"]).status_code == 403


def test_bad_uploads_are_refused_and_nothing_is_stored(app, client, tokens, july):
    from app.statements.evidence import MAX_EVIDENCE_BYTES

    acme = tokens["acme"]
    statement = detail(client, acme, july["acme"]["id"])
    d = dispute(client, acme, statement["id"], [statement["lines"][0]["id"]]).get_json()
    url = f"/api/v1/disputes/{d['id']}/evidence"
    before = stored_counts(app)
    for payload, status in ((b"MZ\x90\x00 not a photo", 422), (b"GIF89a" + b"\x00" * 10, 422), (b"", 422),
                            (JPEG + b"\x00" * MAX_EVIDENCE_BYTES, 413)):
        r = client.post(url, data={"file": (io.BytesIO(payload), "photo.jpg")}, headers=acme,
                        content_type="multipart/form-data")
        assert r.status_code == status, (status, r.get_json())
        assert "file" in r.get_json()["message"] or "file" in str(r.get_json().get("errors")), r.get_json()
    r = client.post(url, data={"other": "x"}, headers=acme, content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in str(r.get_json()["errors"])
    assert stored_counts(app) == before
    r = client.post(url, data={"file": (io.BytesIO(PDF), "delivery-note.pdf")}, headers=acme,
                    content_type="multipart/form-data")
    assert r.status_code == 201 and r.get_json()["content_type"] == "application/pdf"


def test_a_customer_does_not_see_the_site_of_the_customer_that_passed_an_asset_on(app, client, world, tokens):
    c, admin = world["codes"], tokens["admin"]
    post_scans(client, admin, issue_and_deliver(c[0], at(JUL, 3), "globex")
               + [scan(c[0], "transfer", "globex-site", at(JUL, 10), "acme")])
    client.post(f"{URL}/close", json={"month": JUL}, headers=admin)
    [mine] = client.get(URL, headers=tokens["acme"]).get_json()["items"]
    assert [r["site"] for r in mine["closing"]] == [""]
    body = detail(client, tokens["acme"], mine["id"])
    assert [(ln["kind"], ln["site"]) for ln in body["lines"]] == [("transfer_in", "")]
    assert "globex-site" not in client.get(f"{URL}/{mine['id']}.csv", headers=tokens["acme"]).get_data(as_text=True)
    assert [ln["site"] for ln in detail(client, admin, mine["id"])["lines"]] == ["globex-site"]
