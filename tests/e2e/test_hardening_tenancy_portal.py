"""The customer decides in the portal whether its certificates' figures are public; depot staff see no private tabs."""
from __future__ import annotations

from datetime import datetime, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import expect

from .conftest import login, run_axe, seed_history


def last_month() -> str:
    today = datetime.now(timezone.utc).date()
    months = today.year * 12 + today.month - 2
    return f"{months // 12}-{months % 12 + 1:02d}"


def test_customer_publishes_its_certificate_figures(live, new_page, tmp_path):
    key = tmp_path / "signing-key.pem"
    key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    live.app.config["SIGNING_KEY_FILE"] = str(key)
    seed_history(live)
    r = live.api("post", "/certificates", json={"month": last_month(), "customer": "acme"})
    assert r.status_code == 201, r.get_json()
    [serial] = r.get_json()["serials"]

    visitor = new_page("mobile")
    visitor.goto(f"/verify/{serial}")
    expect(visitor.locator("#status")).to_contain_text("VALID")
    expect(visitor.locator("#private")).to_contain_text("has not published")
    expect(visitor.locator("body")).not_to_contain_text("Acme")

    page = new_page("desktop")
    login(page, "acme")
    page.get_by_role("link", name="Certificates").click()
    expect(page.get_by_role("radio", name="Private", exact=False)).to_be_checked()
    assert run_axe(page) == []
    page.get_by_role("radio", name="Published", exact=False).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.get_by_role("radio", name="Published", exact=False)).to_be_checked()
    assert live.api("get", "/customers/acme/settings", token="acme").get_json()["publish_certificate_figures"] is True

    visitor.reload()
    expect(visitor.locator("#status")).to_contain_text("VALID")
    expect(visitor.locator("main")).to_contain_text("Acme")
    expect(visitor.locator("#private")).to_have_count(0)
    assert run_axe(visitor) == []


def test_depot_staff_get_no_tokens_or_certificates_tab(live, new_page):
    page = new_page("desktop")
    login(page, "depot", "/portal/acme")
    nav = page.get_by_role("navigation", name="Portal")
    expect(nav.get_by_role("link", name="Statement")).to_have_count(1)
    expect(nav.get_by_role("link", name="API tokens")).to_have_count(0)
    expect(nav.get_by_role("link", name="Certificates")).to_have_count(0)
    assert page.request.get("/portal/acme/tokens").status == 403
    assert page.request.get("/portal/acme/certificates").status == 403
    driver = new_page("desktop")
    login(driver, "driver")
    assert driver.request.get("/portal/acme").status == 403
    assert driver.request.get("/api/v1/customers/acme/balance",
                              headers={"X-CSRF-Token": driver.locator('meta[name="csrf-token"]').get_attribute("content")}
                              ).status == 403
