"""Find every leader, country, organisation and place mentioned in an article.

Candidates come from the gazetteers (names, aliases, demonyms, known leaders)
and from titles (``titles.py``: "French President Emmanuel Macron", "Mark Rutte,
NATO's secretary general", "the Prime Minister of India, Narendra Modi"); the longest
candidate wins where they overlap, so "French" inside a leader's phrase is not
also a country. ``coref.py`` then ties surnames, bare titles ("the British
prime minister") and anaphors ("the coalition") to what was named.
"""

from __future__ import annotations

import bisect
import itertools
import re

from kg.extract.acting import acting_countries
from kg.extract.cities import world_cities
from kg.extract.coref import resolve
from kg.extract.names import names_a_place, patterns
from kg.extract.title_lists import list_cands
from kg.extract.titles import Cand, former_cue, norm, title_cands
from kg.link import NOT_A_LEADER, fold, gazetteer
from kg.model import Article, Country, EntityIndex, EntityRef, Leader, Mention, Organization, Place, Span

# "X, the politician expected to replace Y as chancellor": not (yet) in office
_NOT_YET = re.compile(
    r",[^.;,]{0,60}\b(?:expected|likely|set|poised|tipped|hoping)[ \t]+to[ \t]+"
    r"(?:become|replace|succeed|take[ \t]+over)\b"
)
#: a capitalised word right before a match that does not open a sentence or a phrase
_GLUED_BEFORE = re.compile(r"(?<![.!?]\s)\b(?!(?:In|On|At|To|From|With|And|For|By|The|Of|A|An)\b)[A-Z][a-z]+[ \t]+\Z")
_PATRONYMIC = re.compile(r"\b(?:bin|ibn|bint|ben)[ \t]+$", re.I)


def _next_to_name(text: str, start: int, end: int) -> bool:
    """Is the match glued to another capitalised word ("Israel Katz", "Michael Jordan")?"""
    after = re.match(r"[ \t]+([A-Z][a-z]+)", text[end : end + 30])
    before = re.search(r"([A-Z][a-z]+)[ \t]+$", text[max(0, start - 30) : start])
    return bool(after) or bool(
        before
        and before.group(1) not in {"In", "On", "At", "To", "From", "With", "And", "For", "By", "The", "Of"}
    )


def _gazetteer_cands(text: str) -> list[Cand]:
    g, pats = gazetteer(), patterns()
    lower_orgs = g.org_names_lower()
    out: list[Cand] = []
    for m in pats["country"].finditer(text):
        iso, via, strict = g.country_names[norm(m.group())]
        if not (strict and _next_to_name(text, m.start(), m.end())):
            out.append(Cand(m.start(), m.end(), "country", iso, via, prio=3))
    for m in pats["org"].finditer(text):
        surface = norm(m.group())
        key = g.org_names.get(surface) or lower_orgs[surface.lower()]
        glued = _GLUED_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
        if surface != g.orgs[key].label and not surface.isupper() and glued:
            continue  # "Israel's National Security Council": an alias inside a longer name is another body
        out.append(
            Cand(m.start(), m.end(), "org", key, "name" if surface == g.orgs[key].label else "alias", prio=2)
        )
    for m in pats["place"].finditer(text):
        key, strict = g.place_names[norm(m.group())]
        if not (strict and _next_to_name(text, m.start(), m.end())):
            out.append(Cand(m.start(), m.end(), "place", key, prio=4))
    for m in pats["leader"].finditer(text):
        if _PATRONYMIC.search(text, max(0, m.start() - 6), m.start()) or names_a_place(text, m.end()):
            continue  # "Khaled bin Mohamed bin Zayed" (the son), "the King Salman Center" (a place)
        entry = g.leaders[g.leader_names[fold(m.group())]]
        kind = "block" if entry.role == NOT_A_LEADER else "leader"
        via = "surname" if " " not in m.group().strip() else "name"
        former = bool(former_cue(3).search(text[max(0, m.start() - 50) : m.start()])) or bool(
            _NOT_YET.match(text, m.end())
        )
        if kind == "block" and entry.country and not former:
            # "Zelensky met Vance": a listed official who is no leader stands for the country served
            out.append(Cand(m.start(), m.end(), "country", entry.country, "official", prio=1, name=norm(m.group())))
            continue
        out.append(
            Cand(
                m.start(),
                m.end(),
                "block" if former else kind,
                entry.key,
                via,
                prio=1,
                name=norm(m.group()),
                former=former,
            )
        )
    for m in pats["anaphor"].finditer(text):
        out.append(Cand(m.start(), m.end(), "anaphor", norm(m.group()).lower(), "alias", prio=6))
    named = frozenset(c.key for c in out if c.kind == "country") | frozenset(
        home for c in out if c.kind == "leader" and (home := g.leaders[c.key].country))
    return out + world_cities(text, named, [(c.start, c.end) for c in out])




