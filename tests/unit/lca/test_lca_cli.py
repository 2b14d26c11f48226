"""CLI through a real subprocess: output shape, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lca import per_trip

ROOT = Path(__file__).resolve().parents[3]
REQUIRED_KEYS = {"avoided_kg_co2e", "reusable_kg_co2e", "baseline_kg_co2e", "low_kg_co2e", "high_kg_co2e", "breakdown", "factor_set"}


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "lca", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_profiles_json_lists_the_four_defaults():
    p = run("profiles", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    ids = {row["id"] for row in data["profiles"]}
    assert ids == {"ibc-1000-vs-steel-drums", "ibc-1000-vs-composite-ibc", "crate-600x400-vs-corrugated", "pallet-box-vs-wooden-crate"}
    assert data["profiles_version"] == "circ-profiles-2026.1"


def test_per_trip_json_has_the_contract_keys_and_matches_the_library():
    p = run("per-trip", "--profile", "ibc-1000-vs-composite-ibc", "--outbound-km", "320", "--return-km", "150", "--loss-rate", "0.02", "--trips-per-year", "6", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert REQUIRED_KEYS <= set(data)
    assert data["factor_set"] == "circ-default-2026.1"
    assert set(data["breakdown"]) == {"reusable", "baseline"}
    from lca import CalcOptions

    ref = per_trip("ibc-1000-vs-composite-ibc", 320, 150, options=CalcOptions(loss_rate=0.02, trips_per_year=6))
    assert data["avoided_kg_co2e"] == pytest.approx(ref.avoided_kg_co2e, rel=1e-12)
    assert data["low_kg_co2e"] <= data["avoided_kg_co2e"] <= data["high_kg_co2e"]
    assert data["assumptions"]["life_trips"] == 60


def test_return_km_defaults_to_outbound_km():
    a = json.loads(run("per-trip", "--profile", "crate-600x400-vs-corrugated", "--outbound-km", "90", "--json").stdout)
    assert a["inputs"] == {"outbound_km": 90.0, "return_km": 90.0}


def test_table_output_without_json():
    p = run("per-trip", "--profile", "pallet-box-vs-wooden-crate")
    assert p.returncode == 0, p.stderr
    assert "avoided" in p.stdout and "return_transport" in p.stdout and "kg CO2e" in p.stdout
    assert not p.stdout.lstrip().startswith("{")


def test_factors_listing_and_operator_file(tmp_path):
    p = run("factors", "--json")
    assert p.returncode == 0
    assert json.loads(p.stdout)["factor_set"] == "circ-default-2026.1"
    f = tmp_path / "acme.csv"
    f.write_text(
        "# version: op-acme-2026.1\n# extends: circ-default-2026.1\n"
        "id,category,value,unit,low,high,region,publisher,document,table,year\n"
        "electricity.eu27,electricity,0.05,kg CO2e/kWh,0.04,0.06,DE,Acme GmbH,Supplier tariff disclosure,2025,2025\n",
        encoding="utf-8",
    )
    q = run("per-trip", "--profile", "ibc-1000-vs-steel-drums", "--factor-set", str(f), "--json")
    assert q.returncode == 0, q.stderr
    assert json.loads(q.stdout)["factor_set"] == "op-acme-2026.1"


@pytest.mark.parametrize(
    "args, option",
    [
        (["per-trip", "--profile", "no-such-profile"], "--profile"),
        (["per-trip", "--profile", "crate-600x400-vs-corrugated", "--return-km", "-5"], "--return-km"),
        (["per-trip", "--profile", "crate-600x400-vs-corrugated", "--outbound-km", "-1"], "--outbound-km"),
        (["per-trip", "--profile", "crate-600x400-vs-corrugated", "--outbound-km", "abc"], "--outbound-km"),
        (["per-trip", "--profile", "crate-600x400-vs-corrugated", "--loss-rate", "1"], "--loss-rate"),
        (["per-trip", "--profile", "crate-600x400-vs-corrugated", "--loss-rate", "-0.1"], "--loss-rate"),
        (["per-trip", "--profile", "crate-600x400-vs-corrugated", "--trips-per-year", "0"], "--trips-per-year"),
        (["per-trip", "--profile", "crate-600x400-vs-corrugated", "--electricity", "material.pp"], "--electricity"),
        (["per-trip", "--profile", "crate-600x400-vs-corrugated", "--factor-set", "/nonexistent/f.yaml"], "--factor-set"),
    ],
)
def test_bad_input_names_the_option_without_traceback(args, option):
    p = run(*args)
    assert p.returncode != 0
    assert option in p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_bad_factor_file_lists_row_and_field(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        "# version: op-bad\n"
        "id,category,value,unit,low,high,region,publisher,document,table,year\n"
        "material.pp,material,2577.6,kg CO2e/t,2000,3000,GB,,DESNZ 2025,,2025\n",
        encoding="utf-8",
    )
    p = run("per-trip", "--profile", "crate-600x400-vs-corrugated", "--factor-set", str(f), "--json")
    assert p.returncode == 2
    assert "--factor-set" in p.stderr
    assert "line 3 (id 'material.pp'), field 'unit'" in p.stderr and "divide the value by 1000" in p.stderr
    assert "field 'publisher': missing" in p.stderr
    assert "Traceback" not in p.stderr


def test_incomplete_factor_set_is_reported_against_factor_set(tmp_path):
    f = tmp_path / "tiny.csv"
    f.write_text(
        "# version: op-tiny\n"
        "id,category,value,unit,low,high,region,publisher,document,table,year\n"
        "material.pp,material,2.5,kg CO2e/kg,2,3,GB,DESNZ,conversion factors 2025,,2025\n",
        encoding="utf-8",
    )
    p = run("per-trip", "--profile", "crate-600x400-vs-corrugated", "--factor-set", str(f))
    assert p.returncode == 2
    assert "--factor-set" in p.stderr and "needs factor" in p.stderr
    assert "Traceback" not in p.stderr
