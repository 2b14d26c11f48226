"""Unit consistency: each factor's unit matches the role it plays in the model."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest
import yaml

from lca import ProfileError, default_factor_set, default_profiles, load_factor_set, per_trip
from lca.profiles import check_profile, load_profiles, required_factors
from lca.units import CATEGORY_UNITS, unit_problem


def test_every_factor_unit_matches_its_category():
    for f in default_factor_set().factors.values():
        assert unit_problem(f.category, f.unit) is None, f.id
        assert f.unit == CATEGORY_UNITS[f.category]


def test_every_profile_uses_each_factor_in_its_declared_role(profile_ids):
    fs = default_factor_set()
    ps = default_profiles()
    assert sorted(profile_ids) == ps.ids()
    for pid in ps.ids():
        need = required_factors(ps[pid], ps.materials)
        for fid, category in need.items():
            assert fs[fid].category == category, (pid, fid)
            assert fs[fid].unit == CATEGORY_UNITS[category]
        check_profile(ps[pid], ps.materials, fs)


def test_per_tonne_value_is_rejected_where_per_kg_is_expected():
    msg = unit_problem("material", "kg CO2e/t")
    assert "not accepted" in msg and "divide the value by 1000" in msg
    assert "divide the value by 1000" in unit_problem("electricity", "kg CO2e/MWh")
    assert "multiply the value by 1000" in unit_problem("water", "kg CO2e/l")
    assert unit_problem("freight_tkm", "kg CO2e/vkm") is not None
    assert unit_problem("freight_vkm", "kg CO2e/tkm") is not None


def test_factor_in_the_wrong_role_is_rejected_before_calculating(tmp_path):
    # Declare the HDPE id as an electricity factor (a consistent unit for that
    # category): the file loads, but a profile using it as a material fails.
    doc = yaml.safe_load(open(default_factor_set().path, encoding="utf-8"))
    for rec in doc["factors"]:
        if rec["id"] == "material.hdpe":
            rec["category"] = "electricity"
            rec["unit"] = "kg CO2e/kWh"
    doc["version"] = "op-misfiled"
    p = tmp_path / "misfiled.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    fs = load_factor_set(p)
    # The crate does not use HDPE, so it still computes; the IBC does, and fails.
    per_trip("crate-600x400-vs-corrugated", 10, 10, factor_set=fs)
    with pytest.raises(ProfileError, match="uses factor 'material.hdpe' as 'material'.*'electricity'"):
        per_trip("ibc-1000-vs-steel-drums", 10, 10, factor_set=fs)


def test_missing_factor_is_named(tmp_path):
    doc = yaml.safe_load(open(default_factor_set().path, encoding="utf-8"))
    doc["factors"] = [r for r in doc["factors"] if r["id"] != "freight.artic_gt33t.vkm_full"]
    p = tmp_path / "short.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ProfileError, match="needs factor 'freight.artic_gt33t.vkm_full'"):
        per_trip("ibc-1000-vs-steel-drums", 10, 10, factor_set=load_factor_set(p))


def test_profile_file_validation(tmp_path):
    ps = default_profiles()
    doc = yaml.safe_load(open(ps.path, encoding="utf-8"))
    doc["profiles"][0]["reusable"]["materials"][0]["share"] = 0.5
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ProfileError, match="mass shares must sum to 1"):
        load_profiles(p)
    doc = yaml.safe_load(open(ps.path, encoding="utf-8"))
    doc["profiles"][0]["reusable"]["return_logistics"]["truck_class"] = "cargo-bike"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ProfileError, match="unknown truck class 'cargo-bike'"):
        load_profiles(p)
    doc = yaml.safe_load(open(ps.path, encoding="utf-8"))
    doc["profiles"][0]["baseline"]["unit_mass_kg"] = -1
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"baseline, field 'unit_mass_kg': must be > 0"):
        load_profiles(p)


def test_profile_content_hash_tracks_edits(tmp_path):
    ps = default_profiles()
    doc = yaml.safe_load(open(ps.path, encoding="utf-8"))
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert load_profiles(p).content_hash == ps.content_hash
    doc["profiles"][0]["reusable"]["tare_mass_kg"] = 96.0
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert load_profiles(p).content_hash != ps.content_hash


def test_profiles_are_frozen():
    prof = default_profiles()["ibc-1000-vs-steel-drums"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        prof.reusable.tare_mass_kg = 1.0  # type: ignore[misc]
    assert isinstance(default_profiles().profiles, MappingProxyType)
