"""The asset pages: search by any code form, one asset's page for staff and for the
customer holding it (its own custody periods only), label reprints, and the links to it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.conftest import auth, full_trip, scan
from tests.integration.test_hardening_tenancy_matrix import PASSWORD, sign_in

HTML = {"Accept": "text/html,application/xhtml+xml"}
NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def estate(app, client, world):
    """c[0]: a trip with globex, then passed on to acme, which holds it (overdue) now;
    c[1]: a trip with acme, now at globex; c[2]: received without a collection (an
    anomaly); c[3]: registered under an alias; a crate that shares c[0]'s serial."""
    from app.accounts import services as accounts
    from app.assets import registry
    from app.catalog import services as catalog

    c = world["codes"]
    at = lambda days: NOW - timedelta(days=days)  # noqa: E731
    scans = full_trip(c[0], at(120), "globex") + [
        scan(c[0], "issue", "depot-a", at(100), "globex"), scan(c[0], "deliver", "globex-site", at(99)),
        scan(c[0], "transfer", "globex-site", at(98), "acme")]
    scans += full_trip(c[1], at(50), "acme") + [scan(c[1], "issue", "depot-b", at(10), "globex")]
    scans += [scan(c[2], "issue", "depot-a", at(5), "acme"), scan(c[2], "receive", "depot-b", at(2))]
    r = client.post("/api/v1/scans", json={"scans": scans}, headers=auth(world["tokens"]["admin"]))
    assert r.status_code == 200 and r.get_json()["summary"].get("rejected", 0) == 0, r.get_json()
    with app.app_context():
        catalog.create("asset_type", {"id": "crate", "name": "Crate 600x400", "company_prefix": "4012345",
                                      "grai_asset_type": "54321", "tare_mass_kg": 2.0})
        crate = registry.register("crate", 1, "depot-a")[0].code
        alias = registry.register("ibc", aliases=["LEGACY-7"])[0].code
        for who, role, customer in (("admin", "admin", None), ("depot", "depot", None),
                                    ("acme", "customer", "acme"), ("globex", "customer", "globex")):
            accounts.create_user(f"web-{who}", role, customer, f"{who}@matrix.example", PASSWORD)
    return {"codes": c, "crate": crate, "alias": alias}


def page_text(r) -> str:
    assert r.mimetype == "text/html", (r.status_code, r.mimetype)
    body = r.get_data(as_text=True)
    assert body.lstrip().startswith("<!doctype html>") and "<main" in body
    return body


def code_forms(code: str) -> dict[str, dict]:
    """Every way a person or a scanner gives this IBC's code, as search parameters."""
    serial = code[14:]
    return {
        "printed code": {"code": code},
        "Digital Link URI": {"code": f"https://id.circularity.example/8003/{code}"},
        "element string": {"code": f"(8003){code}"},
        "raw GS1 scanner data": {"code": f"]Q3\x1d8003{code}"},
        "EPC URI": {"code": f"urn:epc:id:grai:4012345.12345.{serial}"},
        "serial with its type": {"code": serial, "asset_type": "ibc"},
        "serial without leading zeros": {"code": serial.lstrip("0"), "asset_type": "ibc"},
    }


@pytest.mark.parametrize("form", list(code_forms("0" * 22)))
def test_search_by_any_code_form_opens_the_asset(app, estate, form):
    code = estate["codes"][4]
    r = sign_in(app, "depot").get("/console/assets", query_string=code_forms(code)[form], headers=HTML)
    assert r.status_code == 302, (form, r.status_code)
    assert r.headers["Location"] == f"/console/assets/{code}"


def test_search_by_alias_opens_the_asset(app, estate):
    r = sign_in(app, "admin").get("/console/assets", query_string={"code": "LEGACY-7"}, headers=HTML)
    assert r.status_code == 302 and r.headers["Location"] == f"/console/assets/{estate['alias']}"
    # the alias itself as the address: the page moves to the printed code
    r = sign_in(app, "admin").get("/console/assets/LEGACY-7", headers=HTML)
    assert r.status_code == 302 and r.headers["Location"] == f"/console/assets/{estate['alias']}"


