"""Unknown ids answer 404 naming the field, with the id as it was asked for; a row the
caller may not see reads exactly like a missing one (`get_or_404`)."""
from __future__ import annotations

import uuid

import pytest

from tests.conftest import auth

pytestmark = pytest.mark.usefixtures("db_session")

MISSING_PLAN = str(uuid.UUID(int=7))


@pytest.mark.parametrize("method, path, body, field, message", [
    ("post", "/api/v1/users/999999/deactivate", None, "user", "unknown user 999999"),
    ("post", "/api/v1/users/999999/tokens", {"name": "x"}, "user", "unknown user 999999"),
    ("delete", "/api/v1/tokens/999999", None, "token", "unknown token 999999"),
    ("post", "/api/v1/anomalies/999999/resolve", {"note": "seen"}, "id", "unknown anomaly 999999"),
    ("get", f"/api/v1/plans/{MISSING_PLAN}", None, "id", f"unknown plan {MISSING_PLAN!r}"),
    ("get", "/api/v1/asset-types/nope", None, "asset_type", "unknown asset type 'nope'"),
    ("patch", "/api/v1/asset-types/nope", {"name": "N"}, "asset_type", "unknown asset type 'nope'"),
    ("get", "/api/v1/customers/nope", None, "customer", "unknown customer 'nope'"),
    ("patch", "/api/v1/customers/nope/settings", {"publish_certificate_figures": True}, "customer",
     "unknown customer 'nope'"),
    ("get", "/api/v1/sites/nope", None, "site", "unknown site 'nope'"),
    ("post", "/api/v1/sites", {"id": "s-new", "name": "S", "kind": "customer", "customer_id": "nope",
                               "lat": 1, "lon": 1}, "customer_id", "unknown customer 'nope'"),
    ("post", "/api/v1/labels/sheets", {"register": {"asset_type": "ibc", "count": 1, "site": "acme-site"}},
     "site", "unknown depot 'acme-site'"),
])
def test_unknown_ids_answer_404_naming_the_field(client, world, method, path, body, field, message):
    r = getattr(client, method)(path, json=body, headers=auth(world["tokens"]["admin"]))
    assert r.status_code == 404, r.get_json()
    assert r.json["message"] == f"{field}: {message}"
    assert r.json["errors"] == {field: [f"{field}: {message}"]}


def test_another_customers_rows_read_like_missing_ones(client, world):
    acme = auth(world["tokens"]["acme"])
    r = client.get("/api/v1/sites/globex-site", headers=acme)
    assert r.status_code == 404 and r.json["message"] == "site: unknown site 'globex-site'"
    assert client.get("/api/v1/sites/acme-site", headers=acme).status_code == 200


def test_get_or_404_treats_rows_it_may_not_show_as_missing(app, world):
    from app.catalog.models import Site
    from app.domain.errors import NotFound
    from app.platform.db import get_or_404

    with app.app_context():
        assert get_or_404(Site, "depot-a", "site", "depot").id == "depot-a"
        assert get_or_404(Site, "depot-a", "site", "depot", lambda s: s.kind == "depot").id == "depot-a"
        for key, visible in (("nowhere", None), ("acme-site", lambda s: s.kind == "depot")):
            with pytest.raises(NotFound) as err:
                get_or_404(Site, key, "depots[1]", "depot", visible)
            assert (err.value.field, err.value.message, err.value.status) == ("depots[1]", f"unknown depot {key!r}", 404)
