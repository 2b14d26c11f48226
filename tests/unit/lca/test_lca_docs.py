"""The method document quotes the versions, hashes and results the code produces."""

from __future__ import annotations

from pathlib import Path

from lca import default_factor_set, default_profiles, per_trip

DOC = Path(__file__).resolve().parents[3] / "docs" / "lca-methodology.md"


def test_doc_quotes_current_hashes_and_versions():
    text = DOC.read_text(encoding="utf-8")
    fs, ps = default_factor_set(), default_profiles()
    assert fs.version in text and fs.content_hash in text
    assert ps.version in text and ps.content_hash in text


def test_doc_worked_examples_match_the_code():
    text = DOC.read_text(encoding="utf-8")
    for pid in ("ibc-1000-vs-steel-drums", "ibc-1000-vs-composite-ibc", "crate-600x400-vs-corrugated", "pallet-box-vs-wooden-crate"):
        r = per_trip(pid, 200.0, 200.0)
        line = f"avoided     {r.avoided_kg_co2e:.4f} kg CO2e  (range {r.low_kg_co2e:.4f} to {r.high_kg_co2e:.4f})"
        assert line in text, pid
