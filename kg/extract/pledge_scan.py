"""Finding pledge triggers fast.

The trigger regex is one alternation of some 150 phrases; Python's engine tries every phrase at
every word, ~1.5 ms an article. Each phrase starts with one of a few dozen words ("will",
"pledged", "is"), so the scanner looks each word up in that set and tries the regex only there:
the same matches as ``finditer``, for a fraction of the time. The first words are read from the
phrases themselves, so a data file extending the lists needs nothing more; a phrase whose first
word cannot be read (it starts with a character class, say) sends the scanner back to ``finditer``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(r"[A-Za-z]+|['’][A-Za-z]+")
_WORD = re.compile(r"['’]?[a-z]+")


def _close(s: str, start: int) -> int:
    """The index of the parenthesis closing the one at ``start``."""
    depth, i = 0, start
    while i < len(s):
        if s[i] == "\\":
            i += 2
            continue
        if s[i] == "(":
            depth += 1
        elif s[i] == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(s)


def _alternatives(s: str) -> list[str]:
    """The top-level alternatives of a group's inside."""
    out, depth, last, i = [], 0, 0, 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        depth += c == "("
        depth -= c == ")"
        if c == "|" and depth == 0:
            out.append(s[last:i])
            last = i + 1
        i += 1
    out.append(s[last:])
    return out


def _ends_word(after: str) -> bool:
    """Does what follows a word in a phrase begin with a space, a boundary or a lookaround (not more letters)?"""
    return after == "" or after[:1] == " " or after[:2] in ("\\s", "\\b") or after[:3] in ("(?=", "(?!")


def first_words(entry: str, joined: bool = False) -> tuple[set[str], set[str]] | None:
    """(words, prefixes) a phrase can start with, lower-case; None when they cannot be read.

    ``joined``: letters may follow the phrase directly (it is a group's alternative followed by more).
    """
    words: set[str] = set()
    prefixes: set[str] = set()
    s = entry.lower().replace("’", "'")
    if s.startswith("(?:"):
        end = _close(s, 0)
        rest = s[end + 1:]
        optional = rest[:1] in ("?", "*")
        after = rest[1:] if optional else rest
        glued = not _ends_word(after) or joined
        for alt in _alternatives(s[3:end]):
            if not alt.strip():
                optional = True
                continue
            got = first_words(alt, glued)
            if got is None:
                return None
            words |= got[0]
            prefixes |= got[1]
        if optional:  # the phrase may start after the group
            got = first_words(after.lstrip(), joined)
            if got is None:
                return None
            words |= got[0]
            prefixes |= got[1]
        return words, prefixes
    m = _WORD.match(s)
    if not m:
        return None
    nxt = s[m.end():m.end() + 1]
    if (nxt == "" and not joined) or (nxt != "" and _ends_word(s[m.end():])):
        words.add(m.group())
    elif nxt == "?":
        prefixes.add(m.group()[:-1])
    else:
        prefixes.add(m.group())
    return words, prefixes


class Scanner:
    """``finditer`` for the trigger alternation, trying at each word only the phrases that start with it.

    ``build`` makes the trigger regex from its phrase lists (name -> phrases); the scanner calls it once
    for the whole lists and once per first word with the lists cut down to the phrases starting with it.
    """

    def __init__(self, build: Callable[[dict[str, list[str]]], re.Pattern[str]], lists: dict[str, list[str]]) -> None:
        self.pattern = build(lists)
        self.slow = False
        by_word: dict[str, dict[str, list[str]]] = {}
        prefixes: set[str] = set()
        for name, entries in lists.items():
            for e in entries:
                got = first_words(e)
                if got is None:
                    self.slow = True
                    continue
                for w in got[0]:
                    by_word.setdefault(w, {}).setdefault(name, []).append(e)
                prefixes |= got[1]
        self.prefixes = tuple(sorted(prefixes))  # words starting with one of these get the whole regex
        self.by_word = {w: build(sub) for w, sub in by_word.items()}
        # one pass over the text finds the candidate words: a trie, so each position costs a few steps
        # (on lower-cased text, and without IGNORECASE, which makes the engine twice as slow)
        words = r"(?<![\w'])(?:" + trie(list(by_word)) + r")(?![\w])" if by_word else r"(?!)"
        self.words, self.lower_words = re.compile(words, re.I), re.compile(words)

    def finditer(self, text: str) -> list[re.Match[str]]:
        if self.slow:
            return list(self.pattern.finditer(text))
        out: list[re.Match[str]] = []
        end = 0
        by_word, prefixes = self.by_word, self.prefixes
        low = text.lower()
        found = self.lower_words.finditer(low) if len(low) == len(text) else self.words.finditer(text)
        starts = [t.start() for t in found]
        if prefixes:  # rare: a phrase starting with part of a word ("mobili[sz]e")
            starts = sorted(set(starts) | {t.start() for t in _TOKEN.finditer(text)
                                           if t.group().lower().startswith(prefixes)})
        for at in starts:
            if at < end:
                continue
            w = _TOKEN.match(text, at)
            word = w.group().lower().replace("’", "'") if w else ""
            pat = self.pattern if prefixes and word.startswith(prefixes) else by_word.get(word)
            if pat is not None and (m := pat.match(text, at)):
                out.append(m)
                end = m.end()
        return out


def trie(words: list[str]) -> str:
    """A regex matching exactly these words, shared prefixes factored out ("will|would" -> "w(?:ill|ould)")."""
    root: dict[str, Any] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(root)


def _emit(node: dict[str, Any]) -> str:
    alts = [re.escape(ch) + _emit(sub) for ch, sub in sorted(node.items()) if ch]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in node:
        return "(?:" + body + ")?"
    return body
