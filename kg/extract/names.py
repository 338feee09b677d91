"""Reading personal names next to titles, and the gazetteer regexes.

A name is a run of capitalised words joined by single spaces, with the
particles of many naming traditions ("von der Leyen", "al-Sisi", "bin Salman")
and initials ("Donald J. Trump"); it stops at a possessive, a lower-case word,
punctuation, or a word that cannot be part of a name ("Monday", "The").
"""

from __future__ import annotations

import re
from functools import cache

from kg.datafiles import read_tsv
from kg.link import gazetteer

PARTICLES = {
    "von",
    "van",
    "der",
    "den",
    "de",
    "da",
    "du",
    "del",
    "della",
    "di",
    "la",
    "le",
    "bin",
    "ibn",
    "bint",
    "al",
    "el",
    "Al",
    "El",
    "dos",
    "das",
    "ter",
    "ben",
    "abu",
    "Abu",
}
_HYPHEN_PARTICLE = re.compile(r"^(?:al|el|ad|as|ash|an|ar|at|az|abu|bin|ibn)-[^\W\d_]", re.I)


@cache
def stopwords() -> frozenset[str]:
    """Capitalised words that start sentences but never names ("The", "Monday", "Council")."""
    return frozenset(r["word"] for r in read_tsv("name_stopwords.tsv"))


_TOKEN = re.compile(r"[ \t]+([^\W\d_][\w\-]*(?:['’][^\W\d_s][\w\-]*)?)(\.)?")
_BACK_TOKEN = re.compile(r"[^\W\d_][\w\-]*(?:['’][^\W\d_s][\w\-]*)?\.?")


def _name_like(tok: str) -> bool:
    return tok[0].isupper() and tok not in stopwords() and not tok.isdigit()


def _is_place_word(tok: str) -> bool:
    g = gazetteer()
    return tok in g.country_names or tok in g.org_names or tok in g.place_names


def read_name(text: str, pos: int, max_tokens: int = 7) -> tuple[int, int] | None:
    """Span of the name starting after whitespace at ``pos`` (right after a title), or None."""
    toks: list[tuple[int, int, str]] = []
    while len(toks) < max_tokens:
        m = _TOKEN.match(text, pos)
        if not m:
            break
        tok, dot = m.group(1), m.group(2)
        if tok in PARTICLES or (_HYPHEN_PARTICLE.match(tok) and not tok[0].isupper()):
            ok = bool(_HYPHEN_PARTICLE.match(tok)) or bool(toks)
        else:
            ok = _name_like(tok) and not (not toks and _is_place_word(tok))
        if not ok:
            break
        end = m.end(1)
        if dot and (len(tok) == 1 or tok in ("Jr", "Sr", "St")):
            end = m.end(2)
        toks.append((m.start(1), end, tok))
        pos = end
        if dot and end != m.end(2):
            break
    while toks and (toks[-1][2] in PARTICLES):
        toks.pop()
    if not toks:
        return None
    return toks[0][0], toks[-1][1]


def read_name_before(text: str, end: int, max_tokens: int = 7) -> tuple[int, int] | None:
    """Span of a name of two words or more ending at ``end`` ("Mark Rutte" in "Mark Rutte, NATO's ...")."""
    window_start = max(0, end - 90)
    words = [
        (m.start() + window_start, m.end() + window_start, m.group())
        for m in _BACK_TOKEN.finditer(text[window_start:end])
    ]
    picked: list[tuple[int, int, str]] = []
    for s, e, tok in reversed(words):
        gap = text[e : picked[0][0]] if picked else text[e:end]
        if gap not in (" ", "") or len(picked) >= max_tokens:
            break
        bare = tok.rstrip(".")
        if not (_name_like(bare) or bare in PARTICLES or _HYPHEN_PARTICLE.match(bare)):
            break
        picked.insert(0, (s, e, bare))
    while picked and (picked[0][2] in PARTICLES or not picked[0][2][0].isupper()):
        picked.pop(0)
    if len(picked) < 2:
        return None
    return picked[0][0], picked[-1][1]


def _esc(name: str) -> str:
    return re.escape(name).replace(r"\ ", r"[ \t]+")


def _alternation(names: list[str], fold_case: bool) -> str:
    parts = []
    for name in sorted(set(names), key=lambda n: (-len(n), n)):
        esc = _esc(name)
        parts.append(f"(?i:{esc})" if fold_case and " " in name else esc)
    return "|".join(parts)


def _bounded(alternation: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.\-])(?:{alternation})(?![\w\-]|\.\w)")


@cache
def patterns() -> dict[str, re.Pattern[str]]:
    """Compiled regexes for every gazetteer, longest names first."""
    g = gazetteer()
    titles = [t.text for t in g.titles.values()]
    title_alt = "|".join(
        _esc(t) if (t.isupper() or t.endswith(".")) else f"(?i:{_esc(t)})"
        for t in sorted(titles, key=lambda n: (-len(n), n))
    )
    anaphors = sorted({a for o in g.orgs.values() for a in o.anaphors}, key=len, reverse=True)
    return {
        "country": _bounded(_alternation(list(g.country_names), False)),
        "org": _bounded(_alternation(list(g.org_names), True)),
        "place": _bounded(_alternation(list(g.place_names), False)),
        "leader": _bounded(
            _alternation([n for e in g.leaders.values() for n in (e.label, *e.aliases)], False)
        ),
        "title": re.compile(rf"(?<![\w\-])(?:{title_alt})(?![\w\-])"),
        "anaphor": _bounded(_alternation(anaphors, True)) if anaphors else re.compile(r"(?!x)x"),
    }