def _select(cands: list[Cand]) -> list[Cand]:
    """Non-overlapping candidates, longest first.

    The spans taken are kept sorted and disjoint, so each test is a binary search
    (linear-logarithmic in the mentions, not quadratic, on a long page)."""
    starts: list[int] = []  # sorted starts of the disjoint spans taken
    ends: list[int] = []  # their ends, in the same order
    chosen: list[Cand] = []
    for c in sorted(cands, key=lambda c: (c.start - c.end, c.prio, c.start)):
        i = bisect.bisect_right(starts, c.start)
        if (i and ends[i - 1] > c.start) or (i < len(starts) and starts[i] < c.end):
            continue  # overlaps the span taken before it or the one after it
        starts.insert(i, c.start)
        ends.insert(i, c.end)
        chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


#: a hyphen between two capitalised words: "Trump-Putin summit", "US-China talks", "EU-Japan"
_COMPOUND = re.compile(r"(?<![\w.'’-])([A-Z][\w.'’]*)-(?=([A-Z][\w'’]*)(?![\w'’]))")


#: what a pair of countries or organisations names when it is a meeting ("US-China trade talks"), not a
#: relationship or a war ("India-China relations", "the Russia-Ukraine war")
_MEETING_NOUN = re.compile(r"(?:[-–][A-Z][\w'’]*)*\s+(?:[a-z]+\s+)?"
                           r"(?:talks|summit|meeting|negotiations|consultations)\b")


def _split_compounds(text: str) -> str:
    """``text`` with the hyphen of "Trump-Putin" or "US-China talks" read as the dash of "US–China" (the
    same length, so spans still index the article): each side is a name of its own. Only where both sides
    are leaders' names, or countries' or organisations' names before a meeting word; "Guinea-Bissau",
    "Jean-Noël" and "Franco-German" stay one word."""
    if "-" not in text:
        return text
    g = gazetteer()
    hyphens = []
    for m in _COMPOUND.finditer(text):
        left, right = m.group(1).rstrip("."), m.group(2)
        leaders = fold(left) in g.leader_names and fold(right) in g.leader_names
        named = all(w in g.country_names or w in g.org_names for w in (left, right))
        if leaders or (named and _MEETING_NOUN.match(text, m.end() + len(right))):
            hyphens.append(m.end() - 1)
    if not hyphens:
        return text
    chars = list(text)
    for at in hyphens:
        chars[at] = "–"
    return "".join(chars)


def find_entities(article: Article) -> EntityIndex:
    text = article.text
    scan = _split_compounds(text)
    g = gazetteer()
    found = _gazetteer_cands(scan)
    titled, officials = title_cands(scan, found)
    chosen = _select(resolve(scan, found + titled + list_cands(scan, found)))
    index = EntityIndex()
    _register(index, chosen, text)
    place_country = {k: p.country for k, p in index.places.items() if p.country}
    index.acting = acting_countries(scan, index.mentions, place_country) | officials
    for iso in index.acting:
        index.countries.setdefault(iso, Country(iso, g.countries[iso]))
    return index


