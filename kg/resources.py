"""Where the ontology, shapes, stored queries and gazetteers live.

In a source checkout (or editable install) they are the top-level folders; in a
wheel they are packaged under ``kg/_resources``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """``ontology``, ``shapes`` or ``queries``."""
    for candidate in (_PKG.parent / name, _PKG / "_resources" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"resource folder {name!r} not found next to the kg package")


def data_dir() -> Path:
    """Gazetteers (countries, demonyms, titles, triggers, organisations) shipped with the package."""
    return _PKG / "data"


def ontology_file() -> Path:
    return resource_dir("ontology") / "diplomacy.ttl"
