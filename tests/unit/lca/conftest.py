"""Fixtures shared by the lca tests."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from lca.profiles import ProfileSet, default_profiles

PROFILE_IDS = (
    "ibc-1000-vs-steel-drums",
    "ibc-1000-vs-composite-ibc",
    "crate-600x400-vs-corrugated",
    "pallet-box-vs-wooden-crate",
)


def _with_reusable(profile_id: str, **changes) -> ProfileSet:
    ps = default_profiles()
    prof = ps[profile_id]
    new = dataclasses.replace(prof, reusable=dataclasses.replace(prof.reusable, **changes))
    profiles = dict(ps.profiles)
    profiles[profile_id] = new
    return dataclasses.replace(ps, profiles=MappingProxyType(profiles))


@pytest.fixture
def with_reusable():
    """Default profile set with one profile's reusable-asset fields replaced."""
    return _with_reusable


@pytest.fixture
def profile_ids():
    return PROFILE_IDS
