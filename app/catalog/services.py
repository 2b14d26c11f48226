"""Asset types, customers and sites: what an operator sets up before scanning.

Every read takes the caller and returns only what the access policy lets it see, so the
JSON API and the pages share one scoping. Writes (`create`, `update`) are the admin's,
checked by the views' roles; the CLI and the demo call them as the operator.
"""
from __future__ import annotations

from sqlalchemy import select

from app.catalog.models import AssetType, Customer, Site
from app.domain.errors import Conflict, DomainError
from app.domain.inputs import zone_problem
from app.domain.policy import Caller, authorize, site_visible
from app.platform.db import get_or_404, get_session, unit_of_work
from labels.errors import LabelError
from labels.grai import make_grai

_MODELS = {"asset_type": AssetType, "customer": Customer, "site": Site}


def _rows(entity: str, **filters) -> list:
    """Rows of one entity ("site", "customer", "asset_type"), filtered by column values."""
    model = _MODELS[entity]
    stmt = select(model).order_by(model.id)
    for key, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(model, key) == value)
    return list(get_session().scalars(stmt))


def _get(kind: str, id_: str):
    return get_or_404(_MODELS[kind], id_, kind, kind.replace("_", " "))


# ---------------------------------------------------------------- as a caller may see it

def customers_for(viewer: Caller) -> list[Customer]:
    """Customers: a customer user sees only its own."""
    own = authorize(viewer, "customer.read")
    return _rows("customer", id=own) if own else _rows("customer")


def customer_for(viewer: Caller, customer_id: str) -> Customer:
    authorize(viewer, "customer.read", customer_id)
    return _get("customer", customer_id)


def sites_for(viewer: Caller, kind: str | None = None, customer_id: str | None = None) -> list[Site]:
    """Depots and customer sites; a customer user sees depots and its own sites."""
    authorize(viewer, "site.read", customer_id)
    return [s for s in _rows("site", kind=kind, customer_id=customer_id)
            if site_visible(viewer, s.kind, s.customer_id)]


def site_for(viewer: Caller, site_id: str) -> Site:
    authorize(viewer, "site.read")
    return get_or_404(Site, site_id, "site", "site", lambda s: site_visible(viewer, s.kind, s.customer_id))


def asset_types(viewer: Caller) -> list[AssetType]:
    """Asset types: reference data every signed-in caller may read."""
    authorize(viewer, "asset_type.read")
    return _rows("asset_type")


def asset_type_for(viewer: Caller, type_id: str) -> AssetType:
    authorize(viewer, "asset_type.read")
    return _get("asset_type", type_id)


def customer_settings(viewer: Caller, customer_id: str) -> dict:
    authorize(viewer, "customer.settings", customer_id)
    c = _get("customer", customer_id)
    return {"customer": c.id, "publish_certificate_figures": c.publish_certificate_figures}


def update_customer_settings(viewer: Caller, customer_id: str, data: dict) -> dict:
    """Settings a customer decides itself (and the operator on its behalf)."""
    authorize(viewer, "customer.settings", customer_id)
    with unit_of_work():
        c = _get("customer", customer_id)
        if "publish_certificate_figures" in data:
            c.publish_certificate_figures = bool(data["publish_certificate_figures"])
    return {"customer": c.id, "publish_certificate_figures": c.publish_certificate_figures}


def create(kind: str, data: dict):
    model = _MODELS[kind]
    with unit_of_work() as session:
        if session.get(model, data["id"]) is not None:
            raise Conflict("id", f"{kind.replace('_', ' ')} {data['id']!r} exists")
        _check_zone(data)
        _check(kind, data)
        obj = model(**data)
        session.add(obj)
    return obj


def update(kind: str, id_: str, data: dict):
    with unit_of_work():
        obj = _get(kind, id_)
        if kind == "asset_type" and ({"company_prefix", "grai_asset_type"} & data.keys()):
            raise DomainError("grai_asset_type", "the GRAI of an asset type is fixed once assets carry it")
        _check_zone(data)
        _check(kind, {**_as_dict(obj), **data})
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


def _check(kind: str, data: dict) -> None:
    if kind == "customer" and data.get("id") in RESERVED_CUSTOMER_IDS:
        raise DomainError("id", f"{data['id']!r} is reserved")
    if kind == "site":
        if data["kind"] == "customer":
            if not data.get("customer_id"):
                raise DomainError("customer_id", "a customer site belongs to a customer")
            get_or_404(Customer, data["customer_id"], "customer_id", "customer")
        elif data.get("customer_id") is not None:  # also "": no customer has that id
            raise DomainError("customer_id", "a depot belongs to no customer")
    if kind == "asset_type":
        try:
            make_grai(data["company_prefix"], data["grai_asset_type"], "1")
        except LabelError as err:
            raise DomainError(err.field if err.field != "asset_type" else "grai_asset_type", err.message) from err
