"""The characters a regular expression's match can start with, as a lookahead to put in front of it.

Python's regex engine tries every alternative of a long alternation at every position of the text
(a few hundred trigger words, cue phrases, gazetteer names). Before a pattern whose first characters
are known, ``(?=[...])`` rejects most positions with one class test, and changes no match: the
lookahead only admits positions where the pattern itself could start. ``alternation`` goes one step
further for a list of phrases: grouped by first letter, only the phrases that can start at a position
are tried there, in their order. When the first characters cannot be told for sure (a pattern that
may match the empty string, a dot, an inline flag other than ``(?i:...)``, a backreference...), the
pattern is used as it is.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_WORD: r"\w"}
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class _Unknown(Exception):
    """The first characters cannot be told for sure."""


def _item(op: Any, av: Any) -> str:
    """One member of a character class, as class syntax."""
    if op is sre.LITERAL:
        return re.escape(chr(av))
    if op is sre.RANGE:
        return f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}"
    if op is sre.CATEGORY and av in _CATEGORIES:
        return _CATEGORIES[av]
    raise _Unknown


#: the first characters found: those read under the pattern's own flags (False), and those inside a
#: ``(?i:...)`` group (True), which the lookahead reads under the same inline flag
_Found = dict[bool, set[str]]


def _sequence(items: list[tuple[Any, Any]], out: _Found, fold: bool) -> bool:
    """Add the first characters of a sequence to ``out``; True when the sequence can match nothing."""
    return all(_one(op, av, out, fold) for op, av in items)  # stops at the first element that takes a character


def _one(op: Any, av: Any, out: _Found, fold: bool) -> bool:
    """Add the first characters of one element to ``out``; True when it can match the empty string."""
    if op is sre.LITERAL:
        out[fold].add(_item(op, av))
        return False
    if op is sre.IN:
        if any(o is sre.NEGATE for o, _ in av):
            raise _Unknown
        out[fold].update(_item(o, a) for o, a in av)
        return False
    if op in _ZERO_WIDTH:
        return True  # a boundary or a lookaround takes no character
    if op is sre.SUBPATTERN:
        _group, add, remove, sub = av
        if remove or add not in (0, re.IGNORECASE):
            raise _Unknown  # other inline flags: the class would be read under flags we do not reproduce
        return _sequence(sub.data, out, fold or bool(add))
    if op is sre.BRANCH:
        return any([_sequence(alt.data, out, fold) for alt in av[1]])  # a list: every alternative adds its own
    if op in _REPEATS:
        low, _high, sub = av
        return _sequence(sub.data, out, fold) or low == 0
    raise _Unknown


def first_class(pattern: str, flags: int = 0) -> str | None:
    """A lookahead body matching every character a match of ``pattern`` can start with (a character class,
    with a ``(?i:...)`` one for what an inline flag makes case-insensitive), or None when unknown."""
    out: _Found = {False: set(), True: set()}
    try:
        if _sequence(_parser.parse(pattern, flags).data, out, False) or not (out[False] or out[True]):
            return None
    except Exception:  # _Unknown, a bad pattern, or another Python's parser internals: no shortcut
        return None
    plain = "[" + "".join(sorted(out[False])) + "]" if out[False] else ""
    folded = "(?i:[" + "".join(sorted(out[True])) + "])" if out[True] else ""
    return f"(?:{plain}|{folded})" if plain and folded else plain or folded


def with_lookahead(pattern: str, flags: int = 0) -> str:
    """``pattern`` behind a lookahead of its first characters (the same matches), when they are known."""
    first = first_class(pattern, flags)
    return pattern if first is None else f"(?={first}){pattern}"


def _single_chars(pattern: str, flags: int) -> set[str] | None:
    """The first characters of ``pattern`` when each is one plain character (no range, class, inline flag)."""
    out: _Found = {False: set(), True: set()}
    try:
        if _sequence(_parser.parse(pattern, flags).data, out, False) or out[True] or not out[False]:
            return None
    except Exception:  # _Unknown, a bad pattern, or another Python's parser internals: no shortcut
        return None
    chars = {item[-1] for item in out[False] if len(item) == 1 or (len(item) == 2 and not item[1].isalnum())}
    return chars if len(chars) == len(out[False]) else None


def alternation(alternatives: list[str], flags: int = 0) -> str:
    """``(?:(?:a1)|(?:a2)|...)``, grouped by first character for the engine: at a position only the
    alternatives that can start with its character are tried, in their order, so the match is the same.

    Each group stands behind a lookahead of its one character, so no character may pass two groups'
    lookaheads: under IGNORECASE the first characters must be lower-case ASCII letters or digits (two of
    those never match the same character). Otherwise, the plain alternation.
    """
    plain = "(?:" + "|".join(f"(?:{a})" for a in alternatives) + ")"
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        chars = _single_chars(alt, flags)
        if chars is None or (flags & re.IGNORECASE and not chars <= _CASELESS_SAFE):
            return plain
        for ch in chars:
            groups.setdefault(ch, []).append(alt)
    return "(?:" + "|".join(f"(?={re.escape(ch)})(?:" + "|".join(f"(?:{a})" for a in alts) + ")"
                            for ch, alts in sorted(groups.items())) + ")"


_CASELESS_SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
