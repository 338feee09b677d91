"""Leaders named with a title: "French President Emmanuel Macron", "Mark Rutte, NATO's secretary
general", "the Prime Minister of India, Narendra Modi", "his Congolese counterpart, Jane Doe".

What stands before a title decides whose office it is and whether its holder counts: a country or
organisation (also across portfolio words, "Canadian Industry Minister"), "former" and other cues
of a past officeholder (``kg/data/former_cues.tsv``), a deputy's office. What follows decides the
name: cut at the end of the excerpt, at a place's name ("the King Faisal Center"), or after a listed
leader's name in a Title Case headline ("Trump Pulls Chair"). Titles whose holders speak for a
country also make it act, named or not ("the U.S. envoy", "the president of Iran").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.datafiles import read_tsv
from kg.extract.names import (
    headline_case,
    institution_words,
    known_prefix,
    names_a_place,
    patterns,
    read_name,
    read_name_before,
)
from kg.link import ANY_ROLE, NOT_A_LEADER, PEER_ROLE, gazetteer, known_leader


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
    acts: bool = False  # an official whose country acts ("the U.S. envoy", "the president of Iran")



_ADJECTIVES = re.compile(
    r"(?:\b(?:new|caretaker|interim|acting|incoming|outgoing|current|then|newly[ \t]+elected|"
    r"long-serving|veteran|top|former)[ \t]+)+$",
    re.I,
)
_DET = re.compile(r"(?:\b(?:the|The|his|His|her|Her|its|Its|their|Their)|['’]s)[ \t]+$")
_DEPUTY = {"Deputy", "Vice", "Assistant", "Under", "Junior", "Associate"}
_PORTFOLIO_WORD = re.compile(r"(?:[A-Z][\w\-]*|\([A-Z][A-Za-z.]{1,7}\))[ \t]+$")
_OFFICE_WORD = re.compile(r"(?:[A-Z][\w\-]*|and|&)[ \t]+$")
_OFFICES = {"pm", "minister", "premier", "president", "secretary", "chancellor"}
_AND = re.compile(r"[ \t]+(?:and|&)[ \t]+$")
_PAREN = re.compile(r"[ \t]*\(([^()\n]{2,40})\)")
_AFTER_NAME = re.compile(r"[,.;:)!?]|$|[ \t]+(?:said|says|told|who|and|has|had|was|is|will|would|also)\b")


@cache
def former_cue(gap: int) -> re.Pattern[str]:
    """A past officeholder's cue up to ``gap`` words before a title or name ("former", "removal of")."""
    cues = sorted((r["cue"] for r in read_tsv("former_cues.tsv")), key=len, reverse=True)
    alt = "|".join(r"[ \t]+".join(map(re.escape, c.split())) for c in cues)
    words = rf"(?:(?!and\b)[\w.\-]+[ \t]+){{0,{gap}}}"
    then = rf"\bthen[ \t-](?:(?-i:[A-Z])[\w.\-]*[ \t]+){{0,{gap}}}"  # "then-President", not "then met"
    return re.compile(rf"(?:(?:\b(?:{alt})[ \t]+|\bex-){words}|{then})$", re.I)
_OF = re.compile(r"[ \t]+of[ \t]+(?:[Tt]he[ \t]+)?")


def norm(surface: str) -> str:
    return " ".join(surface.split())


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
    if mod is None and p < s:  # "Canadian Industry Minister", "African Union (AU) Chairperson"
        mod, q = _across_portfolio(text, s, ends)
        p = q if mod else p
    start = mod.start if mod and p < s else s
    if mod is None or p == s:
        mod = None
        start = s
    left = text[max(0, start - 50) : start]
    former = former or bool(former_cue(1).search(left))
    det = bool(_DET.search(left))
    return mod, start, former, det or (mod is not None and (possessive or mod.via == "demonym"))


def _across_portfolio(text: str, s: int, ends: dict[int, Cand]) -> tuple[Cand | None, int]:
    """A country or organisation a few capitalised words before ``s`` ("Canadian Industry Minister")."""
    q = s
    for _ in range(3):
        w = _PORTFOLIO_WORD.search(text, max(0, q - 40), q)
        if not w:
            break
        q = w.start()
        r = q
        while r > 0 and text[r - 1] in " \t":
            r -= 1
        if r in ends:
            return ends[r], r
    return None, s


def _deputy(text: str, ts: int) -> bool:
    """Is the title part of a deputy's office ("Deputy International Affairs Minister")?"""
    q = ts
    for _ in range(6):
        w = _OFFICE_WORD.search(text, max(0, q - 40), q)
        if not w or w.group().split()[0].lower() in _OFFICES:  # "Deputy PM and Foreign Minister X": two offices
            return False
        if w.group().split()[0] in _DEPUTY:
            return True
        q = w.start()
    return False


