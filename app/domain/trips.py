"""Sites as places, trips (issue -> customer(s) -> return to a depot) and custody moves (pure).

A trip records what the LCA needs: which customers held the asset and the distances it
travelled, estimated from site coordinates: outbound (issuing depot -> first customer
site), between customers (transfers) and the empty return (last customer site ->
receiving depot).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from app.domain.custody import CustodyKind
from app.domain.geo import road_km

TRIP_OUTCOMES = ("open", "completed", "cancelled", "lost", "retired", "return_unobserved")


@dataclass(frozen=True)
class SitePoint:
    """Where a scan happened. `customer_id` is set for a customer's site."""

    site_id: str
    kind: str  # "depot" | "customer"
    lat: float
    lon: float
    customer_id: str | None = None


@dataclass(frozen=True)
class TripLeg:
    customer_id: str
    site: SitePoint | None  # None when custody moved without a scan at a customer site
    arrived_at: datetime


@dataclass(frozen=True)
class Trip:
    seq: int  # 1-based number of the trip in the asset's life
    opened_at: datetime
    origin: SitePoint | None  # issuing depot
    legs: tuple[TripLeg, ...] = ()
    closed_at: datetime | None = None
    return_site: SitePoint | None = None
    outcome: str = "open"
    collected_at: datetime | None = None

    @property
    def delivered_at(self) -> datetime | None:
        return next((leg.arrived_at for leg in self.legs if leg.site is not None), None)

    def with_leg(self, leg: TripLeg) -> "Trip":
        if self.legs and self.legs[-1].customer_id == leg.customer_id:
            last = self.legs[-1]
            if last.site is None and leg.site is not None:
                # the delivery scan fixes where and when the issued customer actually got it
                return replace(self, legs=self.legs[:-1] + (replace(last, site=leg.site, arrived_at=leg.arrived_at),))
            if last.site is not None and leg.site is not None and last.site.site_id != leg.site.site_id:
                return replace(self, legs=self.legs + (leg,))
            return self
        return replace(self, legs=self.legs + (leg,))

    def close(self, at: datetime, depot: SitePoint | None, outcome: str) -> "Trip":
        return replace(self, closed_at=at, return_site=depot, outcome=outcome)

    @property
    def customer_ids(self) -> tuple[str, ...]:
        seen: list[str] = []
        for leg in self.legs:
            if leg.customer_id not in seen:
                seen.append(leg.customer_id)
        return tuple(seen)

    @property
    def visited_sites(self) -> tuple[SitePoint, ...]:
        return tuple(leg.site for leg in self.legs if leg.site is not None)

    @property
    def outbound_km(self) -> float:
        sites = self.visited_sites
        return road_km(self.origin, sites[0]) if sites else 0.0

    @property
    def transfer_km(self) -> float:
        sites = self.visited_sites
        return float(round(sum(road_km(a, b) for a, b in zip(sites, sites[1:])), 3))

    @property
    def return_km(self) -> float:
        sites = self.visited_sites
        if not sites or self.return_site is None:
            return 0.0
        return road_km(sites[-1], self.return_site)


@dataclass(frozen=True)
class CustodyMove:
    """A change of a customer's balance by one asset."""

    customer_id: str
    kind: CustodyKind
    occurred_at: datetime

    @property
    def delta(self) -> int:
        """+1 or -1: the kind's sign (stored beside it, custody_moves.delta)."""
        return self.kind.sign