def test_a_serial_of_two_types_lists_both_until_the_type_is_chosen(app, estate):
    client = sign_in(app, "admin")
    r = client.get("/console/assets", query_string={"code": "00000001"}, headers=HTML)
    body = page_text(r)
    assert r.status_code == 200 and "2 assets match" in body
    assert f'href="/console/assets/{estate["codes"][0]}"' in body and f'href="/console/assets/{estate["crate"]}"' in body
    assert "Crate 600x400" in body and "IBC 1000 L" in body
    r = client.get("/console/assets", query_string={"code": "00000001", "asset_type": "crate"}, headers=HTML)
    assert r.status_code == 302 and r.headers["Location"] == f"/console/assets/{estate['crate']}"


@pytest.mark.parametrize("query", [{"code": "(8003)0401234512345699999999"}, {"code": "NO-SUCH-ALIAS"},
                                   {"code": "00000002", "asset_type": "crate"}])
def test_no_match_is_the_form_with_a_message_and_404(app, estate, query):
    r = sign_in(app, "depot").get("/console/assets", query_string=query)
    body = page_text(r)
    assert r.status_code == 404
    assert "No asset matches" in body and 'role="search"' in body and 'aria-current="page">Assets<' in body


def test_unreadable_code_names_the_problem(app, estate):
    r = sign_in(app, "depot").get("/console/assets", query_string={"code": "(8003)0401234512345900000001"})
    body = page_text(r)
    assert r.status_code == 422 and "check digit is 9, expected 6" in body
    r = sign_in(app, "depot").get("/console/assets", query_string={"code": ""})
    assert r.status_code == 422 and "Enter a code, serial or alias" in page_text(r)
    r = sign_in(app, "depot").get("/console/assets", query_string={"code": "A\x00B"})
    assert r.status_code == 422 and "control character U+0000" in page_text(r)


def test_unknown_asset_page_is_a_404_page(app, estate):
    r = sign_in(app, "admin").get("/console/assets/0401234512345699999999", headers=HTML)
    assert r.status_code == 404 and "Page not found" in page_text(r)


def test_operator_sees_state_holder_site_timeline_trips_and_km(app, client, world, estate):
    code = estate["codes"][0]
    body = page_text(sign_in(app, "admin").get(f"/console/assets/{code}", headers=HTML))
    facts = dict(re.findall(r'<th scope="row">([^<]+)</th><td>(.*?)</td></tr>', body))
    assert facts["State"] == "At customer" and facts["Asset type"] == "IBC 1000 L"
    assert "Acme</a> since" in facts["Held by"] and facts["Site"] == "globex plant"
    assert "Trip 2, held by Globex, Acme." in body  # the open trip, passed on from globex to acme
    api_events = client.get(f"/api/v1/assets/{code}/events", headers=auth(world["tokens"]["admin"])).get_json()
    timeline = re.findall(r'<span><strong>([^<]+)</strong></span>', body)
    assert len(timeline) == len(api_events) == 9 and timeline[0] == "Passed on to another customer"
    trips = client.get(f"/api/v1/assets/{code}/trips", headers=auth(world["tokens"]["admin"])).get_json()
    closed = trips[0]
    total = closed["outbound_km"] + closed["transfer_km"] + closed["return_km"]
    assert closed["outcome"] == "completed" and total > 0
    assert f'<td class="num">{total:.1f}</td>' in body
    assert f'href="/console/assets/{code}/label.png"' in body and "Reprint as PDF" in body


def test_anomalies_show_on_the_timeline_and_link_to_the_asset(app, estate):
    code = estate["codes"][2]
    client = sign_in(app, "depot")
    anomalies = page_text(client.get("/console/anomalies", headers=HTML))
    assert f'<a href="/console/assets/{code}"><code>{code}</code></a>' in anomalies
    body = page_text(client.get(f"/console/assets/{code}", headers=HTML))
    assert '<span class="badge anomaly">Anomaly</span>' in body and 'href="/console/anomalies"' in body


def test_label_reprints_png_zpl_and_a_counted_pdf(app, estate):
    from app.assets.models import Asset
    from app.platform.db import get_session

    code = estate["codes"][5]
    client = sign_in(app, "depot")
    png = client.get(f"/console/assets/{code}/label.png", headers=HTML)
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    zpl = client.get(f"/console/assets/{code}/label.zpl", headers=HTML)
    assert zpl.status_code == 200 and zpl.get_data(as_text=True).startswith("^XA") and code in zpl.get_data(as_text=True)
    page = page_text(client.get(f"/console/assets/{code}", headers=HTML))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    pdf = client.post(f"/console/assets/{code}/label.pdf", data={"csrf_token": csrf, "preset": "a4-3x8"}, headers=HTML)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data[:5] == b"%PDF-"
    assert client.post(f"/console/assets/{code}/label.pdf", data={"preset": "a4-3x8"}, headers=HTML).status_code == 400
    with app.app_context():
        assert get_session().scalar(select(Asset.label_prints).where(Asset.code == code)) == 1


