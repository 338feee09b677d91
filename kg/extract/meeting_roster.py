"""Who attended a gathering: leaders named anywhere after it as attending it.

Real reports name a summit once and its attendees sentences later ("Among the attendees
were ...", "the EU was represented by ...", "... will join via video link", "in attendance
were ..."); each such clause adds its leaders to the gathering, unless it says they stayed
away, and a meeting made only of attendees of that clause is the gathering itself, not a
meeting of its own.
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
from kg.model import Article, EntityIndex

_FILE = "meeting_triggers.toml"
_GATHERINGS = ("summit", "meeting", "talks", "video")
#: organisation kinds (organizations.tsv) that negotiate as one side rather than gather members
_NOT_FORUMS = ("armed-group",)
#: "the Trump administration", "the Modi government": the person's name stands for the country
_BEHALF = re.compile(r"['’]?s?\s+(?:administration|government|cabinet|camp|team|era|presidency)\b", re.I)


@dataclass(frozen=True)
class _Cues:
    attend: re.Pattern[str]
    present: re.Pattern[str]
    absent: re.Pattern[str]


@cache
def _cues() -> _Cues:
    roster = read_toml(_FILE).get("roster", {})
    return _Cues(*(cl.compile_list(roster, k, _FILE) for k in ("attend", "present", "absent")))


def _is_summit(c: Candidate) -> bool:
    """A gathering of an organisation that has members (a forum, bloc, alliance...), not a party's talks."""
    orgs = gazetteer().orgs
    return c.kind in _GATHERINGS and any(
        p.kind == "org" and (p.key not in orgs or orgs[p.key].kind not in _NOT_FORUMS) for p in c.parties)


def _in_person(c: Candidate) -> bool:
    return c.kind in (*_GATHERINGS, "visit") and c.mode not in ("phone", "virtual")


def add_attendees(cands: list[Candidate], article: Article, index: EntityIndex) -> list[Candidate]:
    """Leaders of attendance clauses join the gathering before them (or the one their clause names).

    Any attendance word ("arrived", "took part") points to an organisation's summit; a plain
    statement of presence ("in attendance were", "the delegation comprising") to any meeting in person.
    """
    gatherings = sorted((c for c in cands if _in_person(c)), key=lambda c: c.first)
    if not gatherings:
        return cands
    text, cues = article.text, _cues()
    absorbed: set[int] = set()  # sentence starts whose leaders went to a gathering
    joined: list[Candidate] = []
    gathered: dict[int, Candidate] = {}  # sentence start -> the gathering its attendees joined
    for sent in sentences(article):
        # a summit may be named in the very sentence; another meeting told here is the one attended, not its target
        before = [c for c in gatherings if c.first < sent.start or (c.first == sent.start and _is_summit(c))]
        for clause in cl.split_clauses(sent) if before else ():
            strong = cues.present.search(clause.text)
            if not (strong or cues.attend.search(clause.text)) or cues.absent.search(clause.text):
                continue
            pool = before if strong else [c for c in before if _is_summit(c)]
            mentions = index.within(clause.start, clause.end)
            named = {m.ref for m in mentions if m.ref.kind == "org"}
            summits = [c for c in pool if _is_summit(c)]
            target = next((c for c in reversed(pool) if named & set(c.parties)),
                          summits[-1] if summits else pool[-1] if pool else None)
            leaders = [m.ref for m in mentions if m.ref.kind == "leader" and not cl.is_proxy(text, m)
                       and not _BEHALF.match(text, m.span.end)]
            if target is not None and leaders:
                target.parties += [r for r in dict.fromkeys(leaders) if r not in target.parties]
                absorbed.add(sent.start)
                joined.append(target)
                gathered[sent.start] = target
    members = {p for c in joined for p in c.parties}
    for c in cands:
        if c.split and c.kind == "visit" and c.location is None and c.sentence.start in gathered:
            c.location = gathered[c.sentence.start].location
    # a host's welcome of each arriving guest ("welcoming leaders, including A and B") stays a meeting of its
    # own, held where the gathering the guests arrive for is
    return [c for c in cands if any(c is j for j in joined) or (c.split and c.kind == "visit")
            or not (c.sentence.start in absorbed and set(c.parties) <= members)]
