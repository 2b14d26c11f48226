"""Who is calling: the principal behind a token or a session, the roles, and how
bearer tokens and session ids are made and stored (hashed).

Everything else in accounts builds on this module; it imports nothing from the package.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

ROLES = ("admin", "depot", "driver", "customer")
TOKEN_PREFIX = "circ_"


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    role: str
    customer_id: str | None
    locale: str | None = None  # the user's language setting; None: the browser's

    @property
    def is_customer(self) -> bool:
        return self.role == "customer"

    @property
    def scope(self) -> str | None:
        """The customer whose data alone this caller may see; None for operator staff."""
        return self.customer_id if self.is_customer else None


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough (no salt/KDF needed,
    # unlike passwords); it lets us look a token up by its hash.
    return hashlib.sha256(token.encode()).hexdigest()
