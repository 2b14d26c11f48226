"""Pickup requests ask for no more than the customer holds; the portal's pickups page tells
each request's status in plain words (planned day, stop and tour; why it cannot be served)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import T0, auth, give_holdings, scan
from tests.integration.hardening_input import sign_in

URL = "/api/v1/return-requests"
DAY = "2031-03-04"  # a Tuesday
WINDOW = {"start": f"{DAY}T08:00:00+01:00", "end": f"{DAY}T12:00:00+01:00"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def holding_four(client, world):
    """acme holds four IBCs at its site: issued and delivered by scans."""
    out = []
    for i, code in enumerate(world["codes"][:4]):
        out += [scan(code, "issue", "depot-a", T0 + timedelta(minutes=i), "acme"),
                scan(code, "deliver", "acme-site", T0 + timedelta(hours=2, minutes=i))]
    r = client.post("/api/v1/scans", json={"scans": out}, headers=auth(world["tokens"]["admin"]))
    assert r.status_code == 200 and "rejected" not in r.get_json()["summary"], r.get_json()
    return world


def ask(client, world, n: int, who: str = "acme", **body):
    return client.post(URL, json={"site": "acme-site", "counts": {"ibc": n}, "window": WINDOW, **body},
                       headers=auth(world["tokens"][who]))


def stored(client, world) -> int:
    return client.get(URL, headers=auth(world["tokens"]["admin"])).get_json()["total"]


def test_a_request_beyond_the_holding_is_422_naming_the_count(client, holding_four):
    r = ask(client, holding_four, 5000)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"] == {"counts.ibc": ["counts.ibc: you hold 4 of IBC 1000 L; 5000 requested"]}
    assert stored(client, holding_four) == 0
    assert ask(client, holding_four, 4).status_code == 201  # exactly what it holds is fine


def test_other_open_requests_count_against_the_holding(client, holding_four):
    assert ask(client, holding_four, 3).status_code == 201
    r = ask(client, holding_four, 2)
    assert r.status_code == 422
    assert r.get_json()["errors"]["counts.ibc"] == [
        "counts.ibc: you hold 4 of IBC 1000 L and your other open requests already ask for 3; 2 requested"]
    assert ask(client, holding_four, 1).status_code == 201
    # a cancelled request no longer asks for anything; staff asking on the customer's behalf are checked too
    first = client.get(URL, headers=auth(holding_four["tokens"]["acme"])).get_json()["items"][-1]["id"]
    assert client.post(f"{URL}/{first}/cancel", headers=auth(holding_four["tokens"]["acme"])).status_code == 200
    assert ask(client, holding_four, 4, who="admin").status_code == 422
    assert ask(client, holding_four, 3, who="admin").status_code == 201
    assert stored(client, holding_four) == 3


def test_holdings_at_another_site_do_not_count_at_this_one(app, client, holding_four):
    from app.catalog import services as catalog

    with app.app_context():
        catalog.create("site", {"id": "acme-two", "name": "Acme Two", "kind": "customer", "customer_id": "acme",
                                "lat": 51.1, "lon": 7.0})
    r = ask(client, holding_four, 1, site="acme-two")
    assert r.status_code == 422
    assert r.get_json()["errors"]["counts.ibc"] == ["counts.ibc: you hold 0 of IBC 1000 L at Acme Two; 1 requested"]
    give_holdings(app, {("acme", "", "ibc"): 2})  # on the way, not yet at a site: may be at either
    assert ask(client, holding_four, 2, site="acme-two").status_code == 201
    assert ask(client, holding_four, 5).status_code == 422  # in total: 6 held, 2 asked for
    assert ask(client, holding_four, 4).status_code == 201


def pickup_form(csrf: str, count: int, **extra) -> dict:
    return {"site": "acme-site", "asset_type": "ibc", "count": str(count), "day": DAY, "csrf_token": csrf, **extra}


def test_the_page_refuses_beyond_the_holding_and_stores_nothing(app, client, holding_four):
    csrf = sign_in(app, client, "customer", "acme")
    r = client.post("/portal/acme/pickups", data=pickup_form(csrf, 5000))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Not sent: you hold 4 of IBC 1000 L; 5000 requested" in html
    assert 'aria-invalid="true"' in html and '<p class="notice bad" id="count-error">you hold 4' in html
    assert stored(client, holding_four) == 0
    r = client.post("/portal/acme/pickups", data=pickup_form(csrf, 5000), headers=ZH)
    assert r.status_code == 422 and "您持有 4 个 IBC 1000 L；本次申请 5000 个" in r.get_data(as_text=True)
    assert client.post("/portal/acme/pickups", data=pickup_form(csrf, 4)).status_code == 201


def test_the_page_tells_each_status_in_plain_words(app, client, world):
    give_holdings(app, {("acme", "", "ibc"): 100})
    csrf = sign_in(app, client, "customer", "acme")
    assert client.post("/portal/acme/pickups", data=pickup_form(csrf, 3, day="2031-03-05")).status_code == 201
    assert ask(client, world, 2).status_code == 201
    assert ask(client, world, 60).status_code == 201  # more than a 26-place truck carries
    vehicle = {"id": "v1", "capacity_units": 26.0, "start_depot": "depot-a", "end_depot": "depot-a",
               "shift_start": "06:00", "shift_end": "18:00", "cost_per_km": 1.2, "truck_class": "rigid_gt17t"}
    r = client.post("/api/v1/plans/collections", headers=auth(world["tokens"]["admin"]),
                    json={"date": DAY, "depots": ["depot-a"], "vehicles": [vehicle], "objective": "distance",
                          "time_limit_s": 1})
    assert r.status_code == 201 and r.get_json()["status"] == "done", r.get_json()

    html = client.get("/portal/acme/pickups").get_data(as_text=True)
    assert ">requested<" in html and "2031-03-05 all day" in html and "00:00 – 00:00" not in html
    assert "planned for 2031-03-04, stop 1 of tour 1" in html and "vehicle v1, about " in html
    assert "cannot be served: it is more than any of our vehicles can carry; split it into smaller requests" in html
    assert "larger_than_any_vehicle" not in html
    zh = client.get("/portal/acme/pickups", headers=ZH).get_data(as_text=True)
    assert "全天" in zh and "第 1 条线路第 1 站" in zh and "无法安排：数量超出任何一辆车的载量" in zh
    assert "larger_than_any_vehicle" not in zh
