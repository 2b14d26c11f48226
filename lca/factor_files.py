"""Reading factor files (YAML or CSV) into flat records, and checking field values.

Both readers return ``(version, extends, records, problems)``: each record is
a flat mapping keyed by CSV column name together with where it was found
("factors[3]", "line 12"), and ``problems`` collects every error instead of
stopping at the first, so the operator sees all of them in one go.
Building and validating factors from the records is factors.py's job.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any, Mapping

import yaml

from .errors import FactorFileError

CSV_COLUMNS = (
    "id",
    "category",
    "value",
    "unit",
    "low",
    "high",
    "region",
    "publisher",
    "document",
    "table",
    "year",
    "assumption",
    "note",
)
REQUIRED_CSV_COLUMNS = ("id", "category", "value", "unit", "low", "high", "region", "publisher", "document", "year")

Records = list[tuple[str, Mapping[str, Any]]]


def num_field(raw: Any, field: str, where: str, problems: list[str]) -> float | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        problems.append(f"{where}, field {field!r}: missing")
        return None
    if isinstance(raw, bool):
        problems.append(f"{where}, field {field!r}: not a number ({raw!r})")
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        problems.append(f"{where}, field {field!r}: not a number ({raw!r})")
        return None
    if not math.isfinite(value):
        problems.append(f"{where}, field {field!r}: not a finite number ({raw!r})")
        return None
    return value


def text_field(raw: Any, field: str, where: str, problems: list[str], required: bool = True) -> str:
    text = "" if raw is None else str(raw).strip()
    if required and not text:
        problems.append(f"{where}, field {field!r}: missing")
    return text


def bool_field(raw: Any, field: str, where: str, problems: list[str]) -> bool:
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    problems.append(f"{where}, field {field!r}: expected true/false, got {raw!r}")
    return False


def _flatten_yaml_record(rec: Any) -> Mapping[str, Any]:
    if not isinstance(rec, Mapping):
        return {}
    flat = dict(rec)
    source = flat.pop("source", None)
    if isinstance(source, Mapping):
        for key in ("publisher", "document", "table", "year"):
            flat.setdefault(key, source.get(key))
    return flat


def read_yaml(path: Path) -> tuple[str, str, Records, list[str]]:
    problems: list[str] = []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FactorFileError(str(path), [f"not valid YAML: {exc}"]) from None
    if not isinstance(doc, Mapping):
        raise FactorFileError(str(path), ["top level must be a mapping with 'version' and 'factors'"])
    version = text_field(doc.get("version"), "version", "file header", problems)
    extends = text_field(doc.get("extends"), "extends", "file header", problems, required=False)
    raw = doc.get("factors")
    if not isinstance(raw, list):
        problems.append("file header, field 'factors': must be a list of factors")
        raw = []
    records = []
    for i, rec in enumerate(raw):
        where = f"factors[{i}]"
        if not isinstance(rec, Mapping):
            problems.append(f"{where}: must be a mapping")
            continue
        records.append((where, _flatten_yaml_record(rec)))
    return version, extends, records, problems


def _csv_lines(path: Path) -> tuple[str, str, list[tuple[int, str]]]:
    """Split a CSV factor file into its '# key: value' header and numbered data lines."""
    version = extends = ""
    data_lines: list[tuple[int, str]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, line in enumerate(fh, start=1):
            stripped = line.strip()
            if stripped.startswith("#"):
                key, _, val = stripped.lstrip("#").partition(":")
                key = key.strip().lower()
                if key == "version":
                    version = val.strip()
                elif key == "extends":
                    extends = val.strip()
                continue
            if stripped:
                data_lines.append((lineno, line))
    return version, extends, data_lines


def read_csv(path: Path) -> tuple[str, str, Records, list[str]]:
    problems: list[str] = []
    version, extends, data_lines = _csv_lines(path)
    if not version:
        problems.append("file header: missing '# version: <name>' line")
    if not data_lines:
        problems.append("no header row and no factors")
        return version, extends, [], problems
    reader = csv.reader([line for _, line in data_lines])
    rows = list(reader)
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in header]
    if missing:
        problems.append(f"line {data_lines[0][0]} (header): missing column(s) {', '.join(missing)}")
        return version, extends, [], problems
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        problems.append(f"line {data_lines[0][0]} (header): unknown column(s) {', '.join(unknown)}")
    records = []
    for (lineno, _), row in zip(data_lines[1:], rows[1:]):
        where = f"line {lineno}"
        if len(row) != len(header):
            problems.append(f"{where}: expected {len(header)} fields, found {len(row)}")
            continue
        records.append((where, dict(zip(header, row))))
    return version, extends, records, problems
