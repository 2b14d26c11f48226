"""Factor library: shipped data quality and validation of operator files."""

from __future__ import annotations

import csv
import textwrap

import pytest
import yaml

from lca import FactorFileError, default_factor_set, load_factor_set
from lca.factors import CSV_COLUMNS, factor_rows

REQUIRED_COVERAGE = [
    "material.hdpe",
    "material.pp",
    "material.steel_sheet",
    "material.steel_galvanised",
    "material.corrugated_board",
    "material.wood",
    "eol.recycling",
    "eol.incineration.polyolefin",
    "eol.landfill.plastic",
    "eol.landfill.paper",
    "eol.landfill.wood",
    "electricity.cn_grid",
    "electricity.eu27",
    "water.supply",
    "water.treatment",
    "chemical.alkaline_detergent",
]


def write_csv(path, rows, version="op-acme-2026.1", extends=None, header=CSV_COLUMNS):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(f"# version: {version}\n")
        if extends:
            fh.write(f"# extends: {extends}\n")
        w = csv.DictWriter(fh, fieldnames=list(header))
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})


def good_row(**over):
    row = dict(next(r for r in factor_rows(default_factor_set()) if r["id"] == "material.hdpe"))
    row.update(over)
    return row


def test_default_set_version_hash_and_coverage():
    fs = default_factor_set()
    assert fs.version == "circ-default-2026.1"
    assert fs.content_hash.startswith("sha256:") and len(fs.content_hash) == 7 + 64
    for fid in REQUIRED_COVERAGE:
        assert fid in fs, fid
    for cls in ("rigid_7_5_17t", "rigid_gt17t", "artic_gt33t"):
        for kind in ("tkm", "vkm_empty", "vkm_full"):
            assert f"freight.{cls}.{kind}" in fs


def test_every_default_factor_is_sourced_and_banded():
    for f in default_factor_set().factors.values():
        assert f.source.publisher and f.source.document and f.source.year >= 2006, f.id
        assert f.low <= f.value <= f.high, f.id
        assert f.region, f.id
        assert f.note or f.source.table, f.id
        if f.low == f.value == f.high:
            pytest.fail(f"{f.id}: a band of zero width hides uncertainty")


def test_vkm_full_is_above_empty_for_each_truck_class():
    fs = default_factor_set()
    for cls in ("rigid_7_5_17t", "rigid_gt17t", "artic_gt33t"):
        assert fs[f"freight.{cls}.vkm_full"].value > fs[f"freight.{cls}.vkm_empty"].value


def test_yaml_round_trip_and_hash_ignores_version_label(tmp_path):
    fs = default_factor_set()
    doc = yaml.safe_load(open(fs.path, encoding="utf-8"))
    doc["version"] = "op-copy-1"
    p = tmp_path / "copy.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    copy = load_factor_set(p)
    assert copy.version == "op-copy-1"
    assert copy.content_hash == fs.content_hash
    doc["factors"][0]["value"] = doc["factors"][0]["value"] * 1.01
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert load_factor_set(p).content_hash != fs.content_hash


def test_csv_full_set_round_trip(tmp_path):
    fs = default_factor_set()
    p = tmp_path / "full.csv"
    write_csv(p, list(factor_rows(fs)), version="op-full-1")
    loaded = load_factor_set(p)
    assert loaded.version == "op-full-1"
    assert loaded.content_hash == fs.content_hash


def test_csv_extends_overrides_one_factor(tmp_path):
    p = tmp_path / "grid.csv"
    row = next(r for r in factor_rows(default_factor_set()) if r["id"] == "electricity.eu27")
    row.update(value=0.05, low=0.04, high=0.06, publisher="Acme GmbH", document="Green tariff certificate", table="2025", year=2025, note="supplier-specific")
    write_csv(p, [row], version="op-acme-2026.1", extends="circ-default-2026.1")
    fs = load_factor_set(p)
    assert fs.version == "op-acme-2026.1" and fs.extends == "circ-default-2026.1"
    assert fs["electricity.eu27"].value == 0.05
    assert fs["material.hdpe"] == default_factor_set()["material.hdpe"]
    assert fs.content_hash != default_factor_set().content_hash


