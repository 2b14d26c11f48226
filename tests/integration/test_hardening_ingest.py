from datetime import timedelta, datetime, timezone
from tests.conftest import T0, auth, scan

URL = "/api/v1/scans"

def test_repro(app, client, world):
    admin = auth(world["tokens"]["admin"]); code = world["codes"][0]
    r = client.post(URL, json={"scans": [scan(code, "issue", "depot-a", T0, "acme"), scan(code, "deliver", "acme-site", T0 + timedelta(hours=2))]}, headers=admin)
    print(r.get_json())
    print(client.patch("/api/v1/sites/acme-site", json={"active": False}, headers=admin).status_code)
    r = client.post(URL, json={"scans": [scan(code, "check", "depot-a", T0 + timedelta(hours=1))]}, headers=admin)
    print(r.status_code, r.get_json())
