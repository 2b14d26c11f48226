"""Settlement in Chromium: a customer disputes a statement line with a photo, the operator
accepts it in the console, the correction shows in the next statement after the next
close; the invoice PDF and e-invoice download; axe finds nothing serious on the pages."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.integration.test_settlement_pages import tiny_png
from tests.integration.test_statements_closing import AUG, JUL, at, issue_and_deliver

from .conftest import login, run_axe


def test_dispute_with_a_photo_is_accepted_and_corrected_and_invoices_download(live, new_page, tmp_path):
    c = live.world["codes"]
    r = live.api("post", "/scans", json={"scans": issue_and_deliver(c[0], at(JUL, 3)) + issue_and_deliver(c[1],
                                                                                                          at(JUL, 4))})
    assert r.status_code == 200, r.get_json()
    r = live.api("post", "/contracts", json={
        "valid_from": "2026-01-01", "currency": "EUR", "tax_rate": "0.19",
        "prices": [{"kind": "issue_fee", "asset_type": "*", "unit_price": "2.50"}]})
    assert r.status_code == 201, r.get_json()
    photo = tmp_path / "gate.png"
    photo.write_bytes(tiny_png())
    problems = {}

    staff = new_page("desktop")
    login(staff, "admin", "/console/settlement")
    staff.get_by_label("Month (YYYY-MM)").fill(JUL)
    staff.get_by_role("button", name="Close month").click()
    expect(staff.get_by_role("status")).to_contain_text("statement(s) closed")
    problems["close"] = run_axe(staff)
    staff.goto(f"/console/settlement/billing?month={JUL}")
    expect(staff.get_by_role("table", name=f"Preview of {JUL}")).to_contain_text("Acme")
    problems["billing"] = run_axe(staff)
    staff.get_by_role("button", name=f"Start the billing run for {JUL}").click()
    expect(staff.get_by_role("status")).to_contain_text("Billing run started")
    staff.goto("/console/settlement/contracts")
    problems["contracts"] = run_axe(staff)

    customer = new_page("mobile")
    login(customer, "acme", "/portal/acme/statements")
    problems["statements"] = run_axe(customer)
    customer.get_by_role("link", name="STM-").first.click()
    customer.get_by_role("checkbox", name="Dispute line 1").check()
    customer.get_by_label("Reason").fill("never delivered to our plant")
    customer.get_by_label("Evidence (optional)").set_input_files(str(photo))
    customer.get_by_role("button", name="Send dispute").click()
    expect(customer.get_by_role("status")).to_contain_text("Dispute sent")
    expect(customer.get_by_role("link", name="gate.png")).to_be_visible()
    problems["statement"] = run_axe(customer)

    staff.goto("/console/settlement/disputes")
    expect(staff.locator("section.card")).to_contain_text("never delivered to our plant")
    expect(staff.get_by_role("link", name="gate.png")).to_be_visible()
    problems["disputes"] = run_axe(staff)
    staff.get_by_label("Reason for the decision on dispute").fill("scan at the wrong site")
    staff.get_by_role("button", name="Accept dispute").click()
    expect(staff.get_by_role("status")).to_contain_text("accepted")
    staff.goto("/console/settlement")
    staff.get_by_label("Month (YYYY-MM)").fill(AUG)
    staff.get_by_label("Customer").select_option(label="Acme")
    staff.get_by_role("button", name="Close month").click()
    expect(staff.get_by_role("status")).to_contain_text("1 statement(s) closed")

    customer.goto("/portal/acme/statements")
    customer.get_by_role("row", name=AUG).get_by_role("link").click()
    expect(customer.get_by_role("table", name="Lines")).to_contain_text("correction")
    expect(customer.get_by_role("table", name="Lines")).to_contain_text(f"for {JUL}")

    customer.goto("/portal/acme/invoices")
    problems["invoices"] = run_axe(customer)
    for name, mimetype, start in (("PDF", "application/pdf", b"%PDF"), ("E-invoice (XML)", "application/xml",
                                                                         b"<?xml")):
        link = customer.get_by_role("link", name=name, exact=True).first
        response = customer.request.get(link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"].startswith(mimetype), name
        assert response.body().startswith(start), name
    assert not any(problems.values()), problems
