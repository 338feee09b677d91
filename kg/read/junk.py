"""Telling article text from site furniture in plain-text page dumps.

Two kinds of evidence, both general rather than per-site: marker lines listed in
``kg/data/boilerplate.toml`` (users extend it), and the shape of what follows an
article on news pages - a bare time stamp ("10:55 AM") opening a feed, and
related headlines (a short line without final punctuation, often followed by a
one-sentence teaser) after the last paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.datafiles import read_toml

_TIME_STAMP = re.compile(r"^\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?$", re.IGNORECASE)
_TERMINAL = tuple(".!?\"'”’)]…:;")
HEADLINE_MAX_WORDS = 18


@dataclass(frozen=True)
class Markers:
    leading: frozenset[str]
    drop: frozenset[str]
    drop_prefixes: tuple[str, ...]
    promo: frozenset[str]
    promo_prefixes: tuple[str, ...]
    cut: frozenset[str]
    cut_prefixes: tuple[str, ...]


def norm(line: str) -> str:
    """A line for comparison: whitespace collapsed, case folded, curly apostrophes straightened."""
    return " ".join(line.replace("’", "'").split()).casefold()


@cache
def markers() -> Markers:
    data = read_toml("boilerplate.toml")

    def strings(key: str) -> list[str]:
        return [norm(s) for s in data.get(key, []) if isinstance(s, str) and s.strip()]

    def prefixes(key: str) -> tuple[str, ...]:
        # prefixes keep their trailing space ("Share on ") so they only match whole words
        return tuple(" ".join(s.replace("’", "'").split()).casefold() + (" " if s.endswith(" ") else "")
                     for s in data.get(key, []) if isinstance(s, str) and s.strip())

    return Markers(frozenset(strings("leading")), frozenset(strings("drop")), prefixes("drop_prefixes"),
                   frozenset(strings("promo")), prefixes("promo_prefixes"),
                   frozenset(strings("cut")), prefixes("cut_prefixes"))


def is_leading_junk(line: str) -> bool:
    return norm(line) in markers().leading


def is_dropped(line: str) -> bool:
    """A notice or metadata line that is never article text."""
    n = norm(line)
    if n in markers().drop:
        return True
    return len(n.split()) <= 25 and n.startswith(markers().drop_prefixes)


def is_cut(line: str) -> bool:
    """A line where the article ends and site junk begins."""
    n = norm(line)
    if not n:
        return False
    m = markers()
    return n in m.cut or n.rstrip(":") in m.cut or n.startswith(m.cut_prefixes) or bool(_TIME_STAMP.match(n))


def is_promo(line: str) -> bool:
    """The first line of a promotion block: a "Read also:" link, a newsletter box."""
    n = norm(line)
    m = markers()
    return n in m.promo or n.rstrip(":") in m.promo or n.startswith(m.promo_prefixes)


def is_time_stamp(line: str) -> bool:
    return bool(_TIME_STAMP.match(line.strip()))


def ends_sentence(line: str) -> bool:
    return line.rstrip().endswith(_TERMINAL)


def is_headline(line: str) -> bool:
    """Short, no closing punctuation: how related-story headlines and section labels look."""
    words = line.split()
    return 0 < len(words) <= HEADLINE_MAX_WORDS and not ends_sentence(line)


def strip_trailing(blocks: list[list[str]]) -> list[list[str]]:
    """Drop related headlines (alone or with their teaser) after the last paragraph."""
    out = list(blocks)
    while len(out) > 1:
        last = out[-1]
        lone_headline = len(last) == 1 and is_headline(last[0])
        # a teaser is its own sentence: a wrapped paragraph's second line would go on in lower case
        with_teaser = (len(last) == 2 and is_headline(last[0]) and ends_sentence(last[1])
                       and len(last[1].split()) <= 40 and not last[1][:1].islower())
        if not (lone_headline or with_teaser):
            break
        out.pop()
    return out
