"""Sentence segmentation with offsets into ``Article.text``.

News prose is full of abbreviations that end in a period ("U.S.", "Jan.",
"Gen."); a period after one of them ends a sentence only before a word that
cannot continue a noun phrase, so "U.S. President Trump" stays one sentence.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

from kg.model import Article

_ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.u", "mr", "mrs", "ms", "dr", "gen", "lt", "col", "sen", "rep", "gov", "st",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "vs", "etc",
    "jr", "sr", "prof", "rev", "capt", "maj", "sgt", "adm", "pres", "approx", "inc", "corp", "ltd", "co",
}
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([A-Za-z.]+)$", text[:dot])
    if not word:
        return False
    token = word.group(1).lower().rstrip(".")
    # single capital initials ("Donald J. Trump") never end a sentence
    return token in _ABBREVIATIONS or (len(token) == 1 and text[dot - 1].isupper())


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
            if e > s:
                spans.append((base + s, base + e))
    return spans


@cache
def _sentences(text: str) -> tuple[Sentence, ...]:
    return tuple(Sentence(i, s, e, text[s:e]) for i, (s, e) in enumerate(split(text)))


def sentences(article: Article) -> tuple[Sentence, ...]:
    """The article's sentences in order, cached per text."""
    return _sentences(article.text)
