"""Versioned emission-factor sets loaded from YAML or CSV files.

A factor set is data, not code: the shipped default lives in
``lca/data/factors/circ-default-2026.1.yaml`` and an operator can load its own
file as a new version.  Each factor carries its source and an uncertainty
range (low <= value <= high); the calculator propagates those ranges.

The content hash covers every factor field but not the version label, so two
files with identical numbers and sources hash the same whatever they are
called, and any edit to a number or a citation changes the hash.
Reading the two file formats lives in factor_files.py.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from .errors import FactorFileError
from .factor_files import (  # noqa: F401  (CSV_COLUMNS re-exported: the export column order)
    CSV_COLUMNS,
    Records,
    bool_field,
    num_field,
    read_csv,
    read_yaml,
    text_field,
)
from .units import unit_problem

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FACTOR_FILE = DATA_DIR / "factors" / "circ-default-2026.1.yaml"


@dataclass(frozen=True)
class Source:
    """Where a factor comes from: enough for a reader to look it up."""

    publisher: str
    document: str
    table: str
    year: int


@dataclass(frozen=True)
class Factor:
    id: str
    category: str
    value: float
    unit: str
    low: float
    high: float
    region: str
    source: Source
    assumption: bool = False  # True when the value or band is ours, not the source's
    note: str = ""


@dataclass(frozen=True)
class FactorSet:
    version: str
    content_hash: str
    factors: Mapping[str, Factor]
    path: str = ""
    extends: str = ""

    def __getitem__(self, factor_id: str) -> Factor:
        return self.factors[factor_id]

    def __contains__(self, factor_id: object) -> bool:
        return factor_id in self.factors

    def ids(self) -> list[str]:
        return sorted(self.factors)


def _content_hash(factors: Mapping[str, Factor]) -> str:
    rows = []
    for fid in sorted(factors):
        f = factors[fid]
        rows.append(
            [
                f.id,
                f.category,
                repr(float(f.value)),
                f.unit,
                repr(float(f.low)),
                repr(float(f.high)),
                f.region,
                f.source.publisher,
                f.source.document,
                f.source.table,
                f.source.year,
                f.assumption,
                f.note,
            ]
        )
    blob = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _build_factor(rec: Mapping[str, Any], where: str, problems: list[str]) -> Factor | None:
    """Validate one record (flat mapping using CSV column names)."""
    start = len(problems)
    fid = text_field(rec.get("id"), "id", where, problems)
    if fid:
        where = f"{where} (id {fid!r})"
    category = text_field(rec.get("category"), "category", where, problems)
    unit = text_field(rec.get("unit"), "unit", where, problems)
    if category and unit:
        issue = unit_problem(category, unit)
        if issue:
            problems.append(f"{where}, field 'unit': {issue}")
    value = num_field(rec.get("value"), "value", where, problems)
    low = num_field(rec.get("low"), "low", where, problems)
    high = num_field(rec.get("high"), "high", where, problems)
    # Emission factors here are burdens (cut-off approach, no recycling
    # credits), so a negative number is always a data-entry error.
    for name, num in (("value", value), ("low", low), ("high", high)):
        if num is not None and num < 0:
            problems.append(f"{where}, field {name!r}: negative value {num} not allowed")
    if value is not None and low is not None and low > value:
        problems.append(f"{where}, field 'low': low {low} > value {value}")
    if value is not None and high is not None and high < value:
        problems.append(f"{where}, field 'high': high {high} < value {value}")
    region = text_field(rec.get("region"), "region", where, problems)
    publisher = text_field(rec.get("publisher"), "publisher", where, problems)
    document = text_field(rec.get("document"), "document", where, problems)
    table = text_field(rec.get("table"), "table", where, problems, required=False)
    year_num = num_field(rec.get("year"), "year", where, problems)
    year = 0
    if year_num is not None:
        if year_num != int(year_num) or not 1900 <= year_num <= 2100:
            problems.append(f"{where}, field 'year': expected a year, got {rec.get('year')!r}")
        year = int(year_num)
    assumption = bool_field(rec.get("assumption"), "assumption", where, problems)
    note = text_field(rec.get("note"), "note", where, problems, required=False)
    if len(problems) > start:
        return None
    return Factor(
        id=fid,
        category=category,
        value=float(value),
        unit=unit,
        low=float(low),
        high=float(high),
        region=region,
        source=Source(publisher=publisher, document=document, table=table, year=year),
        assumption=assumption,
        note=note,
    )


def _assemble(path: str, version: str, extends: str, records: Records, problems: list[str]) -> FactorSet:
    factors: dict[str, Factor] = {}
    seen_where: dict[str, str] = {}
    for where, rec in records:
        factor = _build_factor(rec, where, problems)
        if factor is None:
            continue
        if factor.id in seen_where:
            problems.append(f"{where} (id {factor.id!r}), field 'id': duplicate of {seen_where[factor.id]}")
            continue
        seen_where[factor.id] = where
        factors[factor.id] = factor
    if extends:
        base = default_factor_set()
        if extends != base.version:
            problems.append(f"file header, field 'extends': unknown base version {extends!r} (only {base.version!r} is built in)")
        else:
            merged = dict(base.factors)
            merged.update(factors)
            factors = merged
    if not factors and not problems:
        problems.append("file contains no factors")
    if problems:
        raise FactorFileError(path, problems)
    frozen = MappingProxyType(dict(sorted(factors.items())))
    return FactorSet(version=version, content_hash=_content_hash(frozen), factors=frozen, path=path, extends=extends)


def load_factor_set(path: str | os.PathLike[str]) -> FactorSet:
    """Load and validate a factor set from a ``.yaml``/``.yml`` or ``.csv`` file.

    Raises FactorFileError listing every problem (row, factor id, field).
    A file may declare ``extends: circ-default-2026.1`` to override only some
    factors of the built-in set; the result is still a new version with its
    own hash.
    """
    p = Path(path)
    if not p.is_file():
        raise FactorFileError(str(p), ["file not found"])
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        version, extends, records, problems = read_yaml(p)
    elif suffix == ".csv":
        version, extends, records, problems = read_csv(p)
    else:
        raise FactorFileError(str(p), [f"unsupported file type {suffix!r} (use .yaml, .yml or .csv)"])
    return _assemble(str(p), version, extends, records, problems)


@lru_cache(maxsize=1)
def default_factor_set() -> FactorSet:
    """The shipped factor set (cached; FactorSet is immutable)."""
    return load_factor_set(DEFAULT_FACTOR_FILE)


def factor_rows(factor_set: FactorSet) -> Iterable[dict[str, Any]]:
    """Flat rows (CSV column order) -- for export, docs and tests."""
    for fid in factor_set.ids():
        f = factor_set[fid]
        yield {
            "id": f.id,
            "category": f.category,
            "value": f.value,
            "unit": f.unit,
            "low": f.low,
            "high": f.high,
            "region": f.region,
            "publisher": f.source.publisher,
            "document": f.source.document,
            "table": f.source.table,
            "year": f.source.year,
            "assumption": f.assumption,
            "note": f.note,
        }
