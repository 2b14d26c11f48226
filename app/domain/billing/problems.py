"""A validation problem names the offending field, so the API can answer 422 with it."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.errors import DomainError


@dataclass(frozen=True)
class Problem:
    field: str  # e.g. "contracts[2].valid_from" or "prices[0].unit_price"
    message: str


def raise_first(problems: Sequence[Problem]) -> None:
    """Raise the first problem as a DomainError (422 naming its field); do nothing if none."""
    if problems:
        raise DomainError(problems[0].field, problems[0].message)
