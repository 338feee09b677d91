"""Which countries act in an article, beyond those with leaders or in events.

The gold counts a country that speaks or decides through its government or
officials ("Poland has ruled out", "Polish officials said", "the German
government", "Italy will not deploy"), gives ("€300 million from Germany",
"provided by the United States") or is where a meeting takes place ("talks in
Geneva", "a visit to Japan", "the Abu Dhabi talks"); not one that is only the
background ("the war in Ukraine", Russia attacking). Every country of a list
acts with it ("France and Poland are opposed", "Qatari and Egyptian
mediators"). The cue words are in ``kg/data/acting.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.lookahead import alternation, with_lookahead
from kg.model import Mention
from kg.resources import data_dir

_PREPOSITION = re.compile(
    r"\b(?:in|on|to|of|against|from|into|for|with|by|at|over|across|about|toward|towards|"
    r"between|among|than|like|via|inside|within|near)[ \t]+(?:the[ \t]+)?$",
    re.I,
)
_KEYS = (
    "verbs", "auxiliaries", "bodies", "agents", "sources", "meeting_words", "heading_words", "not_venue", "event_nouns"
)
_AMOUNT = (
    r"(?:[$€£¥][ \t]?\d[\d.,]*|\d[\d.,]*[ \t]*(?:euros?|dollars?|pounds?))"
    r"(?:[ \t]*(?:million|billion|trillion|bn|mn|m)\b)?(?:[ \t]+(?:euros?|dollars?|pounds?))?"
)


def _words(values: list[str]) -> str:
    """The phrases, longest first, grouped by first letter for the regex engine (``kg/lookahead.py``)."""
    return alternation([r"[ \t]+".join(map(re.escape, v.split())) for v in sorted(set(values), key=len, reverse=True)],
                       re.I)


@dataclass(frozen=True)
class Cues:
    verb: re.Pattern[str]  # right after a country: "has ruled out"
    body: re.Pattern[str]  # right after a country: "officials", "'s government"
    source: re.Pattern[str]  # right before a list: "officials from", "provided by", "€5 million from"
    venue: re.Pattern[str]  # right before a country or city: "talks in", "a visit to"
    event: re.Pattern[str]  # right after a city: "talks", "Conference"


@cache
def cues() -> Cues:
    data = read_toml("acting.toml")
    for key in _KEYS:
        if not isinstance(data.get(key), list) or not all(isinstance(v, str) for v in data[key]):
            raise KgError(
                f"{key!r} must be a list of strings",
                where=data_dir() / "acting.toml",
                fix=f'write {key} = ["...", ...]',
            )
    aux = _words(data["auxiliaries"])
    nouns = _words(data["bodies"] + data["sources"])
    not_venue = _words(data["not_venue"])
    return Cues(
        verb=re.compile(rf"(?:['’]s)?[ \t]+(?:(?:{aux})[ \t]+)*(?:{_words(data['verbs'])})\b", re.I),
        body=re.compile(rf"(?:['’]s)?[ \t]+(?:[a-z]+[ \t]+)?(?:{_words(data['bodies'])})\b", re.I),
        source=re.compile(with_lookahead(
            rf"(?:\b(?:{nouns}),?[ \t]+(?:from|of|including|such[ \t]+as)|\b(?:{_words(data['agents'])})"
            rf"|{_AMOUNT}[ \t]+from)[ \t]+",
            re.I), re.I,
        ),
        venue=re.compile(with_lookahead(
            rf"\b(?:(?:{_words(data['meeting_words'])})\b(?:[ \t]+(?!(?:{not_venue})\b)[\w’'\-]+){{0,5}}?"
            rf"[ \t]+(?:in|at|to|for)|(?:{_words(data['heading_words'])})[ \t]+(?:for|to))[ \t]+(?:the[ \t]+)?$",
            re.I), re.I,
        ),
        event=re.compile(rf"[ \t]+(?:{_words(data['event_nouns'])})\b"),
    )


_NEGATED = re.compile(r"\b(?:no|not|lack[ \t]+of|absence[ \t]+of|without)[ \t]+$", re.I)
_CLAUSE_START = re.compile(  # what may stand before the subject of a clause, or before a list
    r"(?:^|[.,;:!?\"“(—–\n]|\b(?:and|but|while|as|that|when|after|before|though|although|since|because|"
    r"whereas|if|then|both|Both|Meanwhile|However|said|says|added|noted|warned|announced|confirmed|reported|"
    r"including|such[ \t]+as|like))[ \t]*(?:(?:the|The|both|Both)[ \t]+)?$"
)
_VENUE_END = re.compile(r"\b(?:in|at|to|for)[ \t]+(?:the[ \t]+)?$", re.I)
_LIST_GAP = re.compile(r"(?:,[ \t]*|[ \t]+)(?:and[ \t]+|as[ \t]+well[ \t]+as[ \t]+)?(?:the[ \t]+)?")
_BACK_GAP = re.compile(r"(?:,[ \t]*(?:and[ \t]+)?|[ \t]+(?:and|or)[ \t]+)(?:the[ \t]+)?$")


def _listed(text: str, mentions: list[Mention], pos: int) -> list[Mention]:
    """The mentions forming a list that starts at ``pos`` ("Egypt, Qatar and the United States")."""
    by_start = {m.span.start: m for m in mentions}
    if pos not in by_start and text.startswith("the ", pos):
        pos += 4
    out: list[Mention] = []
    while pos in by_start:
        m = by_start[pos]
        out.append(m)
        gap = _LIST_GAP.match(text, m.span.end)
        if not gap:
            break
        pos = gap.end()
    return out


def _list_before(text: str, by_end: dict[int, Mention], m: Mention) -> list[Mention]:
    """The mentions listed before ``m`` ("France and" in "France and Poland are opposed")."""
    out: list[Mention] = []
    demonym = m.via == "demonym"
    clause = False  # ", and" joining two items may join two clauses: "attacks on Ukraine, and Polish officials"
    while True:
        gap = _BACK_GAP.search(text, max(0, m.span.start - 12), m.span.start)
        prev = by_end.get(gap.start()) if gap else None
        if prev is None or prev.ref.kind not in ("country", "place") or (prev.via == "demonym") != demonym:
            return [] if clause and len(out) == 1 else out
        clause = clause or (gap is not None and not out and "," in gap.group() and "and" in gap.group())
        out.append(prev)
        m = prev


def acting_countries(text: str, mentions: list[Mention], place_country: dict[str, str]) -> set[str]:
    """ISO codes of the countries (or their capitals, "Warsaw has no plans") that act."""
    c = cues()

    def iso(m: Mention) -> str | None:
        if m.ref.kind == "country":
            return m.ref.key
        return place_country.get(m.ref.key) if m.ref.kind == "place" else None

    by_end = {m.span.end: m for m in mentions}
    out: set[str] = set()
    for cue in c.source.finditer(text):  # "officials from Egypt, Qatar and the United States"
        if _NEGATED.search(text, max(0, cue.start() - 20), cue.start()):  # "the lack of contributions from"
            continue
        money = any(ch.isdigit() for ch in cue.group())
        for m in _listed(text, mentions, cue.end()):
            if not (money and text.startswith(("'s", "’s"), m.span.end)):  # "$5bn from Russia's frozen assets"
                out.update(i for i in [iso(m)] if i)
    for m in mentions:
        code = iso(m)
        if code is None:
            continue
        end = m.span.end
        group = [m, *_list_before(text, by_end, m)]
        if c.body.match(text, end):  # "Qatari and Egyptian mediators"
            out.update(i for g in group if (i := iso(g)))
            continue
        if len(group) > 1 and not _CLAUSE_START.search(text, max(0, group[-1].span.start - 30), group[-1].span.start):
            group = [m]  # "Russia attacked Ukraine and Poland said": Ukraine is an object, not a subject
        first = group[-1].span.start
        acts = (
            m.via != "demonym"
            and bool(c.verb.match(text, end) or (len(group) > 1 and c.verb.match(text, end + 1)))
            and text[end : end + 1] in (" ", "\t", ",", "'", "’")
            and not _PREPOSITION.search(text[max(0, first - 40) : first])
        )
        if acts:
            out.update(i for g in group if (i := iso(g)))
        elif (
            _VENUE_END.search(text, max(0, m.span.start - 9), m.span.start)
            and c.venue.search(text, max(0, m.span.start - 90), m.span.start)
        ) or (
            m.ref.kind == "place" and c.event.match(text, end)
        ):
            out.add(code)  # where a meeting takes place
    return out
