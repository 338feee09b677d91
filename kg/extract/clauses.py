"""Clauses and the cues read from them, shared by the meeting and pledge extractors.

Without a parser we approximate the clause by cutting a sentence at relative and
contrastive connectives (", which", ", while", "; "), which is where news prose
changes its subject; the cue lists live in ``kg/data/event_cues.toml``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.extract.text import Sentence
from kg.lookahead import alternation, with_lookahead
from kg.model import EntityIndex, Mention
from kg.resources import data_dir

CUES_FILE = "event_cues.toml"


def words(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive alternation of word-bounded patterns, longest first."""
    ordered = sorted(patterns, key=len, reverse=True)
    pattern = r"(?<![\w'])" + alternation(ordered, re.I) + r"(?![\w])"
    return re.compile(with_lookahead(pattern, re.I), re.I)


def compile_list(data: dict[str, Any], key: str, name: str) -> re.Pattern[str]:
    """The list ``key`` of a data file as one regex; a clear error naming the file when it is wrong."""
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KgError(f"'{key}' must be a list of strings", where=data_dir() / name,
                      fix=f'write {key} = ["…", "…"]')
    try:
        return words(value)
    except re.error as exc:
        raise KgError(f"bad regular expression in '{key}': {exc}", where=data_dir() / name) from exc


@dataclass(frozen=True)
class Cues:
    breaks: re.Pattern[str]
    pledge_breaks: re.Pattern[str]
    conditional: re.Pattern[str]
    future: re.Pattern[str]
    negation_near: re.Pattern[str]
    negation_clause: re.Pattern[str]
    hypothetical_near: re.Pattern[str]
    actor_nouns: re.Pattern[str]
    proxy_nouns: re.Pattern[str]
    anaphora: re.Pattern[str]
    location_preps: re.Pattern[str]
    topic_preps: re.Pattern[str]
    topic_verbs: re.Pattern[str]
    place_nouns: re.Pattern[str]
    topic_openers: re.Pattern[str]
    not_topics: re.Pattern[str]
    visit_verbs: re.Pattern[str]
    scene_openers: re.Pattern[str]
    conflict_nouns: re.Pattern[str]
    posting_nouns: re.Pattern[str]


def _breaks(data: dict[str, Any], key: str) -> re.Pattern[str]:
    raw = data.get(key)
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise KgError(f"'{key}' must be a list of strings", where=data_dir() / CUES_FILE)
    try:
        return re.compile("|".join(f"(?:{p})" for p in sorted(raw, key=len, reverse=True)))
    except re.error as exc:
        raise KgError(f"bad regular expression in '{key}': {exc}", where=data_dir() / CUES_FILE) from exc


@cache
def cues() -> Cues:
    data = read_toml(CUES_FILE)
    return Cues(
        breaks=_breaks(data, "clause_breaks"),
        pledge_breaks=_breaks(data, "pledge_breaks"),
        conditional=compile_list(data, "conditional", CUES_FILE),
        **{k: compile_list(data, k, CUES_FILE) for k in (
            "future", "negation_near", "negation_clause", "hypothetical_near", "actor_nouns", "proxy_nouns",
            "anaphora", "location_preps", "topic_preps", "topic_verbs", "place_nouns", "topic_openers",
            "not_topics", "visit_verbs", "scene_openers", "conflict_nouns",
            "posting_nouns")},
    )


#: a run of capitalised words and commas: names with their titles, listed ("Industry Minister A, Trade Minister B")
_NAME_LIST = re.compile(r"[\s,]*(?:(?:[A-Z][\w'’.-]*|of|the|for|and)[\s,]+)*[A-Z][\w'’.-]*\s*")


_NAME = r"(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’.-]*"
#: a list running up to ", and": "leaders from Brazil, Argentina, Uruguay, and Paraguay", "his counterparts,
#: Andres Lopez, and Lula" (one item after a comma-ended noun, two after a preposition)
_LISTED_NAME = re.compile(r"(?:\b(?:counterparts?|leaders|ministers|presidents|premiers|heads of state),\s+(?:" + _NAME
                          + r",\s+)*|\b(?:from|of|including|with|between)\s+(?:the\s+)?(?:" + _NAME
                          + r",\s+(?:the\s+)?)+)" + _NAME + r"\Z")


#: a relative clause set off by commas ("A and B, who have traded barbs, held talks"): its closing comma
#: is followed by the main clause's verb
RELATIVE = re.compile(r"\s*,?\s*(?:who|which|whose)\b")
_MAIN_RESUMES = re.compile(r"[^,;.]{1,120}?,\s+(?:also\s+|later\s+|then\s+|on\s+\w+\s+)?(?!and\b|or\b|but\b|while\b|"
                           r"which\b|who\b|whose\b|where\b|when\b|as\b|after\b|before\b|saying\b|adding\b)"
                           r"(?:[a-z]+ed|held|met|spoke|will|would|has|have|had|was|were|is|are|agreed|signed|"
                           r"told|said|flew|began|made|paid|took|gave)\b")