def _comma_name(text: str, te: int) -> tuple[int, int] | None:
    """The name after a title and a comma ("his Congolese counterpart, Jane Doe,"): two words or more."""
    if text[te : te + 1] != ",":
        return None
    span = read_name(text, te + 1)
    if span and " " in text[span[0] : span[1]].strip() and _AFTER_NAME.match(text, span[1]):
        return span
    return None


def _clean_name(text: str, span: tuple[int, int] | None) -> tuple[int, int] | None:
    """Drop a name cut off by the end of the excerpt or made of country words ("India-Pakistan");
    in a Title Case headline, keep only a listed leader's name ("Trump" of "Trump Pulls Chair")."""
    if span is None or span[1] >= len(text.rstrip()) or names_a_place(text, span[1]):
        return None
    name = text[span[0] : span[1]]
    if all(w in gazetteer().country_names for w in re.split(r"[\s\-]+", name) if w):
        return None
    if any(w in institution_words() for w in name.split()[1:]):  # "King Faisal Center"
        return None
    if patterns()["title"].match(text, span[0]):  # "counterpart Lt Gen X": the next title decides
        return None
    if " " in name.strip() and headline_case(text, span[0]):
        known = known_prefix(name)
        if known:
            words = list(re.finditer(r"\S+", name))
            return span[0], span[0] + words[len(known.split()) - 1].end()
    return span


def title_cands(text: str, found: list[Cand]) -> tuple[list[Cand], set[str]]:
    """Leaders (or blocked non-leaders, or title references) from titles, and the countries whose
    officials they name ("the U.S. envoy", "the president of Iran")."""
    g = gazetteer()
    ends = {c.end: c for c in found if c.kind in ("country", "org")}
    starts = {c.start: c for c in found if c.kind in ("country", "org")}
    places = {c.start: g.places[c.key].iso for c in found if c.kind == "place" and g.places[c.key].iso}
    leader_ends = {c.start: c.end for c in found if c.kind == "leader"}
    out: list[Cand] = []
    acting: set[str] = set()
    shared: dict[int, Cand] = {}  # "Pakistan's Deputy PM and Foreign Minister X": both offices are Pakistan's
    for m in patterns()["title"].finditer(text):
        title = g.titles[norm(m.group()).lower()]
        ts, te = m.span()
        if len(m.group()) > 3 and m.group().isupper() and text[te : te + 8].isupper():
            continue  # "PRESIDENT RUTO, HAITI'S PRIME MINISTER CONILLE HOLD TALKS": a headline in capitals
        mod, start, former, referring = _modifier(text, ts, ends)
        joined = _AND.search(text, max(0, ts - 8), ts)
        if mod is None and joined and joined.start() in shared:
            mod = shared[joined.start()]
        if mod is not None:
            shared[te] = mod
        country = mod.key if mod and mod.kind == "country" else None
        org = mod.key if mod and mod.kind == "org" else None
        end, span = te, read_name(text, te)
        if span and leader_ends.get(span[0], 0) > span[1]:  # "Prime Minister Luis Montenegro": a known name goes on
            span = span[0], leader_ends[span[0]]
        if span is None and (referring or title.role == PEER_ROLE):
            span = _comma_name(text, te)
        of = _OF.match(text, te)
        if span is None and of and of.end() in places and title.acts and not former:
            acting.add(places[of.end()])  # "Crown Prince of Abu Dhabi"
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
        span = _clean_name(text, span)
        paren = _PAREN.match(text, span[1]) if span else None
        named = g.country_names.get(paren.group(1).strip()) if paren else None
        if span and paren and named and named[1] != "demonym" and not country and not org:
            country, end = named[0], span[1] + len(paren.group())  # "President Jane Doe (Ruritania)"
        role: str | None = g.orgs[org].head_role if org and title.heads_org else title.role
        if title.role == PEER_ROLE:
            if country is None:
                continue
            role = "minister" if span and not known_leader(text[span[0] : span[1]]) else None
        if country and title.acts and not former:
            acting.add(country)
        if span and title.role != ANY_ROLE:
            name = text[span[0] : span[1]]
            blocked = title.role == NOT_A_LEADER or former or _deputy(text, ts)
            kind = "block" if blocked else "leader"
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
                    role_text=norm(m.group()),
                    former=former,
                    acts=blocked and bool(country) and title.acts and not former,
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
                        role_text=norm(m.group()),
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
                        role_text=norm(m.group()),
                    )
                )
    return out, acting
