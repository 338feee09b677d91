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
from kg.lookahead import with_lookahead

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
HYPHEN_PARTICLE = re.compile(r"^(?:al|el|ad|as|ash|an|ar|at|az|abu|bin|ibn)-[^\W\d_]", re.I)


@cache
def stopwords() -> frozenset[str]:
    """Capitalised words that start sentences but never names ("The", "Monday", "Council")."""
    return frozenset(r["word"] for r in read_tsv("name_stopwords.tsv") if r.get("names") != "after")


#: a word of a name after a space, or the next of run-together initials ("K.P. Sharma Oli")
_TOKEN = re.compile(r"(?:[ \t]+|(?<=\b[A-Z]\.)(?=[A-Z]\.))([^\W\d_][\w\-]*(?:['’][^\W\d_s][\w\-]*)?)(\.)?")
_BACK_TOKEN = re.compile(r"[^\W\d_][\w\-]*(?:['’][^\W\d_s][\w\-]*)?\.?")


def _name_like(tok: str) -> bool:
    return tok[0].isupper() and tok not in stopwords() and not tok.isdigit()


def _is_place_word(tok: str) -> bool:
    g = gazetteer()
    return tok in g.country_names or tok in g.org_names or tok in g.place_names


_ROMAN = re.compile(r"[IVX]+")


def _ends_name(tok: str, toks: list[tuple[int, int, str]]) -> bool:
    """A word that cannot continue a name already begun: a dateline in capitals ("ISTANBUL"), a demonym."""
    if tok.isupper() and len(tok) > 2 and not _ROMAN.fullmatch(tok) and not toks[-1][2].isupper():
        return True
    return tok in gazetteer().country_names


def read_name(text: str, pos: int, max_tokens: int = 7) -> tuple[int, int] | None:
    """Span of the name starting after whitespace at ``pos`` (right after a title), or None."""
    toks: list[tuple[int, int, str]] = []
    while len(toks) < max_tokens:
        m = _TOKEN.match(text, pos)
        if not m:
            break
        tok, dot = m.group(1), m.group(2)
        honorific = not toks and bool(dot) and tok + "." in gazetteer().honorifics_before
        if honorific:
            ok = True
        elif tok in PARTICLES or (HYPHEN_PARTICLE.match(tok) and not tok[0].isupper()):
            ok = bool(HYPHEN_PARTICLE.match(tok)) or bool(toks)
        else:
            ok = _name_like(tok) and not (_is_place_word(tok) if not toks else _ends_name(tok, toks))
        if not ok:
            break
        end = m.end(1)
        if dot and (len(tok) == 1 or tok in ("Jr", "Sr", "St")):
            end = m.end(2)
        toks.append((m.start(1), end, tok))
        pos = end
        if dot and end != m.end(2):
            if not honorific:
                break
            toks[-1] = (m.start(1), m.end(2), tok + ".")  # "President Dr. Jane Doe": the name goes on
            pos = m.end(2)
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
        if picked and bare != tok and len(bare) > 3:
            break  # "… Alassane Ouattara. Moussa Faki": a sentence ends there (not "Dr.", "Jr.", "J.")
        if not (_name_like(bare) or bare in PARTICLES or HYPHEN_PARTICLE.match(bare)):
            break
        picked.insert(0, (s, e, bare))
    while picked and (picked[0][2] in PARTICLES or not picked[0][2][0].isupper()):
        picked.pop(0)
    if len(picked) < 2:
        return None
    return picked[0][0], picked[-1][1]


@cache
def institution_words() -> frozenset[str]:
    """Words that make a preceding name a place's or body's ("King Salman Center"), not a person's."""
    return frozenset(r["word"] for r in read_tsv("name_stopwords.tsv") if r.get("names") in ("yes", "after"))


_NEXT_WORD = re.compile(r"[ \t]+([A-Z][\w\-]*)")


