"""One asset's page in the browser: an operator finds an asset by a scanned code, a
customer opens an overdue asset from its overdue list."""
from __future__ import annotations

from playwright.sync_api import expect

from .conftest import digital_link, login, run_axe, screenshot, seed_history


def no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_operator_finds_an_asset_by_its_code_and_reads_its_history(live, new_page):
    seed_history(live)
    code = live.world["codes"][0]  # one completed trip with acme
    events = live.api("get", f"/assets/{code}/events").get_json()
    trips = live.api("get", f"/assets/{code}/trips").get_json()
    page = new_page("desktop")
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, "admin")
    page.get_by_role("link", name="Assets", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find an asset")
    page.get_by_label("Code, serial or alias").fill("(8003)04012345123456NOPE")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("alert")).to_contain_text("No asset matches")
    assert run_axe(page) == []
    page.get_by_label("Code, serial or alias").fill(digital_link(code))  # as a phone or scanner reads the QR
    page.get_by_label("Code, serial or alias").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.get_by_role("link", name="Assets", exact=True)).to_have_attribute("aria-current", "page")
    facts = page.get_by_role("table", name="About this asset")
    expect(facts.get_by_role("row", name="State")).to_contain_text("Available")
    expect(facts.get_by_role("row", name="Site")).to_contain_text("Depot A")
    timeline = page.get_by_role("list", name="Timeline").get_by_role("listitem")
    expect(timeline).to_have_count(len(events))
    expect(timeline.first).to_contain_text("Inspected: passed")
    expect(timeline.last).to_contain_text("Issued")
    trip_rows = page.get_by_role("region", name="Trips").locator("tbody tr")
    expect(trip_rows).to_have_count(len(trips))
    km = trips[0]["outbound_km"] + trips[0]["transfer_km"] + trips[0]["return_km"]
    expect(trip_rows.first.locator("td").last).to_have_text(f"{km:.1f}")
    expect(trip_rows.first).to_contain_text("Acme")
    with page.expect_download() as download:
        page.get_by_role("button", name="Reprint as PDF").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    assert run_axe(page) == []
    screenshot(page, "console-asset-1440")
    # the anomalies list leads to the asset a scan was unexpected for
    page.get_by_role("link", name="Anomalies", exact=True).click()
    anomalous = live.world["codes"][17]
    page.get_by_role("link", name=anomalous).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(anomalous)
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("Anomaly")
    page.set_viewport_size({"width": 360, "height": 740})
    assert no_sideways_scroll(page) <= 0


def test_customer_opens_an_overdue_asset_from_its_overdue_list(live, new_page):
    seed_history(live)
    page = new_page("mobile")
    login(page, "acme")
    page.get_by_role("link", name="Overdue").click()
    overdue = live.api("get", "/customers/acme/overdue", token="acme").get_json()["items"]
    first = overdue[0]["code"]
    page.get_by_role("link", name=first).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first)
    assert page.url.endswith(f"/portal/acme/assets/{first}")
    facts = page.get_by_role("table", name="About this asset")
    expect(facts.get_by_role("row", name="Held by")).to_contain_text("Acme")
    expect(facts.get_by_role("row", name="Site")).to_contain_text("acme plant")
    own_events = live.api("get", f"/assets/{first}/events", token="acme").get_json()
    expect(page.get_by_role("list", name="Timeline").get_by_role("listitem")).to_have_count(len(own_events))
    expect(page.get_by_role("button", name="Reprint as PDF")).to_have_count(0)
    assert no_sideways_scroll(page) <= 0
    assert run_axe(page) == []
    screenshot(page, "portal-asset-360")
    # an asset the customer does not hold: the same page as for one that does not exist
    page.goto(f"/portal/acme/assets/{live.world['codes'][16]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
