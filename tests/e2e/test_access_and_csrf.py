"""Customer isolation through every link, role checks, CSRF on every form, session cookie flags."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import expect

from .conftest import digital_link, login, seed_history

CUSTOMER_PAGES = ["", "/statement", "/statement.csv", "/statement.pdf", "/overdue", "/tokens", "/pickups",
                  "/certificates"]


def crawl(page, start: str, limit: int = 60) -> dict[str, int]:
    """Every same-origin link reachable from `start` (GET), with its status."""
    origin = urlsplit(page.url)._replace(path="", query="", fragment="").geturl()
    seen: dict[str, int] = {}
    todo = [start]
    while todo and len(seen) < limit:
        path = todo.pop(0)
        if path in seen:
            continue
        response = page.request.get(urljoin(origin, path), max_redirects=5)
        seen[path] = response.status
        body = response.text() if "text/html" in response.headers.get("content-type", "") else ""
        assert "globex" not in (response.text() if "text" in response.headers.get("content-type", "") else "").lower(), path
        for href in re.findall(r'href="([^"#]+)"', body):
            url = urlsplit(urljoin(origin + path, href.replace("&amp;", "&")))
            if url.netloc == urlsplit(origin).netloc and not url.path.startswith("/static/"):
                todo.append(url.path + (f"?{url.query}" if url.query else ""))
    return seen


def test_customer_user_sees_only_its_own_customer(live, new_page):
    seed_history(live)
    page = new_page("desktop")
    login(page, "acme")
    assert page.url.endswith("/portal/acme")
    seen = crawl(page, "/portal")
    assert all(status == 200 for status in seen.values()), seen
    assert {"/portal/acme", "/portal/acme/statement", "/portal/acme/overdue", "/portal/acme/tokens"} <= set(seen)
    assert any(p.startswith("/portal/acme/statement.csv") for p in seen)
    assert any(p.startswith("/portal/acme/statement.pdf") for p in seen)
    # another customer's pages and data: 404, exactly like a customer that does not exist
    for suffix in CUSTOMER_PAGES:
        for other in ("globex", "no-such-customer"):
            response = page.request.get(f"/portal/{other}{suffix}")
            assert response.status == 404, (other, suffix, response.status)
            assert "globex" not in response.text().lower()
    page.goto("/portal/globex/overdue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    # revoking another customer's token: 404 and the token still works
    globex_tokens = live.api("get", "/tokens", token="globex").get_json()
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = page.request.post(f"/portal/acme/tokens/{globex_tokens[0]['id']}/revoke", form={"csrf_token": csrf})
    assert response.status == 404
    response = page.request.post(f"/portal/globex/tokens/{globex_tokens[0]['id']}/revoke", form={"csrf_token": csrf})
    assert response.status == 404
    assert live.api("get", "/customers/globex/balance", token="globex").status_code == 200
    # the API through the browser session: the same rule
    api = page.request.get("/api/v1/customers/globex/balance", headers={"X-CSRF-Token": csrf})
    assert api.status == 404
    assert page.request.get("/api/v1/customers/acme/balance", headers={"X-CSRF-Token": csrf}).status == 200
    # operator pages are not for customers
    assert page.request.get("/console").status == 403
    assert page.request.get("/scan").status == 403


def test_sign_in_redirects_by_role_and_protects_pages(live, new_page):
    page = new_page("desktop")
    page.goto("/portal/acme")
    assert "/login" in page.url
    for who, path in (("admin", "/console"), ("depot", "/scan"), ("driver", "/scan"), ("acme", "/portal/acme")):
        context_page = new_page("desktop")
        login(context_page, who)
        assert urlsplit(context_page.url).path == path, (who, context_page.url)
    page.goto("/login?next=https://evil.example/")
    page.get_by_label("Email").fill("alice@acme.example")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    login(page, "acme", "https://evil.example/")
    assert urlsplit(page.url).netloc == urlsplit(live.url).netloc


def test_session_cookie_flags(live, new_page):
    page = new_page("desktop")
    login(page, "depot")
    [cookie] = [c for c in page.context.cookies() if c["name"] == "session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"


def test_forms_reject_requests_without_csrf_token(live, new_page):
    seed_history(live)
    anon = new_page("desktop")
    anon.goto("/login")
    response = anon.request.post("/login", form={"email": "alice@acme.example", "password": "e2e-password-1"})
    assert response.status == 400
    assert anon.request.get("/portal/acme", max_redirects=0).status == 302  # not signed in

    page = new_page("desktop")
    login(page, "acme")
    for token in (None, "forged-token"):
        form = {"name": "ERP"} | ({"csrf_token": token} if token else {})
        assert page.request.post("/portal/acme/tokens", form=form).status == 400
        assert page.request.post("/logout", form={} if token is None else {"csrf_token": token}).status == 400
    assert live.api("get", "/tokens", token="acme").get_json()[-1]["name"] == "test"  # none created
    assert page.request.get("/portal/acme", max_redirects=0).status == 200  # still signed in

    admin = new_page("desktop")
    login(admin, "admin")
    anomaly = live.api("get", "/anomalies").get_json()["items"][0]
    assert admin.request.post(f"/console/anomalies/{anomaly['id']}/resolve", form={"note": "x"}).status == 400
    assert live.api("get", "/anomalies").get_json()["items"][0]["resolved_at"] is None


def test_api_accepts_the_session_only_with_the_csrf_header(live, new_page):
    page = new_page("desktop")
    login(page, "depot", "/scan")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    code = live.world["codes"][0]
    body = {"scans": [{"id": "8b0f3a3e-5f5c-4c59-9f7c-1b1f0c7d2a11", "code": digital_link(code), "event": "issue",
                       "site": "depot-a", "customer": "acme", "occurred_at": "2026-01-05T08:00:00+01:00"}]}
    assert page.request.post("/api/v1/scans", data=body).status == 401
    assert page.request.post("/api/v1/scans", data=body, headers={"X-CSRF-Token": "forged"}).status == 401
    response = page.request.post("/api/v1/scans", data=body, headers={"X-CSRF-Token": csrf})
    assert response.status == 200 and response.json()["summary"] == {"applied": 1}
    # the bearer path is unchanged: a wrong bearer token is not rescued by the session
    assert page.request.post("/api/v1/scans", data=body, headers={"X-CSRF-Token": csrf,
                                                                   "Authorization": "Bearer nope"}).status == 401
    # after sign-out the page's token no longer opens the API
    page.get_by_role("button", name="Sign out").click()
    assert page.request.post("/api/v1/scans", data=body, headers={"X-CSRF-Token": csrf}).status == 401
