"""Invoices and credit notes over the API: isolation between customers, the documents
(PDF, CSV, EN 16931 CII valid against the official XSD, Factur-X), immutability once
issued, and the credit note that corrects an invoice."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import select

from tests.conftest import auth
from tests.helpers.billing import MONTH, seed_september, start_run

NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


@pytest.fixture
def issued(app, client, world):
    seed_september(client, world["tokens"], world["codes"])
    start_run(client, world["tokens"]["admin"])
    items = client.get("/api/v1/invoices", headers=auth(world["tokens"]["admin"])).get_json()["items"]
    return {**world, "invoice": {i["customer"]: i for i in items}}


def test_a_customer_reads_its_own_invoices_only(client, issued):
    acme, globex = auth(issued["tokens"]["acme"]), auth(issued["tokens"]["globex"])
    mine, theirs = issued["invoice"]["acme"]["id"], issued["invoice"]["globex"]["id"]
    assert [i["id"] for i in client.get("/api/v1/invoices", headers=acme).get_json()["items"]] == [mine]
    assert [i["id"] for i in client.get("/api/v1/invoices", headers=globex).get_json()["items"]] == [theirs]
    assert client.get("/api/v1/invoices?customer=globex", headers=acme).status_code == 404
    for suffix in ("", ".pdf", ".csv", ".xml", "/factur-x.pdf"):
        assert client.get(f"/api/v1/invoices/{mine}{suffix}", headers=acme).status_code == 200, suffix
        r = client.get(f"/api/v1/invoices/{theirs}{suffix}", headers=acme)
        unknown = client.get(f"/api/v1/invoices/999999{suffix}", headers=acme)
        assert r.status_code == unknown.status_code == 404  # another customer's invoice reads as none at all
        assert r.get_json()["message"] == f"invoice_id: unknown invoice {theirs}"
        assert unknown.get_json()["message"] == "invoice_id: unknown invoice 999999"
    for role in ("depot", "driver"):
        assert client.get(f"/api/v1/invoices/{mine}", headers=auth(issued["tokens"][role])).status_code == 403
    r = client.post(f"/api/v1/invoices/{mine}/credit-notes", json={"reason": "mine"}, headers=acme)
    assert r.status_code == 403


def test_a_customer_sees_no_drafts(client, world):
    seed_september(client, world["tokens"], world["codes"])
    start_run(client, world["tokens"]["admin"], issue=False)
    acme = auth(world["tokens"]["acme"])
    assert client.get("/api/v1/invoices", headers=acme).get_json()["items"] == []
    draft = client.get("/api/v1/invoices?customer=acme", headers=auth(world["tokens"]["admin"])).get_json()["items"][0]
    assert client.get(f"/api/v1/invoices/{draft['id']}", headers=acme).status_code == 404
    r = client.get(f"/api/v1/invoices/{draft['id']}.xml", headers=auth(world["tokens"]["admin"]))
    assert r.status_code == 409  # an e-invoice needs a number


def test_the_invoice_json_adds_up(client, issued):
    r = client.get(f"/api/v1/invoices/{issued['invoice']['acme']['id']}", headers=auth(issued["tokens"]["acme"]))
    body = r.get_json()
    assert body["number"] == "INV-2026-000001" and body["status"] == "issued" and body["period"] == MONTH
    assert body["time_zone"] == "Europe/Berlin" and body["line_count"] == len(body["lines"])
    assert Decimal(body["net_total"]) == sum(Decimal(x["amount"]) for x in body["lines"])
    assert [v["category"] for v in body["vat"]] == ["S"] and body["vat"][0]["rate"] == "0.19"
    assert Decimal(body["tax_total"]) == sum(Decimal(v["tax_amount"]) for v in body["vat"])
    assert Decimal(body["gross_total"]) == Decimal(body["net_total"]) + Decimal(body["tax_total"])
    assert all(len(x["amount"].split(".")[1]) == 2 for x in body["lines"])  # the currency's decimals


def test_pdf_and_csv(client, issued):
    token = auth(issued["tokens"]["acme"])
    invoice = issued["invoice"]["acme"]
    pdf = client.get(f"/api/v1/invoices/{invoice['id']}.pdf", headers=token)
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "INV-2026-000001.pdf" in pdf.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/invoices/{invoice['id']}.csv", headers=token)
                                           .get_data(as_text=True))))
    assert len(rows) == invoice["line_count"] and {r["document"] for r in rows} == {"INV-2026-000001"}
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal(invoice["net_total"])


def test_the_e_invoice_is_valid_against_the_official_factur_x_en16931_schema(client, issued):
    import facturx

    token = auth(issued["tokens"]["admin"])
    invoice = issued["invoice"]["globex"]
    r = client.get(f"/api/v1/invoices/{invoice['id']}.xml", headers=token)
    assert r.status_code == 200 and r.mimetype == "application/xml"
    xml = r.data
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    tree = etree.fromstring(xml)
    assert tree.findtext(".//rsm:ExchangedDocument/ram:ID", namespaces=NS) == "INV-2026-000002"
    assert tree.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "380"
    total = tree.findtext(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount",
                          namespaces=NS)
    assert Decimal(total) == Decimal(invoice["gross_total"])
    line_sum = sum(Decimal(x) for x in tree.xpath(
        ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()", namespaces=NS))
    assert line_sum == Decimal(invoice["net_total"])
    factur_x = client.get(f"/api/v1/invoices/{invoice['id']}/factur-x.pdf", headers=token)
    assert factur_x.mimetype == "application/pdf"
    filename, embedded = facturx.get_xml_from_pdf(factur_x.data, check_xsd=True)
    assert filename == "factur-x.xml" and etree.fromstring(embedded).findtext(
        ".//rsm:ExchangedDocument/ram:ID", namespaces=NS) == "INV-2026-000002"
    xmp = factur_x.data[factur_x.data.index(b"<x:xmpmeta"):factur_x.data.index(b"</x:xmpmeta>")]
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp and b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp


def test_a_credit_note_corrects_an_invoice_that_never_changes(app, client, issued):
    import facturx

    admin = auth(issued["tokens"]["admin"])
    invoice = client.get(f"/api/v1/invoices/{issued['invoice']['acme']['id']}", headers=admin).get_json()
    damage = next(x for x in invoice["lines"] if x["kind"] == "damage_charge")
    url = f"/api/v1/invoices/{invoice['id']}/credit-notes"
    r = client.post(url, json={"reason": "damage was there before the trip", "lines": [damage["id"]]}, headers=admin)
    assert r.status_code == 201, r.get_json()
    note = r.get_json()
    assert note["number"] == "CN-2026-000001" and note["invoice_number"] == "INV-2026-000001"
    assert [(x["quantity"], x["amount"], x["invoice_line_id"]) for x in note["lines"]] == [(-1, "-25.00",
                                                                                          damage["id"])]
    assert (note["net_total"], note["tax_total"], note["gross_total"]) == ("-25.00", "-4.75", "-29.75")
    # the same line again: 409; the rest: a second note whose totals complete the negation
    assert client.post(url, json={"reason": "again", "lines": [damage["id"]]}, headers=admin).status_code == 409
    assert client.post(url, json={"reason": "x", "lines": [999999]}, headers=admin).status_code == 422
    rest = client.post(url, json={"reason": "contract cancelled"}, headers=admin).get_json()
    assert Decimal(rest["net_total"]) + Decimal(note["net_total"]) == -Decimal(invoice["net_total"])
    assert client.post(url, json={"reason": "nothing left"}, headers=admin).status_code == 409
    after = client.get(f"/api/v1/invoices/{invoice['id']}", headers=admin).get_json()
    assert after == invoice  # the invoice itself never changed
    xml = client.get(f"/api/v1/credit-notes/{note['id']}.xml", headers=admin).data
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    tree = etree.fromstring(xml)
    assert tree.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    assert tree.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=NS) == "INV-2026-000001"
    acme, globex = auth(issued["tokens"]["acme"]), auth(issued["tokens"]["globex"])
    assert client.get(f"/api/v1/credit-notes/{note['id']}.pdf", headers=acme).status_code == 200
    assert client.get(f"/api/v1/credit-notes/{note['id']}", headers=globex).status_code == 404
    assert client.get("/api/v1/credit-notes", headers=globex).get_json()["items"] == []


def test_the_service_refuses_to_change_an_issued_invoice(app, client, issued):
    from app.billing import invoices
    from app.billing.models import Invoice, InvoiceLine
    from app.domain.errors import Conflict
    from app.domain.policy import OPERATOR
    from app.platform.db import get_session, unit_of_work

    invoice_id = issued["invoice"]["acme"]["id"]
    admin = auth(issued["tokens"]["admin"])
    assert client.delete(f"/api/v1/invoices/{invoice_id}", headers=admin).status_code == 409
    assert client.post(f"/api/v1/invoices/{invoice_id}/issue", headers=admin).status_code == 409
    with app.app_context():
        with pytest.raises(Conflict):
            invoices.discard_draft(OPERATOR, invoice_id)
        for change in (lambda inv: setattr(inv, "gross_total", Decimal("1.00")),
                       lambda inv: setattr(inv.lines[0], "amount", Decimal("0.01")),
                       lambda inv: inv.lines.append(InvoiceLine(position=99, kind="issue_fee", asset_type="ibc",
                                                                asset_code="x", quantity=1, unit_price=1, amount=1,
                                                                tax_category="S", tax_rate=0, contract_id="1",
                                                                first_day=inv.lines[0].first_day,
                                                                last_day=inv.lines[0].first_day)),
                       lambda inv: get_session().delete(inv.lines[0])):
            with pytest.raises(Conflict), unit_of_work() as session:
                change(session.get(Invoice, invoice_id))
        invoice = get_session().scalar(select(Invoice).where(Invoice.id == invoice_id))
        assert str(invoice.gross_total.normalize()) == issued["invoice"]["acme"]["gross_total"].rstrip("0")
        assert len(invoice.lines) == issued["invoice"]["acme"]["line_count"]
