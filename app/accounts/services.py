"""Users and API tokens, passwords, deactivation."""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts import sign_in_limits
from app.accounts.models import ApiToken, User, WebSession
from app.accounts.principal import ROLES, Principal, hash_token, new_token
from app.catalog.models import Customer
from app.domain.errors import Conflict, DomainError
from app.domain.policy import Caller, authorize
from app.platform import i18n
from app.platform.base import utcnow
from app.platform.db import get_or_404, get_session, unit_of_work

PASSWORD_LENGTH = (10, 200)

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=10)


def principal_for_token(token_hash: str) -> Principal | None:
    session = get_session()
    row = session.execute(
        select(User.id, User.name, User.role, User.customer_id, User.locale, ApiToken.id.label("token_id"),
               ApiToken.last_used_at)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None), User.active.is_(True))
    ).first()
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        with unit_of_work() as s:
            s.execute(update(ApiToken).where(ApiToken.id == row.token_id).values(last_used_at=now))
    return Principal(row.id, row.name, row.role, row.customer_id, row.locale)


def create_user(name: str, role: str, customer_id: str | None = None, email: str | None = None,
                password: str | None = None) -> User:
    _check_role(role, customer_id)
    with unit_of_work() as session:
        if customer_id is not None:
            get_or_404(Customer, customer_id, "customer", "customer")
        if email and session.scalar(select(User.id).where(User.email == email)):
            raise DomainError("email", f"a user with email {email!r} exists")
        user = User(name=name, role=role, customer_id=customer_id, email=email,
                    password_hash=generate_password_hash(password) if password else None)
        session.add(user)
    return user


def find_or_create_user(name: str, role: str, customer_id: str | None) -> User:
    session = get_session()
    user = session.scalar(select(User).where(User.name == name, User.role == role, User.customer_id.is_(customer_id)
                                             if customer_id is None else User.customer_id == customer_id))
    return user or create_user(name, role, customer_id)


def issue_token(user_id: int, name: str) -> tuple[ApiToken, str]:
    """Returns the stored token and its secret, which is shown once and never stored."""
    secret = new_token()
    with unit_of_work() as session:
        get_or_404(User, user_id, "user", "user")
        token = ApiToken(user_id=user_id, name=name, prefix=secret[:12], token_hash=hash_token(secret))
        session.add(token)
    return token, secret


def list_tokens(user_ids: list[int] | None = None, customer_id: str | None = None) -> list[dict]:
    session = get_session()
    stmt = select(ApiToken, User).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if customer_id is not None:
        stmt = stmt.where(User.customer_id == customer_id)
    if user_ids is not None:
        stmt = stmt.where(User.id.in_(user_ids))
    return [{"id": t.id, "name": t.name, "prefix": t.prefix, "user": u.name, "role": u.role,
             "customer": u.customer_id, "created_at": t.created_at, "last_used_at": t.last_used_at,
             "revoked_at": t.revoked_at} for t, u in session.execute(stmt)]


def revoke_token(token_id: int, customer_id: str | None = None) -> None:
    def visible(token: ApiToken) -> bool:  # another customer's token answers like one that does not exist
        return customer_id is None or get_session().get(User, token.user_id).customer_id == customer_id

    with unit_of_work():
        token = get_or_404(ApiToken, token_id, "token", "token", visible)
        token.revoked_at = token.revoked_at or utcnow()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    # Same algorithm and cost as a stored password hash, of a password nobody knows.
    return generate_password_hash(secrets.token_urlsafe(24))


