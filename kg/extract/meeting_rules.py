"""The meeting words of ``kg/data/meeting_triggers.toml``, compiled once, with a clear error for a bad file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.extract import clauses as cl
from kg.resources import data_dir

TRIGGERS_FILE = "meeting_triggers.toml"
PRIORITY = {"call": 0, "video": 1, "summit": 2, "visit": 3, "talks": 4, "meeting": 5, "weak": 6}
_MODES = {"phone", "virtual", "in_person", "unknown"}
_KEPT = 4096  # classified texts kept


@dataclass(frozen=True)
class Trigger:
    kind: str
    mode: str
    planned: bool
    continues: bool = False  # "talks will continue": the sides of the talks told before meet again


@dataclass(frozen=True)
class _Rules:
    pattern: re.Pattern[str]
    by_text: tuple[tuple[re.Pattern[str], Trigger], ...]
    excl_before: re.Pattern[str]
    excl_after: tuple[re.Pattern[str], ...]
    excl_clause: re.Pattern[str]
    excl_sentence: re.Pattern[str]  # a photo caption: an old picture, not the news
    video: re.Pattern[str]
    in_person: re.Pattern[str]  # beside a video meeting: some took part in person ("from Moscow")
    modified: re.Pattern[str]  # nouns a country before them only modifies ("US outlet", "US tariffs")
    each_guest: re.Pattern[str]  # "welcomed leaders, including A and B": one welcome per guest
    #: matched text -> its trigger, kept with the rules it was classified by (``classify``)
    classified: dict[str, Trigger] = field(default_factory=dict, compare=False, repr=False)


def _bad(what: str) -> KgError:
    return KgError(what, where=data_dir() / TRIGGERS_FILE, fix="see the comments at the top of the file")


@cache
def rules() -> _Rules:
    data: dict[str, Any] = read_toml(TRIGGERS_FILE)
    groups = data.get("trigger")
    if not isinstance(groups, list) or not groups:
        raise _bad("no [[trigger]] groups")
    all_patterns: list[str] = []
    by_text: list[tuple[re.Pattern[str], Trigger]] = []
    for i, g in enumerate(groups, start=1):
        kind, mode = g.get("kind"), g.get("mode", "unknown")
        if kind not in PRIORITY:
            raise _bad(f"trigger group {i}: kind {kind!r} is not one of {', '.join(PRIORITY)}")
        if mode not in _MODES:
            raise _bad(f"trigger group {i}: mode {mode!r} is not one of {', '.join(sorted(_MODES))}")
        pats = g.get("patterns")
        if not isinstance(pats, list) or not all(isinstance(p, str) for p in pats):
            raise _bad(f"trigger group {i}: 'patterns' must be a list of strings")
        trig = Trigger(kind, mode, g.get("status") == "planned", g.get("continues") is True)
        for p in pats:
            try:
                by_text.append((re.compile(f"(?:{p})", re.I), trig))
            except re.error as exc:
                raise _bad(f"trigger group {i}: bad regular expression {p!r}: {exc}") from exc
        all_patterns.extend(pats)
    excl = data.get("exclude", {})
    modes = data.get("mode_cues", {})
    parties = data.get("parties", {})
    split = data.get("split", {})

    def listed(table: dict[str, Any], key: str) -> re.Pattern[str]:
        """An optional list of the file as one regex (none: a regex that never matches)."""
        return cl.compile_list(table, key, TRIGGERS_FILE) if key in table else re.compile("$^")

    return _Rules(
        pattern=cl.words(all_patterns),
        by_text=tuple(by_text),
        excl_before=re.compile(r"\b(?:" + "|".join(excl.get("before", ["$^"])) + r")\s*(?:\w+\s+)?$", re.I),
        excl_after=tuple(re.compile(p, re.I) for p in excl.get("after", [])),
        excl_clause=listed(excl, "clause"),
        excl_sentence=listed(excl, "sentence"),
        video=listed(modes, "video"),
        in_person=listed(modes, "in_person"),
        modified=cl.compile_list(parties, "modified_nouns", TRIGGERS_FILE) if parties else re.compile("$^"),
        each_guest=listed(split, "each_guest"),
    )


def classify(text: str) -> Trigger:
    """The trigger group a matched text belongs to (the longest pattern that matches it whole).

    Each pattern is tried on the text, so the answer is kept per text (a few hundred differ).
    """
    r = rules()
    known = r.classified.get(text)
    if known is not None:
        return known
    best: tuple[int, Trigger] | None = None
    for pat, trig in r.by_text:
        if pat.fullmatch(text) and (best is None or len(pat.pattern) > best[0]):
            best = (len(pat.pattern), trig)
    if len(r.classified) >= _KEPT:
        r.classified.clear()
    found = r.classified[text] = best[1] if best else Trigger("meeting", "in_person", False)
    return found
