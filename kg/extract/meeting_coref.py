"""Who a meeting word's unnamed parties are: "the two leaders", "the four foreign ministers", a call
whose speaker the sentence leaves to the one before."""

from __future__ import annotations

import re
from functools import cache

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.extract import clauses as cl
from kg.extract.meeting_merge import Candidate, country_of
from kg.extract.text import Sentence
from kg.model import EntityIndex, EntityRef, Mention, unique
from kg.resources import data_dir


@cache
def _sizes() -> dict[str, int]:
    raw = read_toml(cl.CUES_FILE).get("group_sizes", {})
    if not isinstance(raw, dict) or not all(isinstance(v, int) for v in raw.values()):
        raise KgError("'group_sizes' must be a table of number words", where=data_dir() / cl.CUES_FILE,
                      fix="write group_sizes = { three = 3, four = 4 }")
    return {str(k).lower(): int(v) for k, v in raw.items()}


def _counted_group(phrase: str, prev: list[Candidate], index: EntityIndex, before: int) -> list[EntityRef]:
    """"The four foreign ministers met": the four leaders of the previous meeting, or else the four
    leaders named last (the previous meeting named their countries, the next sentence the ministers)."""
    m = re.search(r"\b[Tt]he (\w+)", phrase)
    n = _sizes().get(m.group(1).lower(), 0) if m else 0
    if n == 0:
        return []
    last = next((c for c in reversed(prev) if len(c.parties) >= 2), None)
    if last is not None and sum(p.kind == "leader" for p in last.parties) == n:
        return []
    leaders: list[EntityRef] = []
    for x in reversed([x for x in index.mentions if x.span.end <= before and x.ref.kind == "leader"]):
        if x.ref not in leaders:
            leaders.append(x.ref)
        if len(leaders) == n:
            return leaders[::-1]
    return []


def anaphora_parties(prev: list[Candidate], index: EntityIndex, before: int, phrase: str = "") -> list[EntityRef]:
    prev = [c for c in prev if not c.setting]  # "the two leaders": not a summit named only as a setting
    counted = _counted_group(phrase, prev, index, before)
    if counted:
        return counted
    for c in reversed(prev):
        if len(c.parties) >= 2:
            return list(c.parties)
    leaders: list[EntityRef] = []
    for m in reversed([m for m in index.mentions if m.span.end <= before and m.ref.kind == "leader"]):
        if m.ref not in leaders:
            leaders.append(m.ref)
        if len(leaders) == 2:
            break
    return leaders


def unnamed_speaker(parties: list[EntityRef], sent: Sentence, mentions: list[Mention],
                    index: EntityIndex) -> list[EntityRef]:
    """"In a phone call with Trump in June, ...": a sentence that opens on the meeting and names only the
    counterpart leaves its speaker to the sentence before, the leader named last (the one the text is about)."""
    named = set(parties)
    if len(named) != 1 or parties[0].kind != "leader" or any(
            x.ref.kind in ("leader", "country", "org") and x.ref not in named for x in mentions):
        return []
    if not cl.cues().scene_openers.match(sent.text):
        return []
    lead = [x.ref for x in index.mentions if x.ref.kind == "leader" and x.span.end <= sent.start
            and x.ref not in named]
    return lead[-1:]


#: "Following talks with X, Y said": the sentence opens (after any dateline) on its meeting
_OPENING = r"(?:^|[—–]\s*|\s-\s+)"  # a sentence's start, or a dateline's dash
_FRONTED = re.compile(_OPENING + r"(?:[Aa]fter|[Ff]ollowing|[Dd]uring)\s+(?:(?:a|an|the|his|her|their)\s+)?"
                      r"(?:[\w-]+\s+){0,2}$")

#: "Meeting X in Warsaw on Monday, Y said": the sentence opens on the meeting itself, as a participle
_OPENS = re.compile(_OPENING + "$")
_PARTICIPLE = re.compile(_OPENING + r"[A-Z][a-z]+ing\s+(?:[\w-]+\s+){0,2}$")  # "Speaking by phone with"


def fronted_subject(text: str, sent: Sentence, pos: int, mentions: list[Mention]) -> list[EntityRef]:
    """"Following talks with X in Tokyo on Monday, Y said ...": the meeting a sentence opens on is held by
    the subject of the clause after it, even one that only speaks there (a speaker is otherwise no party)."""
    head = text[sent.start:pos]  # (a slice, so that ^ is where the sentence starts)
    if not (_FRONTED.search(head) or _PARTICIPLE.search(head)
            or (_OPENS.search(head) and re.match(r"[A-Z][a-z]+ing\b", text[pos:pos + 20]))):
        return []
    comma = text.find(",", pos, sent.end)
    subject = next((x for x in mentions if x.span.start > comma), None) if comma >= 0 else None
    if subject is None or subject.ref.kind not in ("leader", "country", "org") \
            or not re.fullmatch(r",\s*(?:the\s+)?", text[comma:subject.span.start]):
        return []
    return [subject.ref]


def sides_of_last_talks(out: list[Candidate], index: EntityIndex, bilateral: bool) -> list[EntityRef]:
    """The countries and organisations of the last meeting told as held: who goes on talking ("bilateral"
    talks: its first two sides, not a host or mediator named after them)."""
    last = next((k for k in reversed(out) if k.status == "held" and len(k.parties) >= 2), None)
    sides: list[EntityRef] = []
    for p in last.parties if last else []:
        iso = country_of(p, index)
        if p.kind == "org" or p.kind == "country":
            sides.append(p)
        elif iso and iso in index.countries:
            sides.append(EntityRef("country", iso, index.countries[iso].name))
    sides = unique(sides)
    return sides[:2] if bilateral else sides


def antecedent(text: str, clause_start: int, mentions: list[Mention]) -> list[Mention]:
    """The leader a relative clause ("…, who met X") tells of: the one named right before its comma."""
    if not cl.RELATIVE.match(text, clause_start):
        return []
    return [x for x in mentions if x.ref.kind == "leader" and x.span.end <= clause_start
            and not text[x.span.end:clause_start].strip(", ")][-1:]