def check_password(email: str, password: str) -> Principal | None:
    """The active user with this email and password, or None. An unknown email, a user
    without a password or a deactivated one costs the same hash computation as a wrong
    password, so the response time does not tell which emails exist."""
    user = get_session().scalar(select(User).where(User.email == email, User.active.is_(True)))
    if user is None or not user.password_hash:
        check_password_hash(_decoy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return Principal(user.id, user.name, user.role, user.customer_id, user.locale)


def check_new_password(password: str, field: str = "new_password") -> None:
    low, high = PASSWORD_LENGTH
    if not low <= len(password) <= high:
        raise DomainError(field, f"must be {low} to {high} characters long")


def change_password(user_id: int, current_password: str, new_password: str, client_address: str | None,
                    keep_session_hash: str | None = None) -> None:
    """Self-service: the current password is required (and wrong ones count towards the
    sign-in limits). Every other browser session of the user ends and its API tokens are
    revoked at once: a password change is what a user does after a suspected compromise,
    and a token created by whoever knew the old password must not outlive it."""
    user = get_or_404(User, user_id, "user", "user", lambda u: u.active)
    key = sign_in_limits.account_key(user.email, user.id)
    sign_in_limits.check("current_password", key, client_address)
    if not user.password_hash or not check_password_hash(user.password_hash, current_password):
        sign_in_limits.failed(key, client_address)
        raise DomainError("current_password", "the current password is wrong")
    check_new_password(new_password)
    if new_password == current_password:
        raise DomainError("new_password", "must differ from the current password")
    with unit_of_work() as s:
        user.password_hash = generate_password_hash(new_password)
        _revoke_tokens(s, user.id)
        _end_sessions(s, user.id, keep_session_hash)


def set_locale(user_id: int, locale: str | None) -> None:
    """The user's own language for pages and PDFs; None follows the browser again."""
    if locale is not None and locale not in i18n.LOCALES.values():
        raise DomainError("locale", f"must be one of {', '.join(sorted(i18n.LOCALES.values()))} or empty")
    with unit_of_work():
        get_or_404(User, user_id, "user", "user", lambda u: u.active).locale = locale


def set_active(viewer: Principal, user_id: int, active: bool) -> User:
    """Deactivating a user ends its browser sessions and revokes its API tokens in the same
    transaction; activating it again brings neither back."""
    authorize(viewer, "user.manage")
    by_user_id = viewer.user_id
    with unit_of_work() as session:
        user = get_or_404(User, user_id, "user", "user")
        if not active and user_id == by_user_id:
            raise Conflict("user", "you cannot deactivate your own account")
        user.active = active
        if not active:
            _revoke_tokens(session, user_id)
            _end_sessions(session, user_id)
    return user


def _revoke_tokens(session: Session, user_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def _end_sessions(session: Session, user_id: int, keep_session_hash: str | None = None) -> None:
    stmt = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if keep_session_hash is not None:
        stmt = stmt.where(WebSession.token_hash != keep_session_hash)
    session.execute(stmt.values(revoked_at=utcnow()))


def list_users() -> list[User]:
    return list(get_session().scalars(select(User).order_by(User.id)))


def _check_role(role: str, customer_id: str | None) -> None:
    if role not in ROLES:
        raise DomainError("role", f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role == "customer" and not customer_id:
        raise DomainError("customer", "a customer user must be bound to a customer")
    if role != "customer" and customer_id:
        raise DomainError("customer", f"role {role} is not bound to a customer")


# ---------------------------------------------------------------- as a caller may see it

def users_for(viewer: Caller) -> list[User]:
    authorize(viewer, "user.manage")
    return list_users()


def tokens_for(viewer: Caller, customer_id: str | None = None) -> list[dict]:
    """API tokens (never their secrets): a customer user sees its own customer's only."""
    own = authorize(viewer, "token.read", customer_id)
    return list_tokens(customer_id=own or customer_id)


def create_own_token(principal, name: str) -> tuple[ApiToken, str]:
    """A customer user's token for its ERP: it acts as that user (same customer, same role)."""
    authorize(principal, "token.create")
    return issue_token(principal.user_id, name)


def revoke_token_for(viewer: Caller, token_id: int, customer_id: str | None = None) -> None:
    """Revoke a token; a customer user only its own customer's (others: 404, like unknown)."""
    own = authorize(viewer, "token.revoke", customer_id, field="token", what="token")
    revoke_token(token_id, own or customer_id)
