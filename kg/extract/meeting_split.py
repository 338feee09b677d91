"""One candidate meeting told as several: calls with each of several leaders, a tour of several countries."""

from __future__ import annotations

import re

from kg.extract import clauses as cl
from kg.extract.meeting_merge import Candidate
from kg.extract.meeting_place import location
from kg.extract.meeting_rules import rules
from kg.model import EntityIndex, EntityRef, Mention, unique

#: between a trip word and the first country it goes to, and between the countries of the list
_TO_FIRST = re.compile(r"\s+(?:to\s+)?(?:the\s+)?")
_NEXT_IN_LIST = re.compile(r"\s*(?:,\s*and|,|and)\s+(?:the\s+)?")
_SEPARATE_AFTER = re.compile(r"\bin\s+separate\s+(?:[\w-]+\s+)?(?:meetings|talks|calls|conversations|bilaterals|"
                             r"sessions|audiences)\b", re.I)


def split_with(cand: Candidate, text: str, mentions: list[Mention], pos: int, trigger: str,
                index: EntityIndex) -> list[Candidate]:
    """"phone calls with Trump and Macron", "spoke with X and with Y": one meeting per counterpart;
    "will visit Ghana, Trinidad and Tobago and Argentina": one visit per country."""
    toured = _tour(cand, text, mentions, pos + len(trigger))
    if len(toured) >= 2:
        base = [p for p in cand.parties if p not in toured]
        return [_part(cand, [*base, country], country) for country in toured]
    after = [x for x in mentions if x.span.start > pos and x.ref in cand.parties]
    plural = re.search(r"(?:calls|conversations|contacts|meetings|talks)$", trigger, re.I)
    separate = (plural and re.search(r"\bseparate\s+(?:[\w-]+\s+)?$", text[max(0, pos - 30):pos], re.I)) \
        or _SEPARATE_AFTER.search(text, pos, cand.sentence.end)  # "received A and B in separate meetings"
    withs = _first_of_each([x for x in after if cl.preceding_word(text, x.span.start) == "with"])
    after = _first_of_each(after)
    guests = cand.kind == "visit" and rules().each_guest.match(text, pos + len(trigger) + 1) is not None
    if not (len(withs) >= 2 or ((guests or separate or (plural and cand.kind == "call")) and len(after) >= 2)
            or _each_in_a_place(text, after, cand.sentence.end)):
        return [cand]
    others = withs if len(withs) >= 2 else after
    base = [p for p in cand.parties if p not in {x.ref for x in others}]
    out = []
    for i, x in enumerate(others):
        upto = others[i + 1].span.start if i + 1 < len(others) else cand.sentence.end
        here = [y for y in mentions if x.span.end <= y.span.start < upto]
        loc = None if cand.mode in ("phone", "virtual") else (location(text, here, x.span.end) or cand.location)
        out.append(_part(cand, [*base, x.ref], loc))
    return out


def _each_in_a_place(text: str, after: list[Mention], end: int) -> bool:
    """"met A in Moscow and B in Beijing": each counterpart in a place of its own, two meetings."""
    people = [x for x in after if x.ref.kind in ("leader", "country")]
    if len(people) < 2:
        return False
    bounds = [x.span.start for x in people[1:]] + [end]
    places = []
    for x, upto in zip(people, bounds, strict=True):
        where = re.match(r"\s+in\s+(?:the\s+)?([A-Z][\w'’ -]*?)(?=[\s,.;]|$)", text[x.span.end:upto])
        if where is None:
            return False
        places.append(where.group(1))
    return len(set(places)) == len(places)


def _part(cand: Candidate, parties: list[EntityRef], loc: EntityRef | None) -> Candidate:
    part = Candidate(unique(parties), cand.sentence, cand.kind, cand.mode, cand.status, cand.date,
                     loc, False, cand.weak, cand.caption)
    part.title, part.explicit_mode, part.sidelines, part.split = cand.title, cand.explicit_mode, True, True
    part.travel = cand.travel
    return part


def _tour(cand: Candidate, text: str, mentions: list[Mention], end: int) -> list[EntityRef]:
    """The countries a trip goes to, listed right after its word ("travel to Ghana and Argentina")."""
    if cand.kind != "visit" or not cand.travel:
        return []
    countries: list[EntityRef] = []
    for x in mentions:
        if x.span.start < end or x.ref.kind != "country":
            continue
        if not (_TO_FIRST if not countries else _NEXT_IN_LIST).fullmatch(text, end, x.span.start):
            break
        countries.append(x.ref)
        end = x.span.end
    return countries


def _first_of_each(mentions: list[Mention]) -> list[Mention]:
    """A headline repeated by the page ("... With Trump ... With Trump") names one counterpart once."""
    first: dict[EntityRef, Mention] = {}
    for x in mentions:
        first.setdefault(x.ref, x)
    return list(first.values())
