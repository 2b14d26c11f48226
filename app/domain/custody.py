"""A customer's own custody periods within an asset's history (pure).

A customer may read the history of an asset it holds, but only what happened while the
asset was its own: from the scan that made it the holder (an issue or a transfer to it,
a find at its site) through the scan that ended its custody (a collection, a transfer
away, a loss), over every such period. Other holders' scans, and the depot's work
between periods, are not its business.

`holders[i]` is the customer accountable for the asset after scan i (in physical order),
as recorded by the custody moves that balances and statements are built from; so what a
customer sees of a history agrees with its statement.

`CustodyKind` names why a customer's balance changed by one asset, and its sign.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class CustodyKind(StrEnum):
    """Why a customer's balance changed by one asset. The values are stored
    (custody_moves.kind) and are the columns of a statement, in this order."""

    ISSUED = "issued"  # issued to it at a depot
    TRANSFER_IN = "transfer_in"  # passed on to it by another customer
    FOUND = "found"  # a lost asset turned up at its site
    RETURNED = "returned"  # collected from it or received back at a depot
    TRANSFER_OUT = "transfer_out"  # it passed the asset on to another customer
    LOST = "lost"  # lost, scrapped or recycled while it held the asset

    @property
    def sign(self) -> int:
        """+1: the asset came into the customer's custody; -1: it left."""
        return 1 if self in _INTO_CUSTODY else -1


_INTO_CUSTODY = frozenset({CustodyKind.ISSUED, CustodyKind.TRANSFER_IN, CustodyKind.FOUND})


def holders_after(moves_by_event: Sequence[Iterable[tuple[str, int]]]) -> list[str | None]:
    """The holder after each scan, from each scan's custody moves ((customer, +1/-1), ...)."""
    holder: str | None = None
    out = []
    for moves in moves_by_event:
        moves = list(moves)
        gained = [c for c, delta in moves if delta > 0]
        if gained:
            holder = gained[-1]
        elif any(delta < 0 for _c, delta in moves):
            holder = None
        out.append(holder)
    return out


def visible_events(holders: Sequence[str | None], customer: str) -> list[bool]:
    """For each scan: whether it lies in one of `customer`'s custody periods.

    A scan belongs to a period when the customer holds the asset after it (the scan that
    made it the holder, and every scan during its custody) or held it just before (the
    scan that ended its custody)."""
    out = []
    before: str | None = None
    for after in holders:
        out.append(after == customer or before == customer)
        before = after
    return out


def custody_periods(holders: Sequence[str | None], customer: str) -> list[tuple[int, int | None]]:
    """(index of the scan that began it, index of the scan that ended it or None) per period."""
    periods: list[tuple[int, int | None]] = []
    start: int | None = None
    for i, after in enumerate(holders):
        if after == customer and start is None:
            start = i
        elif after != customer and start is not None:
            periods.append((start, i))
            start = None
    if start is not None:
        periods.append((start, None))
    return periods


@dataclass(frozen=True)
class TripShare:
    """What part of a trip (issue -> customers -> return) was one customer's."""

    involved: bool  # held the asset on this trip
    first: bool  # the trip was issued to it: the opening and outbound leg are its own
    last: bool  # it held the asset when the trip ended: the collection and return are its own
    sole: bool  # nobody else held the asset on this trip: every leg and distance is its own


def trip_share(leg_customers: Sequence[str], customer: str) -> TripShare:
    """`leg_customers`: the holders of a trip's legs in order (see app.domain.trips)."""
    if customer not in leg_customers:
        return TripShare(False, False, False, False)
    return TripShare(True, leg_customers[0] == customer, leg_customers[-1] == customer,
                     all(c == customer for c in leg_customers))
