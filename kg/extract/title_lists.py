"""Leaders listed after a plural title: "Presidents A of Brazil and B of Colombia", "the presidents of
the four founding members: A, B of Uruguay and C of Brazil", "heads of state, among them Senegal's A and
Ghana's B". A list counts only with two names or more, one of them tied to a country by the item itself;
the plural's role is each name's (``kg/data/plural_titles.tsv``)."""

from __future__ import annotations

import re
from functools import cache

from kg.datafiles import read_tsv
from kg.extract.names import read_name
from kg.extract.titles import Cand, norm
from kg.link import NOT_A_LEADER, known_leader

#: between the plural and its first name: "Presidents A", "the presidents of the bloc's members: A",
#: "heads of state, among them A", "foreign ministers including A"
_OPENING = re.compile(r"(?:[ \t]+of\b[^.:;,\n]{1,60}?)?(?:[ \t]*[:,][ \t]*(?:(?:among[ \t]+them|including|"
                      r"such[ \t]+as|notably|namely)[ \t]+)?|[ \t]+(?:among[ \t]+them|including|such[ \t]+as)"
                      r"[ \t]+|[ \t]+(?=[A-Z]))")
_SEPARATOR = re.compile(r"[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+")
_POSSESSIVE = re.compile(r"['’]s[ \t]+")
_OF = re.compile(r"[ \t]+of[ \t]+(?:the[ \t]+)?|[ \t]*\([ \t]*")


@cache
def _plurals() -> tuple[re.Pattern[str], dict[str, str]]:
    roles = {r["plural"].lower(): r["role"] for r in read_tsv("plural_titles.tsv")}
    alt = "|".join(r"[ \t]+".join(map(re.escape, p.split())) for p in sorted(roles, key=len, reverse=True))
    return re.compile(rf"\b(?:{alt})\b", re.IGNORECASE), roles


def list_cands(text: str, found: list[Cand]) -> list[Cand]:
    """A leader candidate for each name of each list (see the module's docstring)."""
    pattern, roles = _plurals()
    if not pattern.search(text):
        return []
    countries = {c.start: c for c in found if c.kind == "country" and c.via != "demonym"}
    out: list[Cand] = []
    for m in pattern.finditer(text):
        opening = _OPENING.match(text, m.end())
        if opening is None:
            continue
        role, items, pos = roles[norm(m.group()).lower()], [], opening.end()
        while (item := _item(text, pos, countries)) is not None:
            items.append(item)
            sep = _SEPARATOR.match(text, item.end)
            if sep is None:
                break
            pos = sep.end()
        if len(items) >= 2 and any(c.country for c in items):
            for c in items:
                c.role, c.role_text = role, norm(m.group())
            out += items
    return out


def _item(text: str, pos: int, countries: dict[int, Cand]) -> Cand | None:
    """One listed leader at ``pos``: "Senegal's A", "A of Uruguay", "A (Uruguay)" or a plain "A B"."""
    country, start = None, pos
    owner = countries.get(pos)
    if owner is not None:
        possessive = _POSSESSIVE.match(text, owner.end)
        if possessive is None:
            return None
        country, pos = owner.key, possessive.end()
    blank = pos
    while blank > 0 and text[blank - 1] in " \t":  # (a name is read from the blank before it)
        blank -= 1
    span = read_name(text, blank) if blank < pos else None
    if span is None:
        return None
    name = text[span[0]:span[1]]
    known = known_leader(name)
    if (known and known.role == NOT_A_LEADER) or (" " not in name and known is None):
        return None
    end = span[1]
    of = _OF.match(text, end)
    if country is None and of and of.end() in countries:
        target = countries[of.end()]
        country = target.key
        end = target.end + (1 if text.startswith(")", target.end) else 0)
    return Cand(start, end, "leader", via="name", prio=0, name=name, country=country)
