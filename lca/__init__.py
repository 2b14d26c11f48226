"""Avoided-emissions calculator for reusable packaging (pure Python).

Cradle-to-grave comparison, per ISO 14067, of a reusable packaging trip with
the single-use packaging it replaces, reported as avoided emissions in the
sense of the WBCSD Guidance on Avoided Emissions (2023).  Method and sources:
docs/lca-methodology.md.
"""

from .calc import (
    AggregateResult,
    ProfileAggregate,
    Result,
    Totals,
    TripInput,
    TripResult,
    aggregate_totals,
    aggregate_trips,
    per_trip,
    sum_trips,
)
from .errors import FactorFileError, InputError, LcaError, ProfileError
from .factors import Factor, FactorSet, Source, default_factor_set, load_factor_set
from .model import CalcOptions, effective_trips, life_trips
from .profiles import PackagingProfile, ProfileSet, default_profiles, load_profiles

DEFAULT_FACTOR_SET_VERSION = "circ-default-2026.1"

__all__ = [
    "AggregateResult",
    "CalcOptions",
    "DEFAULT_FACTOR_SET_VERSION",
    "Factor",
    "FactorFileError",
    "FactorSet",
    "InputError",
    "LcaError",
    "PackagingProfile",
    "ProfileAggregate",
    "ProfileError",
    "ProfileSet",
    "Result",
    "Source",
    "Totals",
    "TripInput",
    "TripResult",
    "aggregate_totals",
    "aggregate_trips",
    "default_factor_set",
    "default_profiles",
    "effective_trips",
    "life_trips",
    "load_factor_set",
    "load_profiles",
    "per_trip",
    "sum_trips",
]
