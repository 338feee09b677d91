"""Load the gazetteers and trigger lists in ``kg/data``.

They are data, not code, so users can extend them: TSV with a header row
(``#`` starts a comment line) or TOML. Set ``KG_DATA_DIR`` to a folder holding
files of the same names to add entries of your own; they extend the shipped ones.
"""

from __future__ import annotations

import csv
import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.resources import data_dir


def _paths(name: str) -> list[Path]:
    paths = [data_dir() / name]
    extra = os.environ.get("KG_DATA_DIR")
    if extra and (Path(extra) / name).is_file():
        paths.append(Path(extra) / name)
    return paths


@cache
def read_tsv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a tab-separated gazetteer as dicts keyed by the header."""
    rows: list[dict[str, str]] = []
    for path in _paths(name):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        for lineno, row in enumerate(reader, start=2):
            if None in row or any(v is None for v in row.values()):
                raise KgError("wrong number of columns", where=path, line=lineno,
                              fix=f"use the columns {', '.join(reader.fieldnames or [])}, tab-separated")
            rows.append({k: (v or "").strip() for k, v in row.items()})
    return tuple(rows)


@cache
def read_toml(name: str) -> dict[str, Any]:
    """A TOML data file; a user file's lists extend the shipped lists key by key."""
    merged: dict[str, Any] = {}
    for path in _paths(name):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise KgError(f"invalid TOML: {exc}", where=path) from exc
        for key, value in data.items():
            if isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = merged[key] + value
            elif isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged
