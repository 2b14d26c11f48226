"""The settlement pages on PostgreSQL: portal statements (confirm, dispute with evidence,
comments, CSV) and invoices with their documents; the console's month close, dispute
queue, billing runs and tariffs; roles, isolation (404) and a refused upload (422)."""
from __future__ import annotations

import io
import re
import struct
import zlib

import pytest

from tests.conftest import auth
from tests.integration.test_hardening_tenancy_matrix import PASSWORD
from tests.integration.test_statements_closing import AUG, JUL, at, issue_and_deliver, post_scans
from tests.integration.test_statements_disputes import stored_counts

HTML = {"Accept": "text/html,application/xhtml+xml"}
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def sign_in(app, who: str):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    r = client.post("/login", data={"email": f"{who}@settle.example", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return client


def csrf(client, path: str) -> str:
    r = client.get(path, headers=HTML)
    assert r.status_code == 200, (path, r.status_code)
    return TOKEN.search(r.get_data(as_text=True)).group(1)


@pytest.fixture
def estate(app, client, world):
    """acme holds two IBCs from July, globex one; July closed; a default tariff; July billed."""
    from app.accounts import services as accounts

    admin = auth(world["tokens"]["admin"])
    c = world["codes"]
    post_scans(client, admin, issue_and_deliver(c[0], at(JUL, 3)) + issue_and_deliver(c[1], at(JUL, 4))
               + issue_and_deliver(c[2], at(JUL, 5), "globex"))
    with app.app_context():
        for who, role, customer in (("admin", "admin", None), ("depot", "depot", None), ("driver", "driver", None),
                                    ("acme", "customer", "acme"), ("globex", "customer", "globex")):
            accounts.create_user(f"web-{who}", role, customer, f"{who}@settle.example", PASSWORD)
    r = client.post("/api/v1/contracts", headers=admin, json={
        "valid_from": "2026-01-01", "currency": "EUR", "tax_rate": "0.19", "reference": "Standard",
        "prices": [{"kind": "issue_fee", "asset_type": "*", "unit_price": "2.50"},
                   {"kind": "daily_hire", "asset_type": "ibc", "unit_price": "0.85"}],
        "hire_terms": [{"asset_type": "*", "free_days": 3}]})
    assert r.status_code == 201, r.get_json()
    staff = {who: sign_in(app, who) for who in ("admin", "depot", "driver", "acme", "globex")}
    r = staff["admin"].post("/console/settlement", data={"month": JUL, "customer": "",
                                                         "csrf_token": csrf(staff["admin"], "/console/settlement")})
    assert r.status_code == 200 and "2 statement(s) closed" in r.get_data(as_text=True)
    statements = {s["customer"]: s for s in client.get(f"/api/v1/statements?month={JUL}", headers=admin)
                  .get_json()["items"]}
    r = staff["admin"].post("/console/settlement/billing", data={
        "month": JUL, "csrf_token": csrf(staff["admin"], f"/console/settlement/billing?month={JUL}")})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    invoices = {i["customer"]: i for i in client.get("/api/v1/invoices", headers=admin).get_json()["items"]}
    return {"pages": staff, "statements": statements, "invoices": invoices, "admin": admin, "api": client}


def test_pages_open_for_the_right_roles(estate):
    pages, acme_statement = estate["pages"], estate["statements"]["acme"]["id"]
    expected = {  # path: {who: status}
        "/portal/acme/statements": {"acme": 200, "admin": 200, "depot": 200, "globex": 404},
        f"/portal/acme/statements/{acme_statement}": {"acme": 200, "admin": 200, "depot": 200, "globex": 404},
        "/portal/acme/invoices": {"acme": 200, "admin": 200, "depot": 403, "globex": 404},
        "/console/settlement": {"admin": 200, "depot": 200, "driver": 403, "acme": 403},
        "/console/settlement/disputes": {"admin": 200, "depot": 200, "acme": 403},
        f"/console/settlement/billing?month={JUL}": {"admin": 200, "depot": 403, "acme": 403},
        "/console/settlement/contracts": {"admin": 200, "depot": 403, "acme": 403},
    }
    for path, statuses in expected.items():
        for who, status in statuses.items():
            r = pages[who].get(path, headers=HTML)
            assert r.status_code == status, (path, who, r.status_code)
            assert r.mimetype == "text/html"
    body = pages["acme"].get(f"/portal/acme/statements/{acme_statement}").get_data(as_text=True)
    # names, not ids: the asset type's and the site's names
    assert "IBC 1000 L" in body and "Depot A" in body and "ibc<" not in body
    assert 'enctype="multipart/form-data"' in body and "Confirm statement" in body
    preview = pages["admin"].get(f"/console/settlement/billing?month={JUL}").get_data(as_text=True)
    assert "Acme" in preview and "Globex" in preview and "Start the billing run" in preview
    assert "Standard" in pages["admin"].get("/console/settlement/contracts").get_data(as_text=True)
    csv = pages["acme"].get(f"/portal/acme/statements/{acme_statement}.csv")
    assert csv.mimetype == "text/csv" and estate["statements"]["acme"]["number"] in csv.get_data(as_text=True)


def test_another_customers_statement_and_invoice_answer_404(estate):
    pages, globex = estate["pages"], estate["statements"]["globex"]["id"]
    acme_invoice = estate["invoices"]["acme"]["id"]
    acme = pages["acme"]
    for path in (f"/portal/acme/statements/{globex}", f"/portal/globex/statements/{globex}",
                 f"/portal/acme/statements/{globex}.csv", f"/portal/globex/invoices/{acme_invoice}/pdf",
                 "/portal/globex/invoices"):
        r = acme.get(path, headers=HTML)
        assert r.status_code == 404 and "Page not found" in r.get_data(as_text=True), path
    for path in (f"/portal/globex/invoices/{acme_invoice}/pdf", f"/portal/acme/invoices/{acme_invoice}/xml"):
        assert pages["globex"].get(path, headers=HTML).status_code == 404, path
    # staff following a link with the wrong customer in it: 404 too
    assert pages["admin"].get(f"/portal/acme/statements/{globex}", headers=HTML).status_code == 404
    assert pages["admin"].get(f"/portal/globex/invoices/{acme_invoice}/pdf", headers=HTML).status_code == 404


def test_invoice_documents_download_from_the_portal(estate):
    acme, invoice = estate["pages"]["acme"], estate["invoices"]["acme"]
    listing = acme.get("/portal/acme/invoices").get_data(as_text=True)
    assert invoice["number"] in listing
    for kind, mimetype, start in (("pdf", "application/pdf", b"%PDF"), ("xml", "application/xml", b"<?xml"),
                                  ("factur-x", "application/pdf", b"%PDF"), ("csv", "text/csv", b"")):
        r = acme.get(f"/portal/acme/invoices/{invoice['id']}/{kind}")
        assert r.status_code == 200 and r.mimetype == mimetype and r.data.startswith(start), kind
        assert invoice["number"] in r.headers["Content-Disposition"]
    assert acme.get(f"/portal/acme/invoices/{invoice['id']}/docx", headers=HTML).status_code == 404


def test_a_wrong_evidence_type_answers_422_naming_the_field_and_stores_nothing(app, estate):
    acme, statement = estate["pages"], estate["statements"]["acme"]
    client = acme["acme"]
    path = f"/portal/acme/statements/{statement['id']}"
    line = estate["api"].get(f"/api/v1/statements/{statement['id']}", headers=estate["admin"]).get_json()["lines"][0]
    before = stored_counts(app)
    r = client.post(f"{path}/disputes", headers=HTML, content_type="multipart/form-data", data={
        "csrf_token": csrf(client, path), "lines": str(line["id"]), "reason": "not ours",
        "file": (io.BytesIO(b"GIF89a" + b"\x00" * 50), "photo.gif")})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert "file: evidence must be a JPEG or PNG photo or a PDF" in body and 'role="alert"' in body
    assert stored_counts(app) == before
    # no line chosen: 422 naming `lines`, nothing stored either
    r = client.post(f"{path}/disputes", headers=HTML, data={"csrf_token": csrf(client, path), "reason": "x"})
    assert r.status_code == 422 and "lines: choose at least one line" in r.get_data(as_text=True)
    assert stored_counts(app) == before


def test_dispute_with_a_photo_accepted_in_the_console_shows_the_correction_next_month(app, estate):
    pages, statement = estate["pages"], estate["statements"]["acme"]
    acme, admin = pages["acme"], pages["admin"]
    path = f"/portal/acme/statements/{statement['id']}"
    line = estate["api"].get(f"/api/v1/statements/{statement['id']}", headers=estate["admin"]).get_json()["lines"][0]
    r = acme.post(f"{path}/disputes", content_type="multipart/form-data", data={
        "csrf_token": csrf(acme, path), "lines": str(line["id"]), "reason": "never delivered to our plant",
        "file": (io.BytesIO(tiny_png()), "gate.png")})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    body = acme.get(r.headers["Location"]).get_data(as_text=True)
    assert "Dispute sent" in body and "gate.png" in body and "never delivered to our plant" in body
    queue = admin.get("/console/settlement/disputes").get_data(as_text=True)
    assert "never delivered to our plant" in queue and "Acme" in queue and "gate.png" in queue
    dispute_id = int(re.search(r'id="dispute-(\d+)"', queue).group(1))
    evidence = re.search(rf'href="(/console/settlement/disputes/{dispute_id}/evidence/\d+)"', queue).group(1)
    got = admin.get(evidence)
    assert got.mimetype == "image/png" and got.data == tiny_png()
    token = csrf(admin, "/console/settlement/disputes")
    r = admin.post(f"/console/settlement/disputes/{dispute_id}/comments",
                   data={"body": "checking", "csrf_token": token})
    assert r.status_code == 302
    # a rejection without a reason is refused and changes nothing; the acceptance goes through
    r = admin.post(f"/console/settlement/disputes/{dispute_id}/decide", headers=HTML,
                   data={"decision": "reject", "reason": "", "csrf_token": token})
    assert r.status_code == 422 and "reason: a rejection needs a reason" in r.get_data(as_text=True)
    r = admin.post(f"/console/settlement/disputes/{dispute_id}/decide",
                   data={"decision": "accept", "reason": "scan at the wrong site", "csrf_token": token})
    assert r.status_code == 302
    assert "No open disputes." in admin.get(r.headers["Location"]).get_data(as_text=True)
    assert acme.post(f"/console/settlement/disputes/{dispute_id}/decide", headers=HTML,
                     data={"decision": "accept", "csrf_token": csrf(acme, path)}).status_code == 403
    r = admin.post("/console/settlement", data={"month": AUG, "customer": "acme",
                                                "csrf_token": csrf(admin, "/console/settlement")})
    assert r.status_code == 200
    aug = estate["api"].get(f"/api/v1/statements?month={AUG}&customer=acme", headers=estate["admin"]).get_json()
    page = acme.get(f"/portal/acme/statements/{aug['items'][0]['id']}").get_data(as_text=True)
    assert "correction" in page and f"dispute {dispute_id}" in page and f"for {JUL}" in page
    # the customer confirms the corrected July statement on its page
    r = acme.post(f"{path}/confirm", data={"csrf_token": csrf(acme, path)})
    assert r.status_code == 302 and "Statement confirmed." in acme.get(r.headers["Location"]).get_data(as_text=True)
