"""Customer portal and operator console features, in the browser."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.conftest import give_holdings

from .conftest import login, seed_history


def test_balance_statement_exports_and_overdue(live, new_page):
    seed_history(live)
    page = new_page("desktop")
    login(page, "acme")
    balance = live.api("get", "/customers/acme/balance").get_json()
    expect(page.locator(".card .value").first).to_have_text(str(balance["total"]))
    expect(page.locator("#balance-chart-t")).to_have_count(1)  # the inline SVG charts
    expect(page.locator("#trips-chart-t")).to_have_count(1)
    page.get_by_role("link", name="Statement").click()
    start = (datetime.now(timezone.utc) - timedelta(days=200)).date().isoformat()
    end = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    page.get_by_label("From").fill(start)
    page.get_by_label("To (exclusive)").fill(end)
    page.get_by_role("button", name="Show").click()
    api = live.api("get", f"/customers/acme/statement?from={start}T00:00:00%2B00:00&to={end}T00:00:00%2B00:00").get_json()
    closing = page.locator("tbody tr").last
    expect(closing.locator("th")).to_have_text("Closing")
    expect(closing.locator("td").last).to_have_text(str(api["total"]["closing"]))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[-1]["asset_type"] == "total"
    assert int(rows[-1]["issued"]) == api["total"]["issued"] and int(rows[-1]["closing"]) == api["total"]["closing"]
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    page.get_by_role("link", name="Overdue").click()
    overdue = live.api("get", "/customers/acme/overdue").get_json()["items"]
    assert len(overdue) == 2
    expect(page.locator("tbody tr")).to_have_count(2)


def test_customer_creates_and_revokes_an_erp_token(live, new_page):
    page = new_page("mobile")
    login(page, "acme")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Token name").fill("SAP connector")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Your new token").input_value()
    assert secret.startswith("circ_")
    client = live.app.test_client()
    assert client.get("/api/v1/customers/acme/balance", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    page.goto("/portal/acme/tokens")  # shown once only
    expect(page.get_by_label("Your new token")).to_have_count(0)
    page.get_by_role("button", name="Revoke token SAP connector").click()
    expect(page.get_by_role("status")).to_contain_text("revoked")
    assert client.get("/api/v1/customers/acme/balance", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_console_kpis_alerts_and_resolving_an_anomaly(live, new_page):
    seed_history(live)
    page = new_page("desktop")
    login(page, "admin")
    kpis = live.api("get", "/kpis").get_json()
    expect(page.locator(".card .value").first).to_have_text(str(kpis["assets_total"]))
    overdue = page.locator("section[aria-labelledby='overdue-h']")
    expect(overdue).to_contain_text("Acme")
    page.get_by_label("Low-stock threshold").fill("50")
    page.get_by_role("button", name="Apply").click()
    low = page.locator("section[aria-labelledby='stock-h'] tbody tr")
    expect(low).to_have_count(1)
    expect(low).to_contain_text("Depot A")
    page.get_by_role("link", name="Anomalies", exact=True).click()
    [anomaly] = live.api("get", "/anomalies").get_json()["items"]
    page.get_by_label(f"Resolution note for anomaly {anomaly['id']}").fill("Collected by a subcontractor without scanning.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_contain_text("resolved")
    assert live.api("get", "/anomalies").get_json()["items"] == []
    page.get_by_role("link", name="Planning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planning runs")


def test_depot_staff_review_but_do_not_resolve_anomalies(live, new_page):
    seed_history(live)
    page = new_page("desktop")
    login(page, "depot", "/console/anomalies")
    expect(page.locator("#main")).to_contain_text("Only administrators resolve anomalies")
    expect(page.get_by_role("button", name="Resolve")).to_have_count(0)


def tomorrow() -> str:
    return (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()


def test_customer_requests_and_cancels_a_pickup(app, live, new_page):
    give_holdings(app, {("acme", "acme-site", "ibc"): 5, ("globex", "globex-site", "ibc"): 2})
    page = new_page("mobile")
    login(page, "acme")
    page.get_by_role("link", name="Pickups").click()
    page.get_by_label("Number of assets").fill("5")
    page.get_by_label("Preferred day").fill(tomorrow())
    page.get_by_label("From", exact=True).fill("08:00")
    page.get_by_label("Until").fill("12:00")
    page.get_by_label("Note for the driver").fill("Gate 3")
    page.get_by_role("button", name="Request pickup").click()
    expect(page.get_by_role("status")).to_contain_text("sent: 5 asset(s)")
    [req] = live.api("get", "/return-requests", token="acme").get_json()["items"]
    assert (req["site"], req["counts"], req["status"], req["note"]) == ("acme-site", {"ibc": 5}, "open", "Gate 3")
    assert req["window"]["start"].startswith(f"{tomorrow()}T08:00")
    # another customer's request cannot be cancelled from here
    other = live.api("post", "/return-requests", token="globex", json={"site": "globex-site", "counts": {"ibc": 2}})
    assert other.status_code == 201, other.get_json()
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert page.request.post(f"/portal/acme/pickups/{other.get_json()['id']}/cancel", form={"csrf_token": csrf}).status == 404
    page.get_by_role("button", name=f"Cancel pickup request {req['id']}").click()
    expect(page.get_by_role("status")).to_contain_text("cancelled")
    statuses = {r["id"]: r["status"] for r in live.api("get", "/return-requests").get_json()["items"]}
    assert statuses == {req["id"]: "cancelled", other.get_json()["id"]: "open"}


def test_console_plans_collection_tours(app, live, new_page):
    give_holdings(app, {("acme", "acme-site", "ibc"): 4})
    r = live.api("post", "/return-requests", token="acme", json={"site": "acme-site", "counts": {"ibc": 4}})
    assert r.status_code == 201, r.get_json()
    page = new_page("desktop")
    login(page, "admin", "/console/planning")
    page.get_by_label("Day of the tours").fill(tomorrow())
    page.get_by_label("Vehicles").fill("1")
    page.get_by_label("Search time (seconds)").fill("2")
    page.get_by_role("button", name="Plan tours").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Collections plan")
    expect(page.locator(".badge").first).to_have_text("done", timeout=60_000)
    expect(page.locator("#main")).to_contain_text("acme plant")
    assert live.api("get", f"/return-requests/{r.get_json()['id']}").get_json()["status"] == "planned"


def test_console_prints_label_sheets(live, new_page):
    page = new_page("desktop")
    login(page, "depot", "/console/labels")
    code = live.world["codes"][0]
    page.get_by_label("Reprint: asset codes, one per line").fill(code)
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the PDF sheet").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    page.goto("/console/labels")
    page.get_by_label("Or register new assets of type").select_option("ibc")
    page.get_by_label("How many").fill("3")
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the PDF sheet").click()
    assert download.value.suggested_filename.startswith("labels-ibc-")
    assert len(live.api("get", "/assets?limit=500").get_json()["items"]) == 23
