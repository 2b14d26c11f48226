"""Asset types, customers and sites: what an operator sets up before scanning."""
from __future__ import annotations

from sqlalchemy import select

from app.catalog.models import AssetType, Customer, Site
from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.inputs import zone_problem
from app.domain.policy import Caller, authorize, site_visible
from app.platform.db import get_session, unit_of_work
from labels.errors import LabelError
from labels.grai import make_grai

_MODELS = {"asset_type": AssetType, "customer": Customer, "site": Site}


def list_all(entity: str, **filters) -> list:
    """Rows of one entity ("site", "customer", "asset_type"), filtered by column values."""
    model = _MODELS[entity]
    stmt = select(model).order_by(model.id)
    for key, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(model, key) == value)
    return list(get_session().scalars(stmt))


def get(kind: str, id_: str):
    obj = get_session().get(_MODELS[kind], id_)
    if obj is None:
        raise NotFound(kind, f"unknown {kind.replace('_', ' ')} {id_!r}")
    return obj


# ---------------------------------------------------------------- as a caller may see it

def customers_for(viewer: Caller) -> list[Customer]:
    """Customers: a customer user sees only its own."""
    own = authorize(viewer, "customer.read")
    return list_all("customer", id=own) if own else list_all("customer")


def customer_for(viewer: Caller, customer_id: str) -> Customer:
    authorize(viewer, "customer.read", customer_id)
    return get("customer", customer_id)


def sites_for(viewer: Caller, kind: str | None = None, customer_id: str | None = None) -> list[Site]:
    """Depots and customer sites; a customer user sees depots and its own sites."""
    authorize(viewer, "site.read", customer_id)
    return [s for s in list_all("site", kind=kind, customer_id=customer_id)
            if site_visible(viewer, s.kind, s.customer_id)]


def site_for(viewer: Caller, site_id: str) -> Site:
    authorize(viewer, "site.read")
    site = get_session().get(Site, site_id)
    if site is None or not site_visible(viewer, site.kind, site.customer_id):
        raise NotFound("site", f"unknown site {site_id!r}")
    return site


def customer_settings(viewer: Caller, customer_id: str) -> dict:
    authorize(viewer, "customer.settings", customer_id)
    c = get("customer", customer_id)
    return {"customer": c.id, "publish_certificate_figures": c.publish_certificate_figures}


def update_customer_settings(viewer: Caller, customer_id: str, data: dict) -> dict:
    """Settings a customer decides itself (and the operator on its behalf)."""
    authorize(viewer, "customer.settings", customer_id)
    with unit_of_work() as session:
        c = session.get(Customer, customer_id)
        if c is None:
            raise NotFound("customer", f"unknown customer {customer_id!r}")
        if "publish_certificate_figures" in data:
            c.publish_certificate_figures = bool(data["publish_certificate_figures"])
    return {"customer": c.id, "publish_certificate_figures": c.publish_certificate_figures}


def create(kind: str, data: dict):
    model = _MODELS[kind]
    with unit_of_work() as session:
        if session.get(model, data["id"]) is not None:
            raise Conflict("id", f"{kind.replace('_', ' ')} {data['id']!r} exists")
        _check_zone(data)
        _check(session, kind, data)
        obj = model(**data)
        session.add(obj)
    return obj


def update(kind: str, id_: str, data: dict):
    with unit_of_work() as session:
        obj = session.get(_MODELS[kind], id_)
        if obj is None:
            raise NotFound(kind, f"unknown {kind.replace('_', ' ')} {id_!r}")
        if kind == "asset_type" and ({"company_prefix", "grai_asset_type"} & data.keys()):
            raise DomainError("grai_asset_type", "the GRAI of an asset type is fixed once assets carry it")
        _check_zone(data)
        _check(session, kind, {**_as_dict(obj), **data})
        for key, value in data.items():
            setattr(obj, key, value)
    return obj


def _as_dict(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def _check_zone(data: dict) -> None:
    """The API schema checks a site's zone too; callers such as the CLI and the demo do not
    pass through it. Only a zone being set is judged: a bad one stored earlier reads as UTC."""
    problem = zone_problem(data["timezone"]) if isinstance(data.get("timezone"), str) else None
    if problem:
        raise DomainError("timezone", problem)


RESERVED_CUSTOMER_IDS = {"operator"}  # the scope name of operator-wide certificates


def _check(session, kind: str, data: dict) -> None:
    if kind == "customer" and data.get("id") in RESERVED_CUSTOMER_IDS:
        raise DomainError("id", f"{data['id']!r} is reserved")
    if kind == "site":
        if data["kind"] == "customer":
            if not data.get("customer_id"):
                raise DomainError("customer_id", "a customer site belongs to a customer")
            if session.get(Customer, data["customer_id"]) is None:
                raise NotFound("customer_id", f"unknown customer {data['customer_id']!r}")
        elif data.get("customer_id") is not None:  # also "": no customer has that id
            raise DomainError("customer_id", "a depot belongs to no customer")
    if kind == "asset_type":
        try:
            make_grai(data["company_prefix"], data["grai_asset_type"], "1")
        except LabelError as err:
            raise DomainError(err.field if err.field != "asset_type" else "grai_asset_type", err.message) from err