@dataclass(frozen=True)
class Clause:
    start: int  # offsets into Article.text
    end: int
    text: str


def split_clauses(sent: Sentence, breaks: re.Pattern[str] | None = None) -> list[Clause]:
    """The sentence cut at clause breaks; offsets index the article text."""
    cuts, inside = [0], -1  # (the end of a relative clause set off by commas: no break within it)
    for m in (breaks or cues().breaks).finditer(sent.text):
        if m.start() < inside:
            continue
        if m.group().startswith(", and") and (
                _NAME_LIST.fullmatch(sent.text, cuts[-1], m.start())
                or _LISTED_NAME.search(sent.text, max(cuts[-1], m.start() - 160), m.start())):
            continue  # "Industry Minister A, Trade Minister B, and Foreign Minister C met ...": one subject
        if RELATIVE.fullmatch(m.group()) and (resumes := _MAIN_RESUMES.match(sent.text, m.end())):
            inside = sent.text.rindex(",", m.end(), resumes.end())
            continue  # "A and B, who have traded barbs for months, held talks": the subject's clause goes on
        if m.start() > cuts[-1]:
            cuts.append(m.start() + (1 if sent.text[m.start()] in ",;" else 0))
    cuts.append(len(sent.text))
    out = []
    for s, e in itertools.pairwise(cuts):
        if e > s:
            out.append(Clause(sent.start + s, sent.start + e, sent.text[s:e]))
    return out


def clause_at(clauses: list[Clause], pos: int) -> Clause:
    for c in clauses:
        if c.start <= pos < c.end:
            return c
    return clauses[-1]


def preceding_word(text: str, start: int) -> str:
    """The word before ``start`` in ``text``, skipping an article ("in the U.K." -> "in")."""
    before = re.findall(r"[A-Za-z'-]+", text[max(0, start - 40):start])
    while before and before[-1].lower() in ("the", "a", "an"):
        before.pop()
    return before[-1].lower() if before else ""


def following(text: str, end: int, n: int = 40) -> str:
    return text[end:end + n]


def is_location(text: str, m: Mention) -> bool:
    """A mention governed by "in/at/to/from ..." names a place, also through a place noun
    ("in the port city of Tianjin", "at the Qatari capital, Doha")."""
    word = preceding_word(text, m.span.start)
    if bool(word) and bool(cues().location_preps.fullmatch(word)):
        # "ambassador to Washington", "the US Embassy in Lebanon": a post, not where anything happened
        return not _posting().search(text, max(0, m.span.start - 40), m.span.start)
    if m.ref.kind not in ("place", "country"):
        return False
    before = text[max(0, m.span.start - 70):m.span.start]
    return bool(_via_place_noun().search(before) or (m.ref.kind == "place" and _via_venue().search(before)))


@cache
def _posting() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + cues().posting_nouns.pattern + r")\s+(?:to|in|at)\s+(?:the\s+)?$", re.I)


@cache
def _via_place_noun() -> re.Pattern[str]:
    """"in the (northern port) city of", "at Oman's capital," right before a name."""
    c = cues()
    return re.compile(r"(?:" + c.location_preps.pattern + r")\s+(?:the|a|an|[A-Z][\w.-]*['’]s)\s+"
                      r"(?:[\w'’-]+\s+){0,3}?(?:" + c.place_nouns.pattern + r")(?:\s+of\s+|,\s*|\s+)$", re.I)


@cache
def _via_venue() -> re.Pattern[str]:
    """"at State House, Nairobi", "at the Great Hall of the People, Beijing": a named venue, then its city."""
    return re.compile(r"(?:" + cues().location_preps.pattern + r")\s+(?:the\s+)?(?-i:[A-Z][\w'’.-]*)"
                      r"(?:\s+(?:of\s+the\s+|of\s+)?(?-i:[A-Z][\w'’.-]*)){0,4},\s*$", re.I)


_CRISIS_AFTER = re.compile(r"(?:['’]s)?\s+(?:crisis|crises|war|conflict|situation|question|issue)\b")


def is_topic(text: str, m: Mention) -> bool:
    """"talks on Ukraine", "a force for Ukraine", "U.K.-led": the country is talked about, not taking part."""
    if re.match(r"-(?:led|backed|proposed|brokered|based|made|funded)\b", text[m.span.end:m.span.end + 12]):
        return True
    if _CRISIS_AFTER.match(text, m.span.end):
        return True  # "as Haiti crisis deepens", "the Ukraine war": what is happening, not who meets
    before = text[max(0, m.span.start - 40):m.span.start]
    return bool(re.search(r"(?:" + cues().topic_preps.pattern + r")\s+(?:the\s+)?$", before)) or is_discussed(text, m)


def conflict_side(text: str, m: Mention) -> str | None:
    """"a ceasefire between Israel and Hamas" ("between"), "the war against Ukraine", "the peace process with
    X" ("object"): a side of a conflict or process a meeting is about (talks "between X and Y" or "with X" are
    still theirs); None for any other mention."""
    found = _between_conflict().search(text[max(0, m.span.start - 70):m.span.start])
    return None if found is None else "object" if found.group("object") else "between"


