"""Limits on password guessing: failed sign-ins and wrong current passwords are counted
per account and per client address (moving window, app.accounts.auth.FailureLimit). Past either
limit every attempt is refused, right or wrong, until the window slides."""
from __future__ import annotations

from flask import current_app

from app.domain.errors import DomainError


class TooManyAttempts(DomainError):
    status = 429

    def __init__(self, field: str, retry_after_s: int):
        minutes = max(1, -(-retry_after_s // 60))
        self.wait = f"{minutes} minute{'s' if minutes > 1 else ''}"
        super().__init__(field, f"too many failed attempts; try again in {self.wait}")
        self.retry_after_s = retry_after_s


def account_key(email: str | None, user_id: int | None = None) -> str:
    # Unknown emails are counted too, so the answer never tells which accounts exist.
    return (email or "").strip().lower() or f"user-{user_id}"


def check(field: str, account: str, address: str | None) -> None:
    """Raise TooManyAttempts while the account or the address is over its limit."""
    limits = current_app.extensions["login_limits"]
    waits = [limits["account"].retry_after_s(account), limits["address"].retry_after_s(address or "unknown")]
    waits = [w for w in waits if w is not None]
    if waits:
        raise TooManyAttempts(field, max(waits))


def failed(account: str, address: str | None) -> None:
    limits = current_app.extensions["login_limits"]
    limits["account"].hit(account)
    limits["address"].hit(address or "unknown")