def _register(index: EntityIndex, chosen: list[Cand], text: str) -> None:
    g = gazetteer()
    by_key: dict[str, list[Cand]] = {}
    for c in chosen:
        if c.kind == "leader":
            by_key.setdefault(c.key, []).append(c)
    for key, cands in by_key.items():
        index.leaders[key] = _leader(key, cands)
    for c in chosen:
        if c.kind == "leader":
            lead = index.leaders[c.key]
            ref = EntityRef("leader", c.key, (g.leaders[c.key].label if c.key in g.leaders else lead.name))
        elif c.kind == "country":
            ref = EntityRef("country", c.key, g.countries[c.key])
        elif c.kind == "org":
            ref = EntityRef("org", c.key, g.orgs[c.key].label)
        elif c.kind == "place":
            ref = EntityRef("place", c.key, g.places[c.key].label)
        else:
            continue
        index.mentions.append(Mention(Span(c.start, c.end), ref, text[c.start : c.end], c.via))
    for m in index.mentions:
        if m.ref.kind == "country":
            index.countries.setdefault(m.ref.key, Country(m.ref.key, m.ref.label))
        elif m.ref.kind == "org":
            index.organizations.setdefault(m.ref.key, Organization(m.ref.key, m.ref.label))
        elif m.ref.kind == "place":
            entry = g.places[m.ref.key]
            index.places.setdefault(entry.key, Place(entry.key, entry.label, entry.iso or None))
    _listed_with(index, text)
    for lead in index.leaders.values():
        if lead.country:
            index.countries.setdefault(lead.country, Country(lead.country, g.countries[lead.country]))
        if lead.organization:
            index.organizations.setdefault(
                lead.organization, Organization(lead.organization, g.orgs[lead.organization].label)
            )
    for place in index.places.values():
        if place.country:
            index.countries.setdefault(place.country, Country(place.country, g.countries[place.country]))


def _leader(key: str, cands: list[Cand]) -> Leader:
    """One leader from all its mentions: the fullest name, the first stated role, country and organisation."""
    from kg.link import strip_honorifics

    g = gazetteer()
    known = g.leaders.get(key)
    named = [c for c in cands if c.name]
    names = [strip_honorifics(c.name or "") for c in named]
    name = max(names, key=lambda n: (len(n.split()), len(n))) if names else (known.label if known else key)
    titled = [c for c in cands if c.role]
    best = next(
        (c for c in titled if c.name and strip_honorifics(c.name) == name), titled[0] if titled else None
    )
    role = best.role if best else (known.role if known else None)
    country = next((c.country for c in cands if c.country), None)
    org = next((c.org for c in cands if c.org), None)
    if known and not country and not org:
        country, org = known.country, known.org
    if org and not country and known and known.org == org:
        country = None
    return Leader(
        key=key,
        name=name,
        role=role,
        role_text=best.role_text if best else None,
        country=country,
        organization=org,
        aliases={n for n in names if n != name},
    )


#: between two names listed together, with the second one's title: ", and Finance Minister "
_LISTED = re.compile(r"(?:\s*,\s*|\s+and\s+|\s*,\s+and\s+)(?:[A-Z][\w'’.-]*\s+){0,4}")


def _listed_with(index: EntityIndex, text: str) -> None:
    """"Foreign Minister Ishaq Dar and Finance Minister Muhammad Aurangzeb": a minister the text gives no
    country, listed with one it does, serves the same government (two holders of one office do not)."""
    leaders = [m for m in index.mentions if m.ref.kind == "leader"]
    for a, b in itertools.pairwise(leaders):
        if not _LISTED.fullmatch(text, a.span.end, b.span.start):
            continue
        first, second = index.leaders[a.ref.key], index.leaders[b.ref.key]
        if first.role == second.role and first.role != "minister":
            continue  # "Presidents A and B of Chile": one office, two countries
        for lead, other in ((first, second), (second, first)):
            if lead.country is None and lead.organization is None and other.country:
                lead.country = other.country
