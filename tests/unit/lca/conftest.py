"""Fixtures shared by the lca tests."""

from __future__ import annotations

import pytest

PROFILE_IDS = (
    "ibc-1000-vs-steel-drums",
    "ibc-1000-vs-composite-ibc",
    "crate-600x400-vs-corrugated",
    "pallet-box-vs-wooden-crate",
)


@pytest.fixture
def profile_ids():
    return PROFILE_IDS
