"""Where a meeting was and who hosted it: the place a clause names, the city of a country, a visit's host."""

from __future__ import annotations

import re
import string
from functools import cache

from kg.extract import clauses as cl
from kg.extract.meeting_merge import Candidate, country_of
from kg.link import gazetteer, place_ref
from kg.model import Article, EntityIndex, EntityRef, Mention, Place

#: "the Abu Dhabi talks", "the Busan summit": a city naming the meeting word after it
_NAMING = re.compile(r"\s+(?:[A-Z][\w-]*\s+)?$")


@cache
def _visited() -> re.Pattern[str]:
    """"visiting the White House", "visited Tokyo": the object of a visit verb is where the visit was."""
    return re.compile(r"(?:" + cl.cues().visit_verbs.pattern + r")\s+(?:the\s+)?$", re.I)


@cache
def _topic() -> re.Pattern[str]:
    """"talks on a corridor passing through Armenia": a place inside what was talked about is not where."""
    c = cl.cues()
    return re.compile(r"(?:" + c.topic_openers.pattern + r")\s+(?:a|an|the|their|its|his|her)\s+"
                      r"(?!(?:[\w-]+\s+)?(?:" + c.not_topics.pattern + r"))", re.I)


def location(text: str, mentions: list[Mention], trig_pos: int) -> EntityRef | None:
    # not "delegations from Jordan", "arrived from Hanoi": where someone came from
    places = [m for m in mentions if m.ref.kind in ("place", "country") and cl.is_location(text, m)
              and cl.preceding_word(text, m.span.start) != "from"
              and (m.ref.kind == "place" or cl.preceding_word(text, m.span.start) != "to")]
    places += [m for m in mentions if m.ref.kind == "place" and m not in places and (
        _visited().search(text, max(0, m.span.start - 20), m.span.start)
        or (m.span.end < trig_pos and _NAMING.fullmatch(text, m.span.end, trig_pos)))]
    # from just before the trigger: "discussions on a bilateral treaty ... through X" (the trigger inside the topic)
    places = [m for m in places
              if m.span.start < trig_pos or not _topic().search(text, max(0, trig_pos - 12), m.span.start)]
    if not places:
        return None
    cities = [m for m in places if m.ref.kind == "place"]
    pool = cities or places
    return min(pool, key=lambda m: abs(m.span.start - trig_pos)).ref


TRAVEL = re.compile(r"visit|trip|tour|travel|arriv|head", re.I)


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

    # a meeting held in that country, in an article that names one city of it: it was there (a plan to visit
    # a country says no more than the country); a dateline city, "LONDON (AFP) -", says where the story was
    # filed, not where the meeting was
    here = cities([x for x in index.within(c.sentence.start, c.sentence.end) if _placing(text, x)])
    anywhere = here or (cities([x for x in index.mentions if cl.is_location(text, x)]) if c.status == "held" else set())
    return anywhere.pop() if len(anywhere) == 1 else loc


def _placing(text: str, m: Mention) -> bool:
    """A city of the meeting's sentence that says where something happened: governed by "in", "at", ... or
    naming what follows ("the Istanbul agreements"); not a dateline ("LONDON (AFP) -", "Tokyo:"), which says
    where a story was filed. Elsewhere in the article only a city governed by a preposition counts."""
    return cl.is_location(text, m) or bool(_ATTRIBUTIVE.match(text, m.span.end))


_ATTRIBUTIVE = re.compile(r" (?:[A-Z][\w-]* )?[a-z]")


def on_trip(c: Candidate, cands: list[Candidate], index: EntityIndex) -> EntityRef | None:
    """A held meeting told without a place, between a leader on a trip and a leader of the country visited,
    was where the trip went ("Lee's trip to Tokyo" ... "Lee and Ishiba held a summit on Saturday")."""
    countries = {country_of(p, index) for p in c.parties} - {None}
    for trip in cands:
        if trip is c or not trip.travel or trip.location is None or trip.status != c.status:
            continue
        where = trip.location.key if trip.location.kind == "country" else (
            index.places[trip.location.key].country if trip.location.key in index.places else None)
        visitors = {p for p in trip.parties if p.kind == "leader"} & set(c.parties)
        if where in countries and visitors and all(country_of(p, index) != where for p in visitors):
            return trip.location
    return None


#: "met ... here on Friday" in a story filed from a city: the meeting was in that city
_HERE = re.compile(r"\bhere\b(?!\s+(?:is|are|was|were|to|and)\b)(?![’'])", re.I)
#: a city opening a line, before its dateline's comma, date, "(Agency)" or dash ("KUALA LUMPUR, July 11")
_FILED = re.compile(r"(?:^|\n)[ \t]*([A-Z][A-Za-z .'’-]{1,40}?)\s*(?:,|\(|[-–—]\s)")


def here(c: Candidate, article: Article, index: EntityIndex) -> EntityRef | None:
    """The dateline's city, for a meeting its sentence says was "here"."""
    if not _HERE.search(c.sentence.text):
        return None
    filed = [article.dateline] if article.dateline else []
    filed += [m.group(1) for m in _FILED.finditer(article.text, 0, c.sentence.end)]
    for name in filed:
        ref = place_ref(string.capwords(name))
        if ref is not None:
            entry = gazetteer().places[ref.key]
            index.places.setdefault(ref.key, Place(entry.key, entry.label, entry.iso or None))
            return ref
    return None