@pytest.mark.parametrize(
    "override, expected",
    [
        ({"publisher": ""}, "field 'publisher': missing"),
        ({"document": ""}, "field 'document': missing"),
        ({"year": ""}, "field 'year': missing"),
        ({"year": "circa 2020"}, "field 'year': not a number"),
        ({"value": "-1", "low": "-2"}, "field 'value': negative value"),
        ({"low": "3.2"}, "field 'low': low 3.2 > value"),
        ({"high": "3.0"}, "field 'high': high 3.0 < value"),
        ({"unit": "kg CO2e/lb"}, "unknown unit 'kg CO2e/lb'"),
        ({"unit": "kg CO2e/t"}, "divide the value by 1000"),
        ({"category": "magic"}, "unknown category 'magic'"),
        ({"value": "abc"}, "field 'value': not a number"),
        ({"value": "nan"}, "not a finite number"),
        ({"assumption": "maybe"}, "field 'assumption'"),
    ],
)
def test_csv_validation_names_line_id_and_field(tmp_path, override, expected):
    p = tmp_path / "bad.csv"
    write_csv(p, [good_row(id="material.ok"), good_row(**override)])
    with pytest.raises(FactorFileError) as exc:
        load_factor_set(p)
    msg = str(exc.value)
    assert expected in msg
    assert "line 4 (id 'material.hdpe')" in msg  # version line, header, ok row, bad row
    assert "material.ok" not in msg


def test_csv_reports_all_problems_at_once(tmp_path):
    p = tmp_path / "bad.csv"
    write_csv(p, [good_row(id="a", publisher=""), good_row(id="b", low="9")])
    with pytest.raises(FactorFileError) as exc:
        load_factor_set(p)
    assert len(exc.value.problems) == 2


def test_csv_structure_errors(tmp_path):
    p = tmp_path / "noversion.csv"
    p.write_text("id,category\n", encoding="utf-8")
    with pytest.raises(FactorFileError) as exc:
        load_factor_set(p)
    assert "missing '# version: <name>'" in str(exc.value)
    assert "missing column(s)" in str(exc.value)

    p = tmp_path / "dup.csv"
    write_csv(p, [good_row(), good_row()])
    with pytest.raises(FactorFileError, match="duplicate of line 3"):
        load_factor_set(p)

    p = tmp_path / "base.csv"
    write_csv(p, [good_row()], extends="circ-default-1999.1")
    with pytest.raises(FactorFileError, match="unknown base version"):
        load_factor_set(p)


def test_yaml_validation_names_index_and_field(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(
        textwrap.dedent(
            """
            version: op-1
            factors:
              - id: material.x
                category: material
                value: 1.0
                unit: kg CO2e/kg
                low: 0.5
                high: 1.5
                region: EU
                source: {publisher: P, document: D, year: 2024}
              - id: material.y
                category: material
                value: 1.0
                unit: kg CO2e/kg
                low: 0.5
                high: 1.5
                region: EU
                source: {document: D, year: 2024}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(FactorFileError) as exc:
        load_factor_set(p)
    assert "factors[1] (id 'material.y'), field 'publisher': missing" in str(exc.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(FactorFileError, match="file not found"):
        load_factor_set(tmp_path / "nope.yaml")
    p = tmp_path / "f.json"
    p.write_text("{}", encoding="utf-8")
    with pytest.raises(FactorFileError, match="unsupported file type"):
        load_factor_set(p)
    p = tmp_path / "f.yaml"
    p.write_text("version: [unclosed", encoding="utf-8")
    with pytest.raises(FactorFileError, match="not valid YAML"):
        load_factor_set(p)
    p.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(FactorFileError, match="top level"):
        load_factor_set(p)