def test_customer_sees_only_its_own_custody_of_an_asset_it_holds(app, client, world, estate):
    code = estate["codes"][0]  # at globex first, passed on to acme
    body = page_text(sign_in(app, "acme").get(f"/portal/acme/assets/{code}", headers=HTML))
    main = body[body.index("<main"):]
    assert "globex" not in main.lower()
    own_events = client.get(f"/api/v1/assets/{code}/events", headers=auth(world["tokens"]["acme"])).get_json()
    assert len(re.findall(r'<span><strong>', main)) == len(own_events) == 1
    assert "Reprint" not in main and "Held by</th><td>Acme since" in main


@pytest.mark.parametrize("path", ["/portal/acme/assets/{held_by_globex}", "/portal/globex/assets/{held_by_globex}",
                                  "/portal/acme/assets/{returned_by_acme}", "/portal/acme/assets/0401234512345699999999",
                                  "/portal/acme/assets/LEGACY-7"])
def test_customer_cannot_open_an_asset_it_does_not_hold(app, estate, path):
    c = estate["codes"]
    r = sign_in(app, "acme").get(path.format(held_by_globex=quote(c[1]), returned_by_acme=c[2]), headers=HTML)
    assert r.status_code == 404 and "Page not found" in page_text(r)
    assert "globex" not in r.get_data(as_text=True).lower().split("<main", 1)[1]


def test_customers_do_not_open_the_console_asset_pages(app, estate):
    client = sign_in(app, "acme")
    assert client.get("/console/assets", headers=HTML).status_code == 403
    assert client.get(f"/console/assets/{estate['codes'][0]}", headers=HTML).status_code == 403
    assert client.get(f"/console/assets/{estate['codes'][0]}/label.png", headers=HTML).status_code == 403


def test_overdue_list_links_to_the_asset_page(app, estate):
    code = estate["codes"][0]
    body = page_text(sign_in(app, "acme").get("/portal/acme/overdue", headers=HTML))
    assert f'href="/portal/acme/assets/{code}"' in body
    # staff following the same link get the console's page of the asset
    r = sign_in(app, "depot").get(f"/portal/acme/assets/{code}", headers=HTML)
    assert r.status_code == 302 and r.headers["Location"] == f"/console/assets/{code}"


def test_statement_lines_link_to_the_assets_the_customer_still_holds(app, estate):
    c = estate["codes"]
    client = sign_in(app, "acme")
    period = {"start": (NOW - timedelta(days=200)).date().isoformat(), "end": (NOW + timedelta(days=1)).date().isoformat()}
    statement = page_text(client.get("/portal/acme/statement", query_string=period, headers=HTML))
    link = re.search(r'href="(/portal/acme/statement/assets\?[^"]+)"', statement).group(1).replace("&amp;", "&")
    body = page_text(client.get(link, headers=HTML))
    rows = re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td><td>[^<]+</td>\s*<td>(.*?)</td></tr>", body)
    # c[0] transferred in (held now: a link); c[1] and c[2] issued and returned (no page for acme)
    assert [kind for kind, _ in rows] == ["Transferred in", "Issued", "Returned", "Issued", "Returned"]
    assert f'<a href="/portal/acme/assets/{c[0]}"><code>{c[0]}</code></a>' in rows[0][1]
    assert all("<a " not in cell for _, cell in rows[1:])
    assert client.get(link.replace("/portal/acme/", "/portal/globex/"), headers=HTML).status_code == 404


def test_the_search_service_finds_for_a_customer_only_what_it_holds(app, estate):
    from app.assets import queries
    from app.domain.policy import Viewer

    c = estate["codes"]
    with app.app_context():
        assert [a["code"] for a in queries.search(Viewer("customer", "acme"), c[0])] == [c[0]]
        assert queries.search(Viewer("customer", "globex"), c[0]) == []
        assert queries.search(Viewer("customer", "acme"), c[0][14:]) == [queries.asset_detail(
            Viewer("customer", "acme"), c[0]) | {"open_trip": None}]  # by serial, the same view as the listing
        assert [a["code"] for a in queries.search(Viewer("admin"), "00000001")] == sorted([c[0], estate["crate"]])
