"""The scanning app in a real browser: keyboard-wedge input, GS separators, undo, offline queue."""
from __future__ import annotations

from playwright.sync_api import expect

from .conftest import choose, digital_link, open_scanner


def asset(live, code):
    r = live.api("get", f"/assets/{code}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def events(live, code):
    r = live.api("get", f"/assets/{code}/events")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_wedge_scan_of_a_digital_link_changes_the_asset(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    choose(page, "Issue to customer", "depot-a", "acme")
    code = live.world["codes"][0]
    # A keyboard-wedge scanner types the QR's content, then Enter.
    page.keyboard.type(digital_link(code), delay=2)
    page.keyboard.press("Enter")
    item = page.locator(f"#scan-list li[data-status='applied']")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(code)
    expect(page.locator("#feedback")).to_contain_text("Applied")
    expect(page.locator("#queue-count")).to_have_text("0")
    expect(page.get_by_label("Scan or type a code")).to_have_value("")
    state = asset(live, code)
    assert (state["state"], state["holder"]) == ("issued", "acme")
    [event] = events(live, code)
    assert (event["event"], event["site"], event["customer"]) == ("issue", "depot-a", "acme")
    # the timestamp was sent with the device's UTC offset and kept
    assert event["occurred_at"]
    # counts by asset type know the type from the code
    expect(page.locator("#counts")).to_contain_text("IBC 1000 L")


def test_group_separator_as_key_or_character_reaches_the_api(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    choose(page, "Issue to customer", "depot-a", "acme")
    first, second = live.world["codes"][1:3]
    # GS1 QR raw data: symbology id, AI 8003, GS, then AI 10 (batch). The scanner sends GS as Ctrl+].
    page.keyboard.type(f"]Q38003{first}")
    page.keyboard.press("Control+BracketRight")
    page.keyboard.type("10LOT7")
    page.keyboard.press("Enter")
    # ... or as the character itself.
    page.keyboard.type(f"\x1d8003{second}\x1d10LOT8")
    page.keyboard.press("Enter")
    expect(page.locator("#scan-list li[data-status='applied']")).to_have_count(2)
    for code in (first, second):
        assert asset(live, code)["state"] == "issued"
    raw = live.app.extensions["engine"].connect().exec_driver_sql(
        "SELECT raw_code FROM scan_events ORDER BY id").scalars().all()
    assert raw == [f"]Q38003{first}\x1d10LOT7", f"\x1d8003{second}\x1d10LOT8"]


def test_statuses_duplicate_anomaly_rejected_and_undo(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    choose(page, "Receive", "depot-a")
    codes = live.world["codes"]
    code_input = page.get_by_label("Scan or type a code")
    # received without being issued: stored, but an anomaly with the API's reason
    code_input.fill(digital_link(codes[3]))
    code_input.press("Enter")
    expect(page.locator("#scan-list li[data-status='anomaly']")).to_have_count(1)
    expect(page.locator("#feedback")).to_contain_text("Anomaly")
    # the same code again for the same operation: a double read, not sent
    code_input.fill(digital_link(codes[3]))
    code_input.press("Enter")
    expect(page.locator("#scan-list li[data-status='duplicate']")).to_have_count(1)
    # an unknown code: rejected with the API's message
    code_input.fill("(8003)04012345123456XYZ")
    code_input.press("Enter")
    rejected = page.locator("#scan-list li[data-status='rejected']")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text("code")
    assert len(events(live, codes[3])) == 1
    # undo of a rejected scan just drops it from the list
    page.get_by_role("button", name="Undo last scan").click()
    expect(rejected).to_have_count(0)
    # undo of a recorded scan explains that a correcting scan is needed
    page.get_by_role("button", name="Undo last scan").click()  # the local duplicate: dropped
    page.get_by_role("button", name="Undo last scan").click()  # the stored anomaly: explained
    expect(page.locator("#feedback")).to_contain_text("Already recorded")
    assert len(events(live, codes[3])) == 1


def test_scanning_needs_an_operation_and_site_first(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "driver")
    code_input = page.get_by_label("Scan or type a code")
    code_input.fill(digital_link(live.world["codes"][0]))
    code_input.press("Enter")
    expect(page.locator("#feedback")).to_contain_text("Choose")
    expect(code_input).not_to_have_value("")  # kept, so nothing is lost
    expect(page.locator("#scan-list li")).to_have_count(0)
    # a driver is offered only the customer-site operations
    labels = page.locator(".op-tile span").all_inner_texts()
    assert labels == ["Deliver", "Transfer to customer", "Collect"]


def test_undo_of_a_queued_scan_removes_it_before_it_is_sent(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    choose(page, "Issue to customer", "depot-a", "acme")
    page.context.set_offline(True)
    live.go_offline()
    code = live.world["codes"][4]
    page.keyboard.type(digital_link(code) + "\n")
    expect(page.locator("#queue-count")).to_have_text("1")
    page.get_by_role("button", name="Undo last scan").click()
    expect(page.locator("#queue-count")).to_have_text("0")
    expect(page.locator("#feedback")).to_contain_text("not recorded")
    live.go_online()
    page.context.set_offline(False)
    page.get_by_role("button", name="Send now").click()
    page.wait_for_timeout(500)
    assert events(live, code) == []


def test_offline_scans_queue_and_sync_exactly_once(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    # let the service worker take control, so the app shell is cached for offline use
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_selector("body[data-scanner-ready]")
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    choose(page, "Issue to customer", "depot-a", "acme")
    codes = live.world["codes"][:20]
    page.context.set_offline(True)  # what the page sees (navigator.onLine, its own requests)
    live.go_offline()  # and no network at all, for the service worker's requests too
    expect(page.locator("#conn")).to_contain_text("Offline")
    for code in codes[:10]:
        page.keyboard.type(digital_link(code) + "\n")
    expect(page.locator("#queue-count")).to_have_text("10")
    # the page survives a reload while offline: served by the service worker, queue from IndexedDB
    page.reload()
    page.wait_for_selector("body[data-scanner-ready]")
    expect(page.locator("#queue-count")).to_have_text("10")
    choose(page, "Issue to customer", "depot-a", "acme")
    for code in codes[10:]:
        page.keyboard.type(digital_link(code) + "\n")
    expect(page.locator("#queue-count")).to_have_text("20")
    expect(page.locator("#scan-list li[data-status='queued']")).to_have_count(20)
    assert all(events(live, c) == [] for c in codes), "nothing reaches the server while offline"
    live.go_online()
    page.context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=20_000)
    expect(page.locator("#scan-list li[data-status='applied']")).to_have_count(20)
    for code in codes:
        history = events(live, code)
        assert [e["event"] for e in history] == ["issue"], (code, history)
        assert asset(live, code)["holder"] == "acme"
    balance = live.api("get", "/customers/acme/balance").get_json()
    assert balance["total"] == 20


def test_lost_answers_are_retried_with_the_same_ids(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    choose(page, "Issue to customer", "depot-a", "acme")
    dropped = []

    def drop_first_answer(route):
        # The batch reaches the server, but its answer is lost on the way back.
        response = route.fetch()
        if not dropped:
            dropped.append(response.status)
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route("**/api/v1/scans", drop_first_answer)
    codes = live.world["codes"][5:8]
    for code in codes:
        page.keyboard.type(digital_link(code) + "\n")
    page.get_by_role("button", name="Send now").click()
    expect(page.locator("#queue-count")).to_have_text("0", timeout=20_000)
    assert dropped == [200]
    for code in codes:
        assert len(events(live, code)) == 1
    # the resent scans come back as duplicates of the first, lost, attempt
    expect(page.locator("#scan-list li[data-status='duplicate']").first).to_contain_text("earlier attempt")


def test_pwa_manifest_and_service_worker(live, new_page):
    page = new_page("mobile")
    open_scanner(page, "depot")
    manifest_url = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(manifest_url).json()
    assert manifest["start_url"] == "/scan" and manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert page.request.get(icon["src"]).ok
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live.url}/scan"
    # the service worker never caches the API
    cached = page.evaluate("""async () => {
        const out = [];
        for (const name of await caches.keys()) {
            for (const req of await (await caches.open(name)).keys()) out.push(new URL(req.url).pathname);
        }
        return out;
    }""")
    assert cached and not [p for p in cached if p.startswith("/api/")]
