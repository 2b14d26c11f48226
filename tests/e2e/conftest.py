"""Browser tests: Playwright driving Debian's Chromium against the app served on 127.0.0.1.

The app runs in a thread (werkzeug) on a free port, against the same PostgreSQL test
database and Redis as the integration tests (fixtures from tests/conftest.py). No browser
is ever downloaded: a missing /usr/bin/chromium fails the tests with a clear message.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from tests.conftest import auth, scan

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "e2e-password-1"
USERS = {  # key: (name, role, customer, email)
    "admin": ("Ada Admin", "admin", None, "admin@e2e.example"),
    "depot": ("Dirk Depot", "depot", None, "depot@e2e.example"),
    "driver": ("Dora Driver", "driver", None, "driver@e2e.example"),
    "acme": ("Alice Acme", "customer", "acme", "alice@acme.example"),
    "globex": ("Gus Globex", "customer", "globex", "gus@globex.example"),
}
WIDTHS = {"mobile": (360, 740), "desktop": (1280, 900)}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium) "
                    "or set CHROMIUM_PATH; browser tests never download a browser.", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def live(app, world):
    """The app on a free port, with a password user for each role."""
    from app.accounts import services as accounts

    with app.app_context():
        users = {key: accounts.create_user(name, role, customer, email, PASSWORD).id
                 for key, (name, role, customer, email) in USERS.items()}
    server = LiveServer(app)
    client = app.test_client()
    yield SimpleNamespace(url=server.url, app=app, world=world, users=users,
                          go_offline=server.stop, go_online=server.start,
                          api=lambda method, path, token="admin", **kw: getattr(client, method)(
                              f"/api/v1{path}", headers=auth(world["tokens"][token]), **kw))
    server.stop()


class LiveServer:
    """werkzeug in a thread. `stop()` closes the listening socket, so the browser meets a
    refused connection, as on a device without network: Chromium's offline emulation
    alone does not cover requests a service worker passes through to the network."""

    def __init__(self, app):
        self.app, self.port, self.server, self.thread = app, 0, None, None
        self.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, name="e2e-server", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=10)
            self.server = None


@pytest.fixture
def new_page(browser, live):
    """new_page(width="mobile"|"desktop", **context_options) -> a Page; all closed after the test."""
    contexts = []

    def make(width: str = "mobile", **options):
        w, h = WIDTHS[width]
        context = browser.new_context(viewport={"width": w, "height": h}, base_url=live.url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.on("console", lambda msg: policy.append(msg.text) if _is_policy_violation(msg.text) else None)
        return page

    errors: list[str] = []
    policy: list[str] = []  # what the Content-Security-Policy or Permissions-Policy blocked or rejected
    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not policy, f"policy violations in the browser console: {policy}"


def _is_policy_violation(text: str) -> bool:
    # Chromium logs each blocked inline script, handler, style or load as a console error
    # naming the policy, and a Permissions-Policy feature it does not know likewise.
    return "Content Security Policy" in text or "Permissions-Policy" in text


def login(page, who: str, next_path: str | None = None) -> None:
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email").fill(USERS[who][3])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    assert "/login" not in page.url, f"sign-in as {who} failed: {page.url}"


def open_scanner(page, who: str = "depot") -> None:
    login(page, who, "/scan")
    page.wait_for_selector("body[data-scanner-ready]")


def choose(page, operation: str, site: str, customer: str | None = None) -> None:
    """Pick the operation, site and customer. Once complete the choices fold into a
    summary; "Change" opens them again."""
    def open_setup():
        if page.locator("#change-setup").is_visible():
            page.locator("#change-setup").click()

    open_setup()
    page.get_by_role("radio", name=operation, exact=True).check()
    page.wait_for_function(f"document.querySelector('#site option[value=\"{site}\"]') !== null")
    open_setup()
    page.get_by_label("Site", exact=True).select_option(site)
    if customer:
        open_setup()
        page.get_by_label("Customer", exact=True).select_option(customer)
    page.get_by_label("Scan or type a code").focus()


def digital_link(code: str) -> str:
    return f"https://id.circularity.example/8003/{code}"


def seed_history(live) -> None:
    """A few months of trips so the portal and console have something to show."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    codes = live.world["codes"]
    scans = []
    for i, code in enumerate(codes[:12]):
        start = now - timedelta(days=150 - i * 9)
        steps = [("issue", "depot-a", "acme"), ("deliver", "acme-site", None), ("collect", "acme-site", None),
                 ("receive", "depot-a", None), ("clean", "depot-a", None), ("inspect_pass", "depot-a", None)]
        for k, (event, site, customer) in enumerate(steps):
            scans.append(scan(code, event, site, start + timedelta(days=k * 3), customer))
    for i, code in enumerate(codes[12:16]):  # still at acme, two of them for longer than the overdue limit
        start = now - timedelta(days=90 if i < 2 else 10)
        scans += [scan(code, "issue", "depot-a", start, "acme"), scan(code, "deliver", "acme-site", start + timedelta(hours=5))]
    scans.append(scan(codes[16], "issue", "depot-b", now - timedelta(days=20), "globex"))
    # received without a collection scan: an anomaly to review
    scans.append(scan(codes[17], "receive", "depot-b", now - timedelta(days=2)))
    r = live.api("post", "/scans", json={"scans": scans})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["summary"].get("rejected", 0) == 0, r.get_json()
    pickup = {"site": "acme-site", "counts": {"ibc": 4}, "note": "Ramp 2",
              "window": {"start": (now + timedelta(days=1)).replace(hour=8, minute=0, second=0).isoformat(),
                         "end": (now + timedelta(days=1)).replace(hour=12, minute=0, second=0).isoformat()}}
    r = live.api("post", "/return-requests", token="acme", json=pickup)
    assert r.status_code == 201, r.get_json()


def run_axe(page) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations that axe-core finds on the page."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} missing: run `npm ci` at the repository root (axe-core is pinned in package.json).",
                    pytrace=False)
    # Evaluated through the DevTools protocol: an injected <script> tag would be inline
    # code, which the pages' Content-Security-Policy rightly blocks.
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
