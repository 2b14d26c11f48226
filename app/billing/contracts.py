"""Contracts (tariffs) per customer and the operator's default tariff: create, list, read, end.

Validation is app.domain.billing.tariffs': a contract with an unknown currency, a
negative price, a period overlapping another contract of the same customer (or another
default tariff) or leaving a gap between two of them answers 422 naming the field, and
nothing is stored. Contracts of one customer are checked and written under a lock per
customer (PostgreSQL advisory lock), so two requests at once cannot both add an
overlapping period. A contract is never deleted; ending it sets `valid_until`.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.billing.currencies import currency_problem, minor_units
from app.billing.models import Contract, ContractHireTerms, ContractPrice, Invoice, InvoiceLine
from app.catalog.models import AssetType, Customer
from app.domain.billing import tariffs
from app.domain.billing.problems import raise_first
from app.domain.billing.tariffs import ANY_TYPE, check_new_contract
from app.domain.errors import Conflict, NotFound
from app.domain.policy import Caller, authorize
from app.platform.db import get_session, is_postgres, unit_of_work


def to_domain(row: Contract) -> tariffs.Contract:
    return tariffs.Contract(
        contract_id=str(row.id), customer_id=row.customer_id, valid_from=row.valid_from,
        valid_until=row.valid_until, currency=row.currency, minor_units=minor_units(row.currency),
        tax_rate=row.tax_rate, tax_category=row.tax_category,
        prices=tuple(tariffs.Price(p.kind, p.asset_type, p.unit_price) for p in row.prices),
        hire_terms=tuple(tariffs.HireTerms(t.asset_type, t.free_days, t.demurrage_after_days) for t in row.hire_terms))


def all_contracts(session: Session) -> list[tariffs.Contract]:
    """Every contract and default tariff, as the billing rules take them."""
    return [to_domain(c) for c in session.scalars(select(Contract).order_by(Contract.id))]


def create(caller: Caller, body: dict) -> Contract:
    """A new contract for `body["customer"]`, or a default tariff when it is None."""
    authorize(caller, "contract.write")
    customer_id = body["customer"]
    with unit_of_work() as session:
        if customer_id is not None and session.get(Customer, customer_id) is None:
            raise NotFound("customer", f"unknown customer {customer_id!r}")
        _check_asset_types(session, body)
        problem = currency_problem(body["currency"])
        if problem:
            raise_first([problem])
        row = Contract(customer_id=customer_id, valid_from=body["valid_from"], valid_until=body["valid_until"],
                       currency=body["currency"], tax_rate=body["tax_rate"], tax_category=body["tax_category"],
                       reference=body["reference"], created_by=getattr(caller, "user_id", None),
                       prices=[ContractPrice(**p) for p in body["prices"]],
                       hire_terms=[ContractHireTerms(**t) for t in body["hire_terms"]])
        _lock_customer(session, customer_id)
        new = replace(to_domain(row), contract_id="new")
        raise_first(check_new_contract(new, _siblings(session, customer_id)))
        session.add(row)
    return row


def _check_asset_types(session: Session, body: dict) -> None:
    named = [(f"prices[{i}].asset_type", p["asset_type"]) for i, p in enumerate(body["prices"])]
    named += [(f"hire_terms[{i}].asset_type", t["asset_type"]) for i, t in enumerate(body["hire_terms"])]
    wanted = {type_id for _field, type_id in named if type_id != ANY_TYPE}
    known = set(session.scalars(select(AssetType.id).where(AssetType.id.in_(wanted)))) if wanted else set()
    for field, type_id in named:
        if type_id != ANY_TYPE and type_id not in known:
            raise NotFound(field, f"unknown asset type {type_id!r}")


def _lock_customer(session: Session, customer_id: str | None) -> None:
    """Serialise contract changes of one customer (or of the default tariffs) until commit."""
    if is_postgres(session):
        digest = hashlib.sha256(f"contracts:{customer_id or '*'}".encode()).digest()
        session.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True))))


def _siblings(session: Session, customer_id: str | None, but: int | None = None) -> list[tariffs.Contract]:
    """The other contracts of the customer (or the other default tariffs)."""
    owner = Contract.customer_id.is_(None) if customer_id is None else Contract.customer_id == customer_id
    stmt = select(Contract).where(owner).order_by(Contract.id)
    if but is not None:
        stmt = stmt.where(Contract.id != but)
    return [to_domain(c) for c in session.scalars(stmt)]


def list_contracts(caller: Caller, customer: str | None, default_only: bool, valid_on: date | None, limit: int,
                   offset: int) -> list[Contract]:
    """Contracts by customer and start; a customer user sees its own and the default tariffs."""
    own = authorize(caller, "contract.read", customer)
    stmt = select(Contract)
    if default_only:
        stmt = stmt.where(Contract.customer_id.is_(None))
    elif own is not None:
        stmt = stmt.where(or_(Contract.customer_id == own, Contract.customer_id.is_(None)))
    elif customer:
        stmt = stmt.where(Contract.customer_id == customer)
    if valid_on is not None:
        stmt = stmt.where(Contract.valid_from <= valid_on,
                          or_(Contract.valid_until.is_(None), Contract.valid_until > valid_on))
    stmt = stmt.order_by(Contract.customer_id.is_not(None), Contract.customer_id, Contract.valid_from, Contract.id)
    return list(get_session().scalars(stmt.limit(limit).offset(offset)))


def get(caller: Caller, contract_id: int) -> Contract:
    own = authorize(caller, "contract.read", field="contract_id")
    row = get_session().get(Contract, contract_id)
    if row is None or (own is not None and row.customer_id not in (own, None)):
        raise NotFound("contract_id", f"unknown contract {contract_id}")
    return row


def end(caller: Caller, contract_id: int, valid_until: date) -> Contract:
    """End a contract: it prices no day from `valid_until` on (the next contract, or the
    default tariff, does). Refused when an invoice already priced a later day with it."""
    authorize(caller, "contract.write")
    with unit_of_work() as session:
        row = session.get(Contract, contract_id)
        if row is None:
            raise NotFound("contract_id", f"unknown contract {contract_id}")
        _lock_customer(session, row.customer_id)
        invoiced = session.execute(
            select(Invoice.number, InvoiceLine.last_day).join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(InvoiceLine.contract_id == str(row.id), InvoiceLine.last_day >= valid_until)
            .order_by(InvoiceLine.last_day.desc()).limit(1)).first()
        if invoiced is not None:
            raise Conflict("valid_until", f"invoice {invoiced.number or '(draft)'} prices {invoiced.last_day} with "
                                          f"this contract: end it after that day")
        ended = replace(to_domain(row), valid_until=valid_until)
        raise_first(check_new_contract(ended, _siblings(session, row.customer_id, but=row.id)))
        row.valid_until = valid_until
    return row
