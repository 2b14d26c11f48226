"""Sessions, sign-in and headers: cookie flags and lifetimes, server-side sign-out, password
change and deactivation, sign-in limits, token revocation on every worker, security
headers, and HTML error pages for browsers (real PostgreSQL and Redis)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import REDIS_URL, auth

PASSWORD = "hardening-pass-1"
NEW_PASSWORD = "hardening-pass-2"
ACCOUNT_LIMIT, ADDRESS_LIMIT = 3, 6
IDLE_S, LIFETIME_S = 3600, 8 * 3600
PEOPLE = {  # key: (name, role, customer, email)
    "admin": ("Ada", "admin", None, "ada@example.org"),
    "depot": ("Dirk", "depot", None, "dirk@example.org"),
    "acme": ("Alice", "customer", "acme", "alice@acme.example"),
}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def make_settings(migrated_db, **overrides):
    from app.platform.config import Settings

    values = dict(database_url=migrated_db, redis_url=REDIS_URL, secret_key="test-secret",
                  auth_failures_per_minute=1000, login_failures_per_account=ACCOUNT_LIMIT,
                  login_failures_per_address=ADDRESS_LIMIT, login_failure_window_s=900,
                  session_idle_timeout_s=IDLE_S, session_lifetime_s=LIFETIME_S)
    return Settings(**(values | overrides))


@pytest.fixture
def settings(migrated_db):
    return make_settings(migrated_db)


@pytest.fixture
def people(app, world):
    """A password user per role (plus its own API token)."""
    from app.accounts import services as accounts

    with app.app_context():
        ids = {key: accounts.create_user(name, role, customer, email, PASSWORD).id
               for key, (name, role, customer, email) in PEOPLE.items()}
        tokens = {key: accounts.issue_token(user_id, "own")[1] for key, user_id in ids.items()}
    return {"ids": ids, "tokens": tokens}


def csrf_of(response) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', response.get_data(as_text=True)).group(1)


def sign_in(client, who: str, password: str = PASSWORD, email: str | None = None, **kw):
    token = csrf_of(client.get("/login", **kw))
    return client.post("/login", data={"email": email or PEOPLE[who][3], "password": password, "csrf_token": token},
                       **kw)


def signed_in_client(app, who: str):
    client = app.test_client()
    r = sign_in(client, who)
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def field_errors(response) -> dict:
    errors = response.get_json()["errors"]
    return errors.get("json", errors)  # schema errors come nested under the request location


def page_status(client, path: str = "/portal") -> int:
    return client.get(path).status_code


def session_rows(app):
    with app.extensions["engine"].connect() as conn:
        return conn.execute(text("SELECT user_id, revoked_at FROM web_sessions ORDER BY id")).all()


def shift_sessions(app, column: str, seconds: int) -> None:
    with app.extensions["engine"].begin() as conn:
        conn.execute(text(f"UPDATE web_sessions SET {column} = {column} - make_interval(secs => :s)"), {"s": seconds})


# ---------- 1. cookie flags and lifetimes ----------

def test_session_cookie_is_httponly_lax_and_expires_after_the_idle_timeout(app, client, people):
    before = datetime.now(timezone.utc)
    r = sign_in(client, "depot")
    assert r.status_code == 302
    [header] = [h for h in r.headers.getlist("Set-Cookie") if h.startswith("session=")]
    flags = [part.strip().lower() for part in header.split(";")]
    assert "httponly" in flags and "samesite=lax" in flags
    assert "secure" not in flags  # PUBLIC_BASE_URL is http here
    expires = parsedate_to_datetime(next(p for p in header.split(";") if p.strip().lower().startswith("expires="))
                                    .split("=", 1)[1])
    # the idle timeout (1 h here), not Flask's 31 days
    assert before + timedelta(seconds=IDLE_S - 120) < expires < before + timedelta(seconds=IDLE_S + 120)


def test_over_https_the_cookie_is_secure_host_only_and_hsts_is_sent(migrated_db, world):
    from app import create_app

    app = create_app({"SETTINGS": make_settings(migrated_db, public_base_url="https://circ.example"), "TESTING": True})
    client = app.test_client()
    with app.app_context():
        from app.accounts import services as accounts

        accounts.create_user("Dirk", "depot", None, "dirk@example.org", PASSWORD)
    # over https Flask-WTF also wants a same-origin Referer (hence Referrer-Policy same-origin)
    r = sign_in(client, "depot", base_url="https://circ.example", headers={"Referer": "https://circ.example/login"})
    assert r.status_code == 302
    [header] = [h for h in r.headers.getlist("Set-Cookie") if "session=" in h]
    assert header.startswith("__Host-session=")
    flags = [part.strip().lower() for part in header.split(";")]
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= set(flags)
    assert not any(f.startswith("domain=") for f in flags)
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "upgrade-insecure-requests" in r.headers["Content-Security-Policy"]
    assert client.get("/scan", base_url="https://circ.example").status_code == 200
    app.extensions["engine"].dispose()


def test_settings_refuse_non_positive_lifetimes_and_limits(migrated_db):
    for name in ("session_idle_timeout_s", "session_lifetime_s", "login_failures_per_account",
                 "login_failures_per_address", "login_failure_window_s"):
        with pytest.raises(RuntimeError, match=name):
            make_settings(migrated_db, **{name: 0})


def test_idle_session_ends(app, people):
    client = signed_in_client(app, "depot")
    assert page_status(client, "/scan") == 200
    shift_sessions(app, "last_seen_at", IDLE_S + 1)
    r = client.get("/scan")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_session_ends_at_its_absolute_lifetime_even_when_active(app, people):
    client = signed_in_client(app, "depot")
    shift_sessions(app, "created_at", LIFETIME_S + 1)  # last_seen_at stays fresh
    assert client.get("/scan").status_code == 302


def test_activity_moves_the_idle_deadline(app, people):
    client = signed_in_client(app, "depot")
    shift_sessions(app, "last_seen_at", IDLE_S - 60)
    assert page_status(client, "/scan") == 200  # records the activity
    shift_sessions(app, "last_seen_at", 120)
    assert page_status(client, "/scan") == 200


# ---------- 2. server-side sign-out, password change, deactivation ----------

def test_signed_out_cookie_no_longer_opens_pages_or_the_api(app, people):
    client = signed_in_client(app, "admin")
    cookie = client.get_cookie("session").value
    page = client.get("/console")
    assert page.status_code == 200
    csrf = csrf_of(page)
    r = client.post("/logout", data={"csrf_token": csrf})
    assert r.status_code == 302
    assert session_rows(app)[-1].revoked_at is not None
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    r = replay.get("/console")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert replay.get("/api/v1/kpis", headers={"X-CSRF-Token": csrf}).status_code == 401


def test_password_change_page_ends_other_sessions_and_keeps_this_one(app, people):
    mine, other = signed_in_client(app, "acme"), signed_in_client(app, "acme")
    form = mine.get("/account/password")
    assert form.status_code == 200
    r = mine.post("/account/password", data={"csrf_token": csrf_of(form), "current_password": PASSWORD,
                                             "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    assert "Password changed" in mine.get(r.headers["Location"]).get_data(as_text=True)
    assert mine.get("/portal/acme").status_code == 200
    assert other.get("/portal/acme").status_code == 302
    assert sign_in(app.test_client(), "acme").status_code == 401  # old password
    assert sign_in(app.test_client(), "acme", NEW_PASSWORD).status_code == 302
    # the user's API tokens are revoked with the old password
    assert app.test_client().get("/api/v1/customers/acme/balance",
                                 headers=auth(people["tokens"]["acme"])).status_code == 401


@pytest.mark.parametrize("form, field, message", [
    ({"current_password": "not-my-password", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
     "current_password", "current password is wrong"),
    ({"current_password": PASSWORD, "new_password": "short", "confirm": "short"}, "new_password", "between 10 and 200"),
    ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": "something-else"}, "confirm",
     "Does not match"),
    ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD}, "new_password",
     "must differ"),
])
def test_password_change_page_names_the_problem_and_changes_nothing(app, people, form, field, message):
    client = signed_in_client(app, "depot")
    page = client.get("/account/password")
    r = client.post("/account/password", data={"csrf_token": csrf_of(page), **form})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert f'id="{field}-error"' in body and message.lower() in body.lower()
    assert sign_in(app.test_client(), "depot").status_code == 302  # password unchanged


def test_password_change_api_with_a_token_ends_browser_sessions(app, people):
    browser = signed_in_client(app, "depot")
    api = app.test_client()
    token = auth(people["tokens"]["depot"])
    r = api.post("/api/v1/me/password", json={"current_password": "wrong-one-here", "new_password": NEW_PASSWORD},
                 headers=token)
    assert r.status_code == 422 and "current_password" in r.get_json()["errors"]
    r = api.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "short"}, headers=token)
    assert r.status_code == 422 and "new_password" in field_errors(r)
    r = api.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                              "extra": 1}, headers=token)
    assert r.status_code == 422 and "extra" in field_errors(r)
    assert browser.get("/scan").status_code == 200
    r = api.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                 headers=token)
    assert r.status_code == 204
    assert browser.get("/scan").status_code == 302
    assert api.get("/api/v1/assets", headers=token).status_code == 401  # the calling token too
    assert sign_in(app.test_client(), "depot", NEW_PASSWORD).status_code == 302


def test_password_change_api_from_the_page_keeps_that_session(app, people):
    mine, other = signed_in_client(app, "depot"), signed_in_client(app, "depot")
    csrf = csrf_of(mine.get("/scan"))
    r = mine.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                  headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert mine.get("/scan").status_code == 200
    assert other.get("/scan").status_code == 302


def test_deactivation_ends_sessions_and_tokens_at_once_and_activation_revives_neither(app, people, client):
    admin = auth(people["tokens"]["admin"])
    depot_browser = signed_in_client(app, "depot")
    depot_token = auth(people["tokens"]["depot"])
    depot_id = people["ids"]["depot"]
    assert client.get("/api/v1/assets", headers=depot_token).status_code == 200
    r = client.post(f"/api/v1/users/{depot_id}/deactivate", headers=admin)
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert client.get("/api/v1/assets", headers=depot_token).status_code == 401
    assert depot_browser.get("/scan").status_code == 302
    assert sign_in(app.test_client(), "depot").status_code == 401
    revoked = [t for t in client.get("/api/v1/tokens", headers=admin).get_json() if t["user"] == "Dirk"]
    assert revoked and all(t["revoked_at"] for t in revoked)
    assert all(row.revoked_at for row in session_rows(app) if row.user_id == depot_id)

    r = client.post(f"/api/v1/users/{depot_id}/activate", headers=admin)
    assert r.status_code == 200 and r.get_json()["active"] is True
    assert client.get("/api/v1/assets", headers=depot_token).status_code == 401  # still revoked
    assert depot_browser.get("/scan").status_code == 302
    assert sign_in(app.test_client(), "depot").status_code == 302


def test_deactivation_rules(app, people, client):
    admin, depot = auth(people["tokens"]["admin"]), auth(people["tokens"]["depot"])
    r = client.post(f"/api/v1/users/{people['ids']['admin']}/deactivate", headers=admin)
    assert r.status_code == 409 and "user" in r.get_json()["errors"]
    assert client.post("/api/v1/users/999999/deactivate", headers=admin).status_code == 404
    assert client.post(f"/api/v1/users/{people['ids']['acme']}/deactivate", headers=depot).status_code == 403
    assert client.get("/api/v1/customers/acme/balance", headers=auth(people["tokens"]["acme"])).status_code == 200


def test_console_users_page_deactivates(app, people):
    admin = signed_in_client(app, "admin")
    acme_browser = signed_in_client(app, "acme")
    page = admin.get("/console/users")
    assert page.status_code == 200 and "alice@acme.example" in page.get_data(as_text=True)
    acme_id = people["ids"]["acme"]
    assert admin.post(f"/console/users/{acme_id}/deactivate").status_code == 400  # no CSRF token
    r = admin.post(f"/console/users/{acme_id}/deactivate", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 302
    assert "deactivated" in admin.get(r.headers["Location"]).get_data(as_text=True)
    assert acme_browser.get("/portal/acme").status_code == 302
    assert app.test_client().get("/api/v1/customers/acme/balance",
                                 headers=auth(people["tokens"]["acme"])).status_code == 401
    depot = signed_in_client(app, "depot")
    assert depot.get("/console/users", headers=BROWSER).status_code == 403


# ---------- 3. sign-in limits and equal work for unknown emails ----------

def test_failed_sign_ins_per_account_are_limited_even_for_the_right_password(app, people):
    client = app.test_client()
    for _ in range(ACCOUNT_LIMIT):
        assert sign_in(client, "acme", "wrong-password").status_code == 401
    r = sign_in(client, "acme")  # right password, but the account is over its limit
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    body = r.get_data(as_text=True)
    assert "Too many failed sign-ins" in body and r.mimetype == "text/html"
    # from another address too: the limit is the account's
    assert sign_in(app.test_client(), "acme", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 429
    # another account from the first address still signs in
    assert sign_in(client, "depot").status_code == 302


def test_failed_sign_ins_per_address_are_limited_across_accounts(app, people):
    client = app.test_client()
    for i in range(ADDRESS_LIMIT):  # unknown emails count too, so they cannot be told apart
        assert sign_in(client, "acme", "wrong-password", email=f"nobody{i}@example.org").status_code == 401
    assert sign_in(client, "depot").status_code == 429
    assert sign_in(app.test_client(), "depot", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 302


def test_unknown_email_is_limited_like_a_known_one(app, people):
    client = app.test_client()
    for _ in range(ACCOUNT_LIMIT):
        assert sign_in(client, "acme", "x" * 12, email="Ghost@Example.org").status_code == 401
    assert sign_in(app.test_client(), "acme", "x" * 12, email="ghost@example.org",
                   environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 429


def test_wrong_current_passwords_count_towards_the_account_limit(app, people):
    token = auth(people["tokens"]["depot"])
    client = app.test_client()
    for _ in range(ACCOUNT_LIMIT):
        r = client.post("/api/v1/me/password", json={"current_password": "guess-guess", "new_password": NEW_PASSWORD},
                        headers=token)
        assert r.status_code == 422
    r = client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                    headers=token)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "current_password" in r.get_json()["errors"]
    assert sign_in(app.test_client(), "depot", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 429


def test_limits_are_shared_by_workers_through_redis(app, migrated_db, people):
    from app import create_app

    other_worker = create_app({"SETTINGS": make_settings(migrated_db), "TESTING": True})
    for i in range(ACCOUNT_LIMIT):
        worker = app if i % 2 else other_worker
        assert sign_in(worker.test_client(), "acme", "wrong-password").status_code == 401
    assert sign_in(app.test_client(), "acme").status_code == 429
    assert sign_in(other_worker.test_client(), "acme").status_code == 429
    other_worker.extensions["engine"].dispose()


def test_limits_work_without_redis(migrated_db, world):
    from app import create_app
    from app.accounts import services as accounts

    app = create_app({"SETTINGS": make_settings(migrated_db, redis_url=None), "TESTING": True})
    with app.app_context():
        accounts.create_user("Alice", "customer", "acme", "alice@acme.example", PASSWORD)
    client = app.test_client()
    for _ in range(ACCOUNT_LIMIT):
        assert sign_in(client, "acme", "wrong-password").status_code == 401
    assert sign_in(client, "acme").status_code == 429
    app.extensions["engine"].dispose()


def test_limits_count_the_forwarded_client_address_behind_a_trusted_proxy(migrated_db, world):
    from app import create_app
    from app.accounts import services as accounts

    app = create_app({"SETTINGS": make_settings(migrated_db, proxy_hops=1), "TESTING": True})
    with app.app_context():
        accounts.create_user("Dirk", "depot", None, "dirk@example.org", PASSWORD)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for i in range(ADDRESS_LIMIT):
        r = sign_in(app.test_client(), "depot", "wrong-password", email=f"n{i}@example.org", environ_base=proxy,
                    headers={"X-Forwarded-For": "203.0.113.7"})
        assert r.status_code == 401
    blocked = sign_in(app.test_client(), "depot", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.7"})
    assert blocked.status_code == 429
    served = sign_in(app.test_client(), "depot", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.9"})
    assert served.status_code == 302
    app.extensions["engine"].dispose()


def test_unknown_inactive_and_passwordless_accounts_cost_one_password_hash(app, people, monkeypatch):
    from werkzeug.security import generate_password_hash

    from app.accounts import services as accounts

    calls: list[str] = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    with app.app_context():
        accounts.create_user("Token only", "driver", None, "driver@example.org")  # no password
        from app.accounts.auth import Principal

        admin = Principal(people["ids"]["admin"], "admin", "admin", None)
        accounts.set_active(admin, people["ids"]["depot"], False)
    scheme = generate_password_hash("x").split("$", 1)[0]
    for email in ("nobody@example.org", "driver@example.org", "dirk@example.org", "alice@acme.example"):
        calls.clear()
        assert sign_in(app.test_client(), "acme", "wrong-password", email=email).status_code == 401
        assert len(calls) == 1, email
        assert calls[0].split("$", 1)[0] == scheme, email  # same algorithm and cost as a real hash


# ---------- 4. token revocation on every worker ----------

@pytest.fixture
def second_worker(app, migrated_db):
    """A second app instance on the same database and Redis: another gunicorn worker."""
    from app import create_app

    other = create_app({"SETTINGS": make_settings(migrated_db), "TESTING": True})
    yield other
    other.extensions["engine"].dispose()


def test_revoked_token_is_refused_at_once_by_another_worker(app, second_worker, people):
    token = auth(people["tokens"]["depot"])
    here, there = app.test_client(), second_worker.test_client()
    for _ in range(3):  # warm whatever either worker might keep
        assert here.get("/api/v1/assets", headers=token).status_code == 200
        assert there.get("/api/v1/assets", headers=token).status_code == 200
    tokens = here.get("/api/v1/tokens", headers=auth(people["tokens"]["admin"])).get_json()
    depot = next(t for t in tokens if t["user"] == "Dirk")
    assert here.delete(f"/api/v1/tokens/{depot['id']}", headers=auth(people["tokens"]["admin"])).status_code == 204
    assert there.get("/api/v1/assets", headers=token).status_code == 401
    assert here.get("/api/v1/assets", headers=token).status_code == 401


def test_deactivation_and_sign_out_take_effect_at_once_on_another_worker(app, second_worker, people):
    token = auth(people["tokens"]["acme"])
    browser_here = signed_in_client(app, "acme")
    browser_there = second_worker.test_client()
    browser_there.set_cookie("session", browser_here.get_cookie("session").value)
    assert browser_there.get("/portal/acme").status_code == 200
    assert second_worker.test_client().get("/api/v1/customers/acme/balance", headers=token).status_code == 200
    csrf = csrf_of(browser_here.get("/portal/acme"))
    assert browser_here.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert browser_there.get("/portal/acme").status_code == 302

    depot_there = second_worker.test_client()
    depot_there.set_cookie("session", signed_in_client(app, "depot").get_cookie("session").value)
    assert depot_there.get("/scan").status_code == 200
    r = app.test_client().post(f"/api/v1/users/{people['ids']['acme']}/deactivate",
                               headers=auth(people["tokens"]["admin"]))
    assert r.status_code == 200
    assert second_worker.test_client().get("/api/v1/customers/acme/balance", headers=token).status_code == 401
    assert depot_there.get("/scan").status_code == 200  # other users untouched


# ---------- 5. security headers ----------

def test_security_headers_on_pages_api_and_static_files(app, client, people):
    browser = signed_in_client(app, "depot")
    scanner = browser.get("/scan")
    for response in (client.get("/login"), scanner, client.get("/api/v1/assets"),
                     client.get("/static/js/scan.js"), client.get("/scan/sw.js"), client.get("/healthz")):
        h = response.headers
        csp = h["Content-Security-Policy"]
        directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
        # The scanner page alone may compile WebAssembly (its camera decoder), never eval().
        wasm = ["'wasm-unsafe-eval'"] if response is scanner else []
        assert directives["script-src"] == ["'self'", *wasm] and directives["style-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
        assert directives["worker-src"] == ["'self'"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["X-Frame-Options"] == "DENY"
        assert h["Referrer-Policy"] == "same-origin"
        assert "camera=(self)" in h["Permissions-Policy"]
        assert "Strict-Transport-Security" not in h  # plain http here
    signed_in_page = browser.get("/scan")
    assert signed_in_page.headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_handler_or_style():
    """The CSP forbids inline code and styles; every template must do without."""
    root = Path(__file__).resolve().parents[2] / "app" / "web" / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        html = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", html):
            attrs = match.group(1)
            if "src=" not in attrs and 'type="application/json"' not in attrs:  # JSON data is not run
                offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", html):
            offenders.append(f"{path.name}: on*= handler")
        if re.search(r"\sstyle\s*=|<style\b", html):
            offenders.append(f"{path.name}: inline style")
        if "javascript:" in html:
            offenders.append(f"{path.name}: javascript: URL")
    assert not offenders, offenders


# ---------- 6. HTML error pages for browsers, JSON for the API ----------

def test_browsers_get_html_error_pages_and_api_clients_json(app, client, people):
    r = client.get("/no-such-page", headers=BROWSER)
    assert r.status_code == 404 and r.mimetype == "text/html" and "Page not found" in r.get_data(as_text=True)
    assert r.headers["Content-Security-Policy"]
    r = client.get("/no-such-page")  # no Accept: a script or curl
    assert r.status_code == 404 and r.is_json and r.get_json()["code"] == 404
    r = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert r.is_json
    r = client.get("/api/v1/no-such-thing", headers=BROWSER)
    assert r.status_code == 404 and r.is_json

    r = client.get("/logout", headers=BROWSER)  # POST only
    assert r.status_code == 405 and r.mimetype == "text/html" and "POST" in r.headers["Allow"]
    r = client.put("/api/v1/tokens", headers=BROWSER)
    assert r.status_code == 405 and r.is_json and "GET" in r.headers["Allow"]

    depot = signed_in_client(app, "depot")
    r = depot.get("/console/users", headers=BROWSER)
    assert r.status_code == 403 and r.mimetype == "text/html" and "Not allowed" in r.get_data(as_text=True)
    assert "Dirk" in r.get_data(as_text=True)  # the signed-in header is there
    r = depot.get("/console/users", headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.is_json

    r = client.post("/logout", headers=BROWSER)  # no CSRF token
    assert r.status_code == 400 and r.mimetype == "text/html" and "Form expired" in r.get_data(as_text=True)
    r = client.post("/logout", headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.is_json and "csrf_token" in r.get_json()["errors"]


def test_api_429_keeps_retry_after_and_json(migrated_db, world):
    from app import create_app

    app = create_app({"SETTINGS": make_settings(migrated_db, auth_failures_per_minute=2), "TESTING": True})
    client = app.test_client()
    for _ in range(2):
        assert client.get("/api/v1/assets", headers=auth("circ_guess")).status_code == 401
    r = client.get("/api/v1/assets", headers={**auth("circ_guess"), **BROWSER})
    assert r.status_code == 429 and r.is_json and int(r.headers["Retry-After"]) > 0
    app.extensions["engine"].dispose()


def test_unexpected_error_is_an_html_page_for_browsers_and_json_otherwise(migrated_db, world):
    from app import create_app

    app = create_app({"SETTINGS": make_settings(migrated_db), "TESTING": False})

    def boom():
        raise RuntimeError("secret detail")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    client = app.test_client()
    r = client.get("/boom", headers=BROWSER)
    assert r.status_code == 500 and r.mimetype == "text/html"
    assert "Something went wrong" in r.get_data(as_text=True) and "secret detail" not in r.get_data(as_text=True)
    r = client.get("/api/v1/boom", headers=BROWSER)
    assert r.status_code == 500 and r.is_json and "secret detail" not in r.get_data(as_text=True)
    app.extensions["engine"].dispose()

