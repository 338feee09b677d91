"""Sentence segmentation with offsets into ``Article.text``.

News prose is full of abbreviations that end in a period ("U.S.", "Jan.",
"Gen."); a period after one of them ends a sentence only before a word that
cannot continue a noun phrase, so "U.S. President Trump" stays one sentence.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from kg.model import Article

_ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.u", "mr", "mrs", "ms", "dr", "gen", "lt", "col", "sen", "rep", "gov", "st",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "vs", "etc",
    "jr", "sr", "prof", "rev", "capt", "maj", "sgt", "adm", "pres", "approx", "inc", "corp", "ltd", "co",
}
#: no real sentence is longer (the longest in 118 real and written articles: 1,132 characters)
MAX_SENTENCE = 1500
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


_INITIALS = re.compile(r"(?:[A-Z]\.)+[A-Z]")
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


def _is_abbreviation(text: str, dot: int) -> bool:
    start = dot  # the run of letters and dots right before the dot, read backwards (not a search of the paragraph)
    while start and text[start - 1] in _WORD_CHARS:
        start -= 1
    if start == dot:
        return False
    token = text[start:dot].lower().rstrip(".")
    # capital initials ("Donald J. Trump", "K.P. Sharma Oli") never end a sentence
    return token in _ABBREVIATIONS or (len(token) == 1 and text[dot - 1].isupper()) \
        or bool(_INITIALS.fullmatch(text, start, dot))


def split(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``; a line break always ends one."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        chunk, base = para.group(), para.start()
        cuts = [0]
        for m in _BOUNDARY.finditer(chunk):
            if chunk[m.start()] == "." and _is_abbreviation(chunk, m.start()):
                continue
            cuts.append(m.end())
        cuts.append(len(chunk))
        for s, e in itertools.pairwise(cuts):
            while s < e and chunk[s].isspace():
                s += 1
            while e > s and chunk[e - 1].isspace():
                e -= 1
            spans.extend((base + a, base + b) for a, b in _bounded(chunk, s, e))
    return spans


def _bounded(chunk: str, s: int, e: int) -> list[tuple[int, int]]:
    """A run-on "sentence" (a list, a page with no full stop) cut into pieces of at most MAX_SENTENCE
    characters, at a semicolon or comma where there is one: the work per sentence stays bounded, so
    extraction is linear in the text however it is punctuated."""
    out: list[tuple[int, int]] = []
    while e - s > MAX_SENTENCE:
        window = chunk[s:s + MAX_SENTENCE]
        cut = max(window.rfind("; "), window.rfind(", "))
        cut = cut + 1 if cut > MAX_SENTENCE // 2 else (window.rfind(" ") if window.rfind(" ") > 0 else MAX_SENTENCE)
        out.append((s, s + cut))
        s += cut
        while s < e and chunk[s].isspace():
            s += 1
    if e > s:
        out.append((s, e))
    return out


@lru_cache(maxsize=64)  # the few articles being extracted: unbounded, a worker kept every article it read
def _sentences(text: str) -> tuple[Sentence, ...]:
    return tuple(Sentence(i, s, e, text[s:e]) for i, (s, e) in enumerate(split(text)))


def sentences(article: Article) -> tuple[Sentence, ...]:
    """The article's sentences in order, cached per text."""
    return _sentences(article.text)
