"""Find every leader, country, organisation and place mentioned in an article.

Candidates come from the gazetteers (names, aliases, demonyms, known leaders)
and from titles ("French President Emmanuel Macron", "Mark Rutte, NATO's
secretary general", "the Prime Minister of India, Narendra Modi"); the longest
candidate wins where they overlap, so "French" inside a leader's phrase is not
also a country. ``coref.py`` then ties surnames, bare titles ("the British
prime minister") and anaphors ("the coalition") to what was named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.acting import acting_countries
from kg.extract.coref import resolve
from kg.extract.names import patterns, read_name, read_name_before
from kg.link import ANY_ROLE, NOT_A_LEADER, fold, gazetteer
from kg.model import Article, Country, EntityIndex, EntityRef, Leader, Mention, Organization, Place, Span


@dataclass
class Cand:
    start: int
    end: int
    kind: str  # leader | country | org | place | block | title-ref | anaphor
    key: str = ""
    via: str = "name"
    prio: int = 5  # lower wins between candidates of the same length
    name: str | None = None
    country: str | None = None
    org: str | None = None
    role: str | None = None
    role_text: str | None = None
    former: bool = False


_ADJECTIVES = re.compile(
    r"(?:\b(?:new|caretaker|interim|acting|incoming|outgoing|current|then|newly[ \t]+elected|"
    r"long-serving|veteran|top|former)[ \t]+)+$",
    re.I,
)
_FORMER = re.compile(r"(?:\bformer[ \t]+|\bex-)(?:[\w.\-]+[ \t]+){0,3}$", re.I)
_DET = re.compile(r"\b(?:the|The)[ \t]+$")
_OF = re.compile(r"[ \t]+of[ \t]+(?:the[ \t]+)?")


def _norm(surface: str) -> str:
    return " ".join(surface.split())


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
    lower_orgs = {k.lower(): v for k, v in g.org_names.items()}
    out: list[Cand] = []
    for m in pats["country"].finditer(text):
        iso, via, strict = g.country_names[_norm(m.group())]
        if not (strict and _next_to_name(text, m.start(), m.end())):
            out.append(Cand(m.start(), m.end(), "country", iso, via, prio=3))
    for m in pats["org"].finditer(text):
        surface = _norm(m.group())
        key = g.org_names.get(surface) or lower_orgs[surface.lower()]
        out.append(
            Cand(m.start(), m.end(), "org", key, "name" if surface == g.orgs[key].label else "alias", prio=2)
        )
    for m in pats["place"].finditer(text):
        key, strict = g.place_names[_norm(m.group())]
        if not (strict and _next_to_name(text, m.start(), m.end())):
            out.append(Cand(m.start(), m.end(), "place", key, prio=4))
    for m in pats["leader"].finditer(text):
        entry = g.leaders[g.leader_names[fold(m.group())]]
        kind = "block" if entry.role == NOT_A_LEADER else "leader"
        via = "surname" if " " not in m.group().strip() else "name"
        former = bool(_FORMER.search(text[max(0, m.start() - 40) : m.start()]))
        out.append(
            Cand(
                m.start(),
                m.end(),
                "block" if former else kind,
                entry.key,
                via,
                prio=1,
                name=_norm(m.group()),
                former=former,
            )
        )
    for m in pats["anaphor"].finditer(text):
        out.append(Cand(m.start(), m.end(), "anaphor", _norm(m.group()).lower(), "alias", prio=6))
    return out


def _modifier(text: str, ts: int, ends: dict[int, Cand]) -> tuple[Cand | None, int, bool, bool]:
    """What precedes a title: (country/org modifier, phrase start, former?, determiner?)."""
    s = ts
    adj = _ADJECTIVES.search(text, max(0, s - 60), s)
    former = bool(adj and re.search(r"\b(?:former|then)\b", adj.group(), re.I))
    if adj:
        s = adj.start()
    p = s
    while p > 0 and text[p - 1] in " \t":
        p -= 1
    possessive = text[p - 2 : p] in ("'s", "’s")
    mod = ends.get(p - 2 if possessive else p)
    start = mod.start if mod and p < s else s
    if mod is None or p == s:
        mod = None
        start = s
    left = text[max(0, start - 30) : start]
    former = former or bool(re.search(r"(?:\b(?:former|then)[ \t]+|\bex-|\bthen-)$", left, re.I))
    det = bool(_DET.search(left))
    return mod, start, former, det or (mod is not None and (possessive or mod.via == "demonym"))


def _title_cands(text: str, found: list[Cand]) -> list[Cand]:
    g = gazetteer()
    ends = {c.end: c for c in found if c.kind in ("country", "org")}
    starts = {c.start: c for c in found if c.kind in ("country", "org")}
    out: list[Cand] = []
    for m in patterns()["title"].finditer(text):
        title = g.titles[_norm(m.group()).lower()]
        ts, te = m.span()
        mod, start, former, referring = _modifier(text, ts, ends)
        country = mod.key if mod and mod.kind == "country" else None
        org = mod.key if mod and mod.kind == "org" else None
        end, span = te, read_name(text, te)
        of = _OF.match(text, te)
        if span is None and of and of.end() in starts:  # "the Prime Minister of India, Narendra Modi"
            target = starts[of.end()]
            country, org = (target.key, None) if target.kind == "country" else (None, target.key)
            end = target.end
            comma = 1 if text[end : end + 1] == "," else 0
            span = read_name(text, end + comma)
        elif span:
            of = _OF.match(text, span[1])
            if of and of.end() in starts and starts[of.end()].kind == "country" and not country:
                country, end = starts[of.end()].key, starts[of.end()].end  # "President Zelenskyy of Ukraine"
        role = g.orgs[org].head_role if org and title.heads_org else title.role
        if span and title.role != ANY_ROLE:
            name = text[span[0] : span[1]]
            kind = "block" if title.role == NOT_A_LEADER or former else "leader"
            first = start if kind == "leader" else ts
            out.append(
                Cand(
                    first,
                    max(end, span[1]),
                    kind,
                    via="name",
                    prio=0,
                    name=name,
                    country=country,
                    org=org,
                    role=role,
                    role_text=_norm(m.group()),
                    former=former,
                )
            )
        elif span is None and title.role != NOT_A_LEADER and not former:
            appos = re.search(r",[ \t]*(?:the[ \t]+|a[ \t]+)?$", text[max(0, start - 10) : start])
            before = read_name_before(text, start - len(appos.group())) if appos else None
            if before:
                out.append(
                    Cand(
                        before[0],
                        before[1],
                        "leader",
                        via="name",
                        prio=0,
                        name=text[before[0] : before[1]],
                        country=country,
                        org=org,
                        role=role,
                        role_text=_norm(m.group()),
                    )
                )
            elif referring:
                det = _DET.search(text, max(0, start - 10), start)
                out.append(
                    Cand(
                        det.start() if det else start,
                        end,
                        "title-ref",
                        via="title",
                        prio=0,
                        country=country,
                        org=org,
                        role=None if title.role == ANY_ROLE else role,
                        role_text=_norm(m.group()),
                    )
                )
    return out


def _select(cands: list[Cand]) -> list[Cand]:
    """Non-overlapping candidates, longest first."""
    taken: list[tuple[int, int]] = []
    chosen: list[Cand] = []
    for c in sorted(cands, key=lambda c: (c.start - c.end, c.prio, c.start)):
        if all(c.end <= s or c.start >= e for s, e in taken):
            taken.append((c.start, c.end))
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def find_entities(article: Article) -> EntityIndex:
    text = article.text
    g = gazetteer()
    found = _gazetteer_cands(text)
    found += _title_cands(text, found)
    chosen = _select(resolve(text, found))
    index = EntityIndex()
    _register(index, chosen, text)
    place_country = {k: p.country for k, p in index.places.items() if p.country}
    index.acting = acting_countries(text, index.mentions, place_country)
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
            index.places.setdefault(entry.key, Place(entry.key, entry.label, entry.iso))
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
