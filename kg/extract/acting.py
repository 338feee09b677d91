"""Which countries act in an article, beyond those with leaders or in events.

The gold counts a country that speaks or decides through its government or
officials ("Poland has ruled out", "Polish officials said", "the German
government", "Italy will not deploy"), not one that is only the background
("the war in Ukraine", Russia attacking). The cue words are in
``kg/data/acting.toml``.
"""

from __future__ import annotations

import re
from functools import cache

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.model import Mention
from kg.resources import data_dir

_PREPOSITION = re.compile(
    r"\b(?:in|on|to|of|against|from|into|for|with|by|at|over|across|about|toward|towards|"
    r"between|among|than|like|via|inside|within|near)[ \t]+(?:the[ \t]+)?$",
    re.I,
)


def _words(values: list[str]) -> str:
    return "|".join(
        r"[ \t]+".join(map(re.escape, v.split())) for v in sorted(set(values), key=len, reverse=True)
    )


@cache
def cues() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    data = read_toml("acting.toml")
    for key in ("verbs", "auxiliaries", "bodies"):
        if not isinstance(data.get(key), list) or not all(isinstance(v, str) for v in data[key]):
            raise KgError(
                f"{key!r} must be a list of strings",
                where=data_dir() / "acting.toml",
                fix=f'write {key} = ["...", ...]',
            )
    aux = _words(data["auxiliaries"])
    verb = re.compile(rf"(?:['’]s)?[ \t]+(?:(?:{aux})[ \t]+)*(?:{_words(data['verbs'])})\b", re.I)
    body = re.compile(rf"(?:['’]s)?[ \t]+(?:[a-z]+[ \t]+)?(?:{_words(data['bodies'])})\b", re.I)
    source = re.compile(rf"\b(?:{_words(data['bodies'])})[ \t]+(?:from|of)[ \t]+", re.I)
    return verb, body, source


_LIST_GAP = re.compile(r"(?:,[ \t]*|[ \t]+)(?:and[ \t]+|as[ \t]+well[ \t]+as[ \t]+)?(?:the[ \t]+)?")


def _listed(text: str, mentions: list[Mention], pos: int) -> list[Mention]:
    """The mentions forming a list that starts at ``pos`` ("Egypt, Qatar and the United States")."""
    by_start = {m.span.start: m for m in mentions}
    if text.startswith("the ", pos):
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


def acting_countries(text: str, mentions: list[Mention], place_country: dict[str, str]) -> set[str]:
    """ISO codes of the countries (or their capitals, "Warsaw has no plans") that act."""
    verb, body, source = cues()
    out: set[str] = set()
    for cue in source.finditer(text):  # "officials from Egypt, Qatar and the United States"
        out.update(m.ref.key for m in _listed(text, mentions, cue.end()) if m.ref.kind == "country")
    for m in mentions:
        if m.ref.kind == "country":
            iso = m.ref.key
        elif m.ref.kind == "place" and m.ref.key in place_country:
            iso = place_country[m.ref.key]
        else:
            continue
        end = m.span.end
        if body.match(text, end) or (
            m.via != "demonym"
            and verb.match(text, end)
            and not _PREPOSITION.search(text[max(0, m.span.start - 40) : m.span.start])
        ):
            out.add(iso)
    return out
