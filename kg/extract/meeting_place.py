"""Where a meeting was and who hosted it: the place a clause names, the city of a country, a visit's host."""

from __future__ import annotations

import re

from kg.extract import clauses as cl
from kg.extract.meeting_merge import Candidate, country_of
from kg.model import EntityIndex, EntityRef, Mention


def location(text: str, mentions: list[Mention], trig_pos: int) -> EntityRef | None:
    places = [m for m in mentions if m.ref.kind in ("place", "country") and cl.is_location(text, m)
              and (m.ref.kind == "place" or cl.preceding_word(text, m.span.start) != "to")]
    if not places:
        return None
    cities = [m for m in places if m.ref.kind == "place"]
    pool = cities or places
    return min(pool, key=lambda m: abs(m.span.start - trig_pos)).ref


TRAVEL = re.compile(r"visit|trip|travel|arriv", re.I)


def host(loc: EntityRef, parties: list[EntityRef], index: EntityIndex) -> list[EntityRef]:
    """A visit includes its host: the country of the place visited, unless one of its people is there."""
    iso = loc.key if loc.kind == "country" else (index.places[loc.key].country if loc.key in index.places else None)
    if not iso or iso not in index.countries or not parties or any(country_of(p, index) == iso for p in parties):
        return []
    return [EntityRef("country", iso, index.countries[iso].name)]


def city_of(c: Candidate, index: EntityIndex, text: str) -> EntityRef | None:
    """Where a meeting was, made as precise as the article allows.

    A meeting placed in a country was in the one city of that country its sentence names, or else the
    article names ("the Sharm el-Sheikh summit", "a visit to China ... arriving in Tianjin"). A meeting
    held in person with no place of its own was in the one city the article says anything happens in
    ("met in Busan" in the lead, "the two leaders discussed ..." later).
    """
    loc = c.location
    if c.mode in ("phone", "virtual"):
        return loc
    if loc is None:
        venues = {x.ref for x in index.mentions if x.ref.kind == "place" and cl.is_location(text, x)}
        return venues.pop() if c.status == "held" and len(venues) == 1 else None
    if loc.kind != "country":
        return loc

    def cities(mentions: list[Mention]) -> set[EntityRef]:
        return {x.ref for x in mentions if x.ref.kind == "place" and x.ref.key in index.places
                and index.places[x.ref.key].country == loc.key}

    here = cities(index.within(c.sentence.start, c.sentence.end))
    # a meeting held in that country, in an article that names one city of it: it was there (a plan to visit
    # a country says no more than the country)
    anywhere = here or (cities(index.mentions) if c.status == "held" else set())
    return anywhere.pop() if len(anywhere) == 1 else loc
