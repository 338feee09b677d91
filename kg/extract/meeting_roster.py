"""Who attended an organisation's summit: leaders named anywhere after it as attending it.

Real reports name a summit once and its attendees sentences later ("Among the attendees
were ...", "the EU was represented by ...", "... will join via video link"); each such clause
adds its leaders to the summit, unless it says they stayed away, and a meeting made only of
attendees of that clause is the summit itself, not a meeting of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.datafiles import read_toml
from kg.extract import clauses as cl
from kg.extract.meeting_merge import Candidate
from kg.extract.text import sentences
from kg.link import gazetteer
from kg.model import Article, EntityIndex, EntityRef

_FILE = "meeting_triggers.toml"
_GATHERINGS = ("summit", "meeting", "talks", "video")
#: organisation kinds (organizations.tsv) that negotiate as one side rather than gather members
_NOT_FORUMS = ("armed-group",)
#: "the Trump administration", "the Modi government": the person's name stands for the country
_BEHALF = re.compile(r"['’]?s?\s+(?:administration|government|cabinet|camp|team|era|presidency)\b", re.I)


@dataclass(frozen=True)
class _Cues:
    attend: re.Pattern[str]
    absent: re.Pattern[str]


@cache
def _cues() -> _Cues:
    roster = read_toml(_FILE).get("roster", {})
    return _Cues(cl.compile_list(roster, "attend", _FILE), cl.compile_list(roster, "absent", _FILE))


def _is_summit(c: Candidate) -> bool:
    """A gathering of an organisation that has members (a forum, bloc, alliance...), not a party's talks."""
    orgs = gazetteer().orgs
    return c.kind in _GATHERINGS and any(
        p.kind == "org" and (p.key not in orgs or orgs[p.key].kind not in _NOT_FORUMS) for p in c.parties)


def add_attendees(cands: list[Candidate], article: Article, index: EntityIndex) -> list[Candidate]:
    """Leaders of attendance clauses join the summit before them (or the one their clause names)."""
    summits = sorted((c for c in cands if _is_summit(c)), key=lambda c: c.sentence.start)
    if not summits:
        return cands
    text, cues = article.text, _cues()
    absorbed: set[int] = set()  # sentence starts whose leaders went to a summit
    for sent in sentences(article):
        before = [s for s in summits if s.sentence.start <= sent.start]
        if not before:
            continue
        for clause in cl.split_clauses(sent):
            if not cues.attend.search(clause.text) or cues.absent.search(clause.text):
                continue
            mentions = index.within(clause.start, clause.end)
            named = {m.ref for m in mentions if m.ref.kind == "org"}
            target = next((s for s in reversed(before) if named & set(s.parties)), before[-1])
            leaders = [m.ref for m in mentions if m.ref.kind == "leader" and not cl.is_proxy(text, m)
                       and not _BEHALF.match(text, m.span.end)]
            if leaders:
                target.parties += [r for r in dict.fromkeys(leaders) if r not in target.parties]
                absorbed.add(sent.start)
    return [c for c in cands if _is_summit(c) or not _only_attendees(c, summits, absorbed)]


def _only_attendees(c: Candidate, summits: list[Candidate], absorbed: set[int]) -> bool:
    if c.sentence.start not in absorbed:
        return False
    members: set[EntityRef] = set()
    for s in summits:
        members.update(s.parties)
    return set(c.parties) <= members
