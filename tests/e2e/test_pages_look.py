"""Every main page at 360 px and 1280 px: a full-page screenshot each (tests/e2e/screenshots/,
git-ignored) and no serious or critical WCAG 2.1 A/AA violation found by axe-core."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, choose, digital_link, login, open_scanner, run_axe, screenshot, seed_history


def scanner_with_scans(page, live):
    open_scanner(page, "depot")
    choose(page, "Receive", "depot-a")
    codes = live.world["codes"]
    for code in (codes[14], codes[15], codes[18]):  # two at acme (anomaly: not collected), one in stock
        page.keyboard.type(digital_link(code) + "\n")
    page.keyboard.type("(8003)04012345123456XYZ\n")  # unknown: rejected
    expect(page.locator("#queue-count")).to_have_text("0")
    expect(page.locator("#scan-list li")).to_have_count(4)


PAGES = [  # name, who, path (or a function that prepares the page)
    ("login", None, "/login"),
    ("scan", "depot", scanner_with_scans),
    ("portal-balance", "acme", "/portal/acme"),
    ("portal-statement", "acme", "/portal/acme/statement"),
    ("portal-overdue", "acme", "/portal/acme/overdue"),
    ("portal-tokens", "acme", "/portal/acme/tokens"),
    ("portal-pickups", "acme", "/portal/acme/pickups"),
    ("portal-certificates", "acme", "/portal/acme/certificates"),
    ("customers", "admin", "/portal"),
    ("console", "admin", "/console"),
    ("console-anomalies", "admin", "/console/anomalies"),
    ("console-planning", "admin", "/console/planning"),
    ("console-labels", "depot", "/console/labels"),
    ("not-found", "acme", "/portal/globex"),
    ("unknown-url", "admin", "/no-such-page"),
    ("account-password", "depot", "/account/password"),
    ("console-users", "admin", "/console/users"),
]


@pytest.mark.parametrize("width", ["mobile", "desktop"])
def test_screenshots_and_accessibility(live, new_page, width):
    seed_history(live)
    problems = {}
    for name, who, target in PAGES:
        page = new_page(width)
        if callable(target):
            target(page, live)
        else:
            if who:
                login(page, who)
            page.goto(target)
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("main").count() == 1 and page.locator("h1").count() == 1, name
        # nothing wider than the screen at 360 px
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}"
        screenshot(page, f"{name}-{page.viewport_size['width']}")
        violations = run_axe(page)
        if violations:
            problems[name] = violations
        page.context.close()
    assert not problems, problems
    assert len(list(SCREENSHOTS.glob(f"*-{360 if width == 'mobile' else 1280}.png"))) >= len(PAGES)


def test_touch_targets_are_large_enough_on_the_scanner(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    small = page.evaluate("""() => [...document.querySelectorAll('main button, main select, main input:not([type=radio]), .op-tile span')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.id || e.textContent.trim(), e.getBoundingClientRect().height, e.getBoundingClientRect().width])
        .filter(([_, h, w]) => h < 44 || w < 44)""")
    assert small == []


def test_keyboard_only_scanning(live, new_page):
    """Tab to an operation, pick it with the arrow keys, choose the site, scan: no mouse."""
    page = new_page("desktop")
    open_scanner(page, "depot")
    page.locator("input[name=event]").first.focus()  # the first operation tile
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.value") == "issue"
    focused_outline = page.evaluate("getComputedStyle(document.activeElement.nextElementSibling).outlineStyle")
    assert focused_outline != "none"  # visible focus on the tile
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "site"
    page.keyboard.press("ArrowDown")  # select the first depot
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "customer"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "code"
    page.keyboard.type(digital_link(live.world["codes"][0]) + "\n")
    expect(page.locator("#scan-list li[data-status='applied']")).to_have_count(1)