@cache
def _between_conflict() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + cues().conflict_nouns.pattern + r")\s+(?:between\s+(?:the\s+)?"
                      r"(?:(?:[A-Z][\w'’.-]*\s+){1,3}?and\s+(?:the\s+)?)?|(?P<object>with|against|on)\s+(?:the\s+)?)$",
                      re.I)


def is_discussed(text: str, m: Mention) -> bool:
    """"discussed Ukraine", "reviewed the coalition's plans": the object of a talking verb is the topic."""
    before = text[max(0, m.span.start - 40):m.span.start]
    return bool(re.search(r"\b(?:" + cues().topic_verbs.pattern + r")\s+(?:the\s+)?$", before, re.I))


def is_possessive(text: str, m: Mention) -> bool:
    return bool(re.match(r"['’]s?\b", text[m.span.end:m.span.end + 2]))


def is_proxy(text: str, m: Mention) -> bool:
    """"Trump's envoy", "Meloni's office", "the Trump administration": the person's country acts, not the person."""
    rest = text[m.span.end:m.span.end + 40]
    if re.match(r"\s+(?:administration|government|cabinet)\b", rest):
        return True
    mm = re.match(r"['’]s?\s+(?:\w+\s+){0,2}?", rest)
    return mm is not None and bool(cues().proxy_nouns.match(rest[mm.end():]))


def acts(text: str, m: Mention, index: EntityIndex) -> bool:
    """A demonym or adjectival country acts only through people: "U.S. officials", "Iran's foreign
    minister", not "U.S. tariffs"."""
    rest = text[m.span.end:m.span.end + 60]
    # skip coordinated mentions: "Ukrainian and U.S. officials"
    later = [x for x in index.mentions if m.span.end <= x.span.start < m.span.end + 60]
    for x in later:
        gap = text[m.span.end:x.span.start]
        if re.fullmatch(r"\s*(?:,|and|, and|or)\s*(?:the\s+)?", gap):
            rest = text[x.span.end:x.span.end + 60]
            break
    return bool(re.match(r"(?:['’]s)?\s+(?:[\w-]+\s+){0,2}?" + cues().actor_nouns.pattern, rest, re.I))


#: "…, and the Danish government will lift its share": a country opening the next clause gives, not gets
_CLAUSE_OPENS = re.compile(r"(?:,|;)\s+(?:and|but|while|whereas)\s+(?:the\s+)?\Z")
_ITS_VERB = re.compile(r"(?:['’]s)?(?:\s+[a-z]+){0,2}?\s+(?:will|would|has|have|had|is|are|was|were|said|says|plans?|"
                       r"pledged|announced|offered|promised)\b")


def opens_next_clause(text: str, x: Mention) -> bool:
    """Is ``x`` the subject of the clause it opens ("…, and the Danish government will …")?"""
    return bool(_CLAUSE_OPENS.search(text, max(0, x.span.start - 16), x.span.start)
                and _ITS_VERB.match(text, x.span.end))


def after_city(text: str, m: Mention, index: EntityIndex) -> bool:
    """"Paris, France", "Baku, Azerbaijan:": a country right after a city only places it."""
    prev = [x for x in index.mentions if m.span.start - 4 < x.span.end <= m.span.start]
    return bool(prev and prev[-1].ref.kind == "place" and re.fullmatch(r",\s*", text[prev[-1].span.end:m.span.start]))


def tense_of(text: str) -> str:
    """"future" when the text plans or promises, else "past"."""
    return "future" if cues().future.search(text) else "past"


_COORD = re.compile(r"\s*(?:,|and|, and|&|as well as|or)?\s*(?:the\s+)?")
#: "X and his Japanese counterpart Y": the counterpart is coordinated with X
_COUNTERPART = re.compile(r"\s*,?\s*and\s+(?:his|her|their|its)\s+(?:[A-Z][\w-]*\s+){0,2}counterparts?,?\s*")


def groups(text: str, mentions: list[Mention], counterparts: bool = False) -> list[list[Mention]]:
    """Runs of coordinated mentions ("France, Germany and the U.K.", with ``counterparts`` also
    "Modi and his Japanese counterpart Ishiba")."""
    out: list[list[Mention]] = []
    for m in mentions:
        if out:
            gap = text[out[-1][-1].span.end:m.span.start]
            if _COORD.fullmatch(gap) or (counterparts and _COUNTERPART.fullmatch(gap)):
                out[-1].append(m)
                continue
        out.append([m])
    return out


def subject_group(text: str, mentions: list[Mention]) -> list[Mention]:
    """The first run of mentions that no preposition governs: the sentence's likely subject.

    A run of places alone is a dateline or a setting ("Tokyo: ..."), not a subject."""
    for g in groups(text, mentions, counterparts=True):
        if all(x.ref.kind == "place" for x in g):
            continue
        word = preceding_word(text, g[0].span.start)
        if not cues().location_preps.fullmatch(word or "-") and word not in (
                "with", "of", "for", "by", "between", "before", "after", "since", "during", "ahead"):
            return g
    return []
