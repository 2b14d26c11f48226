"""A realistic demo fleet in the Rhine-Ruhr region, with six months of simulated trips.

Every scan goes through `services.scans.ingest`, the same path as the API. Scan ids are
derived from the asset and its scan number, and the simulation is anchored on the date
the demo fleet was first registered, so running the seed again re-submits the same
scans and they all come back as duplicates.
"""
from __future__ import annotations

import heapq
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select

from app.accounts.auth import Principal
from app.assets.models import Asset
from app.catalog.models import AssetType, Customer, Site
from app.demo_settlement import seed_statements
from app.platform.db import get_session

DEMO_NS = uuid.UUID("6f1c2b0e-8a4b-4c1e-9a53-2f1d7c9e4b10")
HISTORY_DAYS = 183
HOURS = {d: ["06:00", "20:00"] for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": ["07:00", "13:00"]}

DEPOTS = [
    ("depot-duisburg", "Depot Duisburg Hafen", 51.4346, 6.7623),
    ("depot-koeln", "Depot Köln Eifeltor", 50.9011, 6.9248),
    ("depot-dortmund", "Depot Dortmund Ost", 51.5237, 7.5389),
]
# (id, name, sites [(suffix, lat, lon)], preferred types, mean dwell days)
CUSTOMERS = [
    ("rheinchem", "RheinChem Additives GmbH", [("leverkusen", 51.0303, 6.9843), ("dormagen", 51.0791, 6.8418)], ["ibc-1000"], 18),
    ("ruhr-polymers", "Ruhr Polymers AG", [("marl", 51.6860, 7.0916)], ["ibc-1000", "pallet-box"], 21),
    ("niederrhein-coatings", "Niederrhein Coatings KG", [("krefeld", 51.3388, 6.5853)], ["ibc-1000"], 25),
    ("autoteile-bochum", "Autoteile Bochum GmbH", [("bochum", 51.4818, 7.2162)], ["crate-6040", "pallet-box"], 12),
    ("fahrwerk-koeln", "Fahrwerk Systeme Köln", [("niehl", 50.9876, 6.9695)], ["pallet-box", "crate-6040"], 14),
    ("hausgeraete-gt", "Hausgeräte Gütersloh", [("guetersloh", 51.9069, 8.3785)], ["pallet-box"], 30),
    ("frische-rhein", "Frische Rhein Obst & Gemüse", [("bonn", 50.7374, 7.0982), ("neuss", 51.2042, 6.6879)], ["crate-6040"], 7),
    ("ruhr-frisch", "Ruhr Frischmarkt eG", [("essen", 51.4556, 7.0116)], ["crate-6040"], 6),
    ("wupper-getraenke", "Wupper Getränke GmbH", [("wuppertal", 51.2562, 7.1508)], ["crate-6040", "ibc-1000"], 10),
    ("sauerland-metall", "Sauerland Metallwerk", [("iserlohn", 51.3753, 7.7000)], ["pallet-box"], 75),
    ("lippe-lacke", "Lippe Lacke & Harze", [("hamm", 51.6739, 7.8159)], ["ibc-1000"], 95),
    ("muenster-agrar", "Münsterland Agrarhandel", [("muenster", 51.9607, 7.6261)], ["crate-6040", "ibc-1000"], 16),
]
ASSET_TYPES = [
    # id, name, GRAI asset type, tare kg, volume l, load units, lca profile, overdue days, fleet size
    ("ibc-1000", "Foldable HDPE IBC 1,000 L", "10001", 72.0, 1000.0, 1.0, "ibc-1000-vs-steel-drums", 45, 700),
    ("crate-6040", "Plastic crate 600x400", "20002", 2.1, 48.0, 0.05, "crate-600x400-vs-corrugated", 30, 1000),
    ("pallet-box", "Plastic pallet box 1200x1000", "30003", 38.0, 610.0, 1.0, "pallet-box-vs-wooden-crate", 45, 500),
]
ORDER_SIZE = {"ibc-1000": (4, 14), "crate-6040": (20, 60), "pallet-box": (3, 10)}


@dataclass
class DemoResult:
    created: dict
    scans: dict
    anchor: datetime


def seed(settings, progress=None) -> DemoResult:
    from app.assets import registry
    from app.catalog import services as catalog
    from app.pickups import services as return_requests

    created = {"depots": 0, "customers": 0, "sites": 0, "asset_types": 0, "assets": 0}
    session = get_session()
    for id_, name, lat, lon in DEPOTS:
        if session.get(Site, id_) is None:
            catalog.create("site", {"id": id_, "name": name, "kind": "depot", "lat": lat, "lon": lon,
                                    "opening_hours": HOURS, "timezone": "Europe/Berlin"})
            created["depots"] += 1
    for cid, name, sites, _types, _dwell in CUSTOMERS:
        if session.get(Customer, cid) is None:
            catalog.create("customer", {"id": cid, "name": name, "contact_email": f"logistics@{cid}.example"})
            created["customers"] += 1
        for suffix, lat, lon in sites:
            sid = f"{cid}-{suffix}"
            if session.get(Site, sid) is None:
                catalog.create("site", {"id": sid, "name": f"{name} {suffix.title()}", "kind": "customer",
                                        "customer_id": cid, "lat": lat, "lon": lon, "opening_hours": HOURS})
                created["sites"] += 1
    for tid, name, grai_type, tare, vol, units, profile, overdue, fleet in ASSET_TYPES:
        if session.get(AssetType, tid) is None:
            catalog.create("asset_type", {"id": tid, "name": name, "company_prefix": settings.gs1_company_prefix,
                                          "grai_asset_type": grai_type, "tare_mass_kg": tare, "volume_l": vol,
                                          "load_units": units, "lca_profile": profile, "overdue_days": overdue})
            created["asset_types"] += 1
        have = session.scalar(select(func.count()).select_from(Asset).where(Asset.asset_type_id == tid))
        for i, (depot_id, *_rest) in enumerate(DEPOTS):
            share = fleet // len(DEPOTS) + (1 if i < fleet % len(DEPOTS) else 0)
            at_depot = session.scalar(select(func.count()).select_from(Asset).where(
                Asset.asset_type_id == tid, Asset.home_site_id == depot_id))
            if have < fleet and at_depot < share:
                registry.register(tid, share - at_depot, depot_id)
                created["assets"] += share - at_depot
    anchor_registered = session.scalar(select(func.min(Asset.registered_at)))
    anchor = datetime.combine(anchor_registered.date(), time(0), timezone.utc)
    scans = _simulate(anchor, anchor_registered, settings.resolver_base_url.rstrip("/"))
    counts = _ingest(scans, settings, progress)
    created["return_requests"] = return_requests.seed_demo()
    created["certificates"] = _certificates(anchor_registered)
    created["invoices"] = _billing(anchor - timedelta(days=HISTORY_DAYS), anchor_registered)
    created["statements"] = seed_statements(anchor_registered, BILLED_MONTHS)
    return DemoResult(created, counts, anchor)


# The demo customer whose certificate figures show on the public verification page; the
# others keep the default (private), so both answers of /verify/<serial> can be seen.
PUBLISHING_CUSTOMER = "rheinchem"


def _certificates(history_end: datetime) -> int:
    """Signed certificates for the last complete month of the history, once."""
    from app.catalog import services as catalog
    from app.certificates import issuing
    from app.certificates.models import Certificate
    from app.domain.policy import OPERATOR

    month = f"{history_end.replace(day=1) - timedelta(days=1):%Y-%m}"
    if get_session().scalar(select(func.count()).select_from(Certificate).where(Certificate.month == month)):
        return 0
    catalog.update_customer_settings(OPERATOR, PUBLISHING_CUSTOMER, {"publish_certificate_figures": True})
    return len(issuing.issue(month))


# (asset type, issue fee, daily hire, free days, demurrage per day, cleaning fee, replacement value), EUR
TARIFF = [
    ("ibc-1000", "6.50", "0.85", 14, "1.50", "18.00", "280.00"),
    ("crate-6040", "0.35", "0.04", 10, "0.05", "0.25", "9.50"),
    ("pallet-box", "3.20", "0.45", 14, "0.80", "4.50", "160.00"),
]
# A customer with its own framework agreement: cheaper crates, more free days.
CONTRACT_CUSTOMER, CONTRACT_REFERENCE = "autoteile-bochum", "Rahmenvertrag 2026-114"
BILLED_MONTHS = 3


def _billing(history_start: datetime, history_end: datetime) -> int:
    """The default tariff, one customer's own contract, and issued invoices for the last
    BILLED_MONTHS complete months of the history, once."""
    from app.billing import contracts, runs
    from app.billing.models import Contract, Invoice
    from app.domain.policy import OPERATOR

    session = get_session()
    if session.scalar(select(func.count()).select_from(Contract)):
        return 0
    valid_from = history_start.date().replace(day=1)
    contracts.create(OPERATOR, _contract(None, valid_from, TARIFF, None))
    own = [(t, fee, "0.03" if t == "crate-6040" else hire, 21 if t == "crate-6040" else free, *rest)
           for t, fee, hire, free, *rest in TARIFF]
    contracts.create(OPERATOR, _contract(CONTRACT_CUSTOMER, valid_from, own, CONTRACT_REFERENCE))
    # A month is billed once it has ended in every time zone (from its next month's second day).
    months, first = [], (history_end - timedelta(days=1)).replace(day=1)
    for _ in range(BILLED_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(f"{first:%Y-%m}")
    for month in reversed(months):
        runs.start(OPERATOR, month, issue=True)
    return session.scalar(select(func.count()).select_from(Invoice))


def _contract(customer: str | None, valid_from, tariff: list, reference: str | None) -> dict:
    from decimal import Decimal

    prices = []
    for tid, issue_fee, hire, _free, demurrage, cleaning, replacement in tariff:
        for kind, price in (("issue_fee", issue_fee), ("daily_hire", hire), ("demurrage", demurrage),
                            ("cleaning_fee", cleaning), ("lost_asset", replacement)):
            prices.append({"kind": kind, "asset_type": tid, "unit_price": Decimal(price)})
    overdue = {tid: days for tid, *_x, days, _fleet in ASSET_TYPES}
    return {"customer": customer, "valid_from": valid_from, "valid_until": None, "currency": "EUR",
            "tax_rate": Decimal("0.19"), "tax_category": "S", "reference": reference, "prices": prices,
            "hire_terms": [{"asset_type": tid, "free_days": free, "demurrage_after_days": overdue[tid]}
                           for tid, _fee, _hire, free, *_rest in tariff]}


def _ingest(scans: list[dict], settings, progress) -> dict:
    from app.scanning.ingest import ingest

    admin = Principal(user_id=None, name="demo simulator", role="admin", customer_id=None)
    counts: dict[str, int] = {}
    batch = 2000
    for start in range(0, len(scans), batch):
        for status, n in ingest(admin, scans[start:start + batch], settings).summary.items():
            counts[status] = counts.get(status, 0) + n
        if progress:
            progress(min(batch, len(scans) - start))
    return counts


def _simulate(anchor: datetime, until: datetime, resolver: str) -> list[dict]:
    """Generate the scans of six months of operations ending when the fleet was registered.

    `until` is fixed by the first run, so a later run generates exactly the same scans
    (ending at the current time instead would add the scans that fell due in between)."""
    rng = random.Random(20261121)
    session = get_session()
    now = until
    start = anchor - timedelta(days=HISTORY_DAYS)
    assets = session.execute(select(Asset.code, Asset.asset_type_id, Asset.home_site_id).order_by(Asset.id)).all()
    # free[depot][type] is a heap of (time the asset becomes available, code)
    free: dict[str, dict[str, list]] = {d[0]: {t[0]: [] for t in ASSET_TYPES} for d in DEPOTS}
    for code, type_id, home in assets:
        heapq.heappush(free[home][type_id], (start, code))
    seq: dict[str, int] = {}
    out: list[dict] = []
    depot_pos = {d[0]: (d[2], d[3]) for d in DEPOTS}

    def scan(code, event, at, site, customer=None):
        if at > now:
            return False
        n = seq.get(code, 0) + 1
        seq[code] = n
        # Scanners read the label's QR: a GS1 Digital Link URI.
        item = {"id": str(uuid.uuid5(DEMO_NS, f"{code}/{n}")), "code": f"{resolver}/8003/{code}", "event": event, "site": site,
                "occurred_at": at.isoformat()}
        if customer:
            item["customer"] = customer
        out.append(item)
        return True

    def nearest_depot(lat, lon):
        return min(depot_pos, key=lambda d: (depot_pos[d][0] - lat) ** 2 + (depot_pos[d][1] - lon) ** 2)

    day = start
    while day < now:
        if day.weekday() < 5:
            for cid, _name, sites, types, dwell_days in CUSTOMERS:
                for type_id in types:
                    if rng.random() > 0.35:
                        continue
                    suffix, lat, lon = rng.choice(sites)
                    site_id = f"{cid}-{suffix}"
                    depot = nearest_depot(lat, lon)
                    qty = rng.randint(*ORDER_SIZE[type_id])
                    for _ in range(qty):
                        order = [depot] + [d for d in free if d != depot]
                        src = next((d for d in order if free[d][type_id] and free[d][type_id][0][0] <= day), None)
                        if src is None:
                            break  # out of stock everywhere: the order ships short
                        _ready, code = heapq.heappop(free[src][type_id])
                        back = _trip(rng, scan, code, day, src, cid, site_id, dwell_days, depot, CUSTOMERS)
                        if back is not None:
                            heapq.heappush(free[back[1]][type_id], (back[0], code))
        day += timedelta(days=1)
    out.sort(key=lambda s: s["occurred_at"])
    return out


def _trip(rng, scan, code, day, src, cid, site_id, dwell_days, return_depot, customers):
    """Scans of one trip; returns (time available again, depot) or None if it left the pool."""
    t = day + timedelta(hours=6 + rng.random() * 4)
    if not scan(code, "issue", t, src, cid):
        return None
    t += timedelta(hours=4 + rng.random() * 20)
    scan(code, "deliver", t, site_id)
    holder_site = site_id
    t += timedelta(days=rng.lognormvariate(0, 0.5) * dwell_days)
    if rng.random() < 0.04:  # passed on to another customer: one box, several legs
        other_id, _n, other_sites, _ty, other_dwell = rng.choice([c for c in customers if c[0] != cid])
        holder_site = f"{other_id}-{other_sites[0][0]}"
        scan(code, "transfer", t, holder_site, other_id)
        t += timedelta(days=rng.lognormvariate(0, 0.5) * other_dwell)
    if rng.random() < 0.012:  # never comes back: declared lost months later
        scan(code, "lose", t + timedelta(days=90), return_depot)
        return None
    scan(code, "collect", t, holder_site)
    t += timedelta(hours=3 + rng.random() * 30)
    scan(code, "receive", t, return_depot)
    t += timedelta(hours=8 + rng.random() * 40)
    scan(code, "clean", t, return_depot)
    t += timedelta(hours=1 + rng.random() * 12)
    if rng.random() < 0.06:
        scan(code, "inspect_fail", t, return_depot)
        if rng.random() < 0.1:
            scan(code, "scrap", t + timedelta(days=2), return_depot)
            return None
        t += timedelta(days=1 + rng.random() * 5)
        scan(code, "repair", t, return_depot)
        t += timedelta(hours=2)
    if not scan(code, "inspect_pass", t, return_depot):
        return None
    return t, return_depot