def names_a_place(text: str, end: int) -> bool:
    """Is the name ending at ``end`` part of a place's or body's name ("the King Salman Center")?"""
    m = _NEXT_WORD.match(text, end)
    return m is not None and m.group(1) in institution_words()


@cache
def family_first() -> frozenset[str]:
    """Family names written first ("Lee Jae-myung", "Xi Jinping"): the first word is the short form."""
    return frozenset(r["name"] for r in read_tsv("family_first.tsv"))


_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_LOWER_IN_TITLES = {"a", "an", "the", "and", "or", "to", "in", "on", "at", "for", "of", "with", "by", "from", "as"}


def headline_case(text: str, pos: int) -> bool:
    """Is ``pos`` on a line written in Title Case ("Modi Likely To Visit White House In February")?

    In such a line a capitalised verb after a name ("Trump Pulls Chair") looks like a surname.
    """
    start = text.rfind("\n", max(0, pos - 200), pos) + 1
    end = text.find("\n", pos, pos + 200)
    if (start == 0 and pos > 200) or (end < 0 and len(text) - pos > 200):
        return False  # a line longer than a headline (looked at no further: linear on a long page)
    line = text[start : end if end >= 0 else len(text)]
    words = [w for w in _WORD.findall(line) if w.lower() not in _LOWER_IN_TITLES]
    if len(words) < 4 or len(line) > 200 or re.search(r"[.!?][ \t]+[A-Z]|\.$", line.rstrip()):
        return False
    return sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def known_prefix(name: str) -> str | None:
    """The longest run of leading words that is a listed leader's name ("Trump" in "Trump Pulls Chair")."""
    from kg.link import fold

    words = name.split()
    names = gazetteer().leader_names
    if fold(name) in names:
        return None
    for n in range(len(words) - 1, 0, -1):
        if fold(" ".join(words[:n])) in names:
            return " ".join(words[:n])
    return None


def _esc(name: str) -> str:
    return re.escape(name).replace(r"\ ", r"[ \t]+")


def _alternation(names: list[str], fold_case: bool) -> str:
    parts = []
    for name in sorted(set(names), key=lambda n: (-len(n), n)):
        esc = _esc(name)
        parts.append(f"(?i:{esc})" if fold_case and " " in name else esc)
    return "|".join(parts)


def _trie(names: list[str]) -> str:
    """One regex for many names, factored by common prefixes so that it stays fast with hundreds of
    names; at each position it takes the longest name that fits (an optional tail is tried first)."""
    root: dict[str, dict] = {}
    for name in set(names):
        node = root
        for ch in " ".join(name.split()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [(r"[ \t]+" if ch == " " else re.escape(ch)) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root) if names else "(?!x)x"


def _bounded(alternation: str) -> re.Pattern[str]:
    return re.compile(with_lookahead(rf"(?<![\w.\-])(?:{alternation})(?![\w\-]|\.\w)"))


@cache
def patterns() -> dict[str, re.Pattern[str]]:
    """Compiled regexes for every gazetteer, longest names first."""
    g = gazetteer()
    titles = [t.text for t in g.titles.values()]
    exact = [t for t in titles if t.isupper() or t.endswith(".")]
    title_alt = f"(?i:{_trie([t for t in titles if t not in exact])})|{_trie(exact)}"
    anaphors = sorted({a for o in g.orgs.values() for a in o.anaphors}, key=len, reverse=True)
    return {
        "country": _bounded(_trie(list(g.country_names))),
        "org": _bounded(
            f"(?i:{_trie([n for n in g.org_names if ' ' in n])})|{_trie([n for n in g.org_names if ' ' not in n])}"
        ),
        "place": _bounded(_trie(list(g.place_names))),
        "leader": _bounded(_trie([n for e in g.leaders.values() for n in (e.label, *e.aliases)])),
        "title": re.compile(with_lookahead(rf"(?<![\w\-])(?:{title_alt})(?![\w\-])")),
        "anaphor": _bounded(_alternation(anaphors, True)) if anaphors else re.compile(r"(?!x)x"),
    }
