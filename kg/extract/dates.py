"""Temporal expressions in news prose, resolved against the publication date.

Reporters write "on Friday", "Dec. 18" or "last week" and leave the year and
week to the reader; we resolve them the way a reader does: the nearest such day,
looking back for what happened and forward for what is planned. Without a
publication date only expressions that carry their own year resolve.
Week-level and multi-day expressions resolve to a month (``YYYY-MM``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from kg.model import Span

Tense = Literal["past", "future"] | None
Precision = Literal["day", "month", "year"]

_MONTH_NAMES = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}

# Capitalised only: "may" and "march" are verbs in lower case.
_MON = (r"(?P<{g}>January|February|March|April|May|June|July|August|September|October|November|December"
        r"|Sept\.?|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)(?![a-z])")
_WD = r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
_DASH = r"\s*(?:-|–|—|to|and|through)\s*"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("range_md", re.compile(_WD + r"(?:from\s+)?" + _MON.format(g="m") + r"\s+(?P<d>\d{1,2})" + _DASH
                            + r"(?:" + _MON.format(g="m2") + r"\s+)?(?P<d2>\d{1,2})(?!\d)(?:,?\s+(?P<y>\d{4}))?")),
    ("range_dm", re.compile(r"(?:from\s+)?(?P<d>\d{1,2})" + _DASH + r"(?P<d2>\d{1,2})\s+" + _MON.format(g="m")
                            + r"(?:,?\s+(?P<y>\d{4}))?")),
    ("md", re.compile(_WD + _MON.format(g="m") + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:,?\s+(?P<y>\d{4}))?")),
    ("dm", re.compile(_WD + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MON.format(g="m") + r"(?:,?\s+(?P<y>\d{4}))?")),
    ("my", re.compile(_MON.format(g="m") + r",?\s+(?P<y>(?:19|20)\d{2})\b")),
    ("month", re.compile(r"\b(?P<pre>in|since|until|by|from|early|late|mid-|this|next|last|of|during|before|after)\s+"
                         + _MON.format(g="m") + r"(?!\s*\d)")),
    ("year", re.compile(r"\b(?:in|since|by|until|from|during|of|for)\s+(?P<y>(?:19|20)\d{2})\b")),
    ("rel_year", re.compile(r"\b(?P<which>next|last|this|later this|earlier this)\s+year\b", re.I)),
    ("rel_period", re.compile(r"\b(?P<which>(?:earlier |later )?this|last|next|the coming|the next few|the past)\s+"
                              r"(?P<unit>week|weekend|month|days)\b", re.I)),
    ("rel_day", re.compile(r"\b(?P<which>yesterday|today|tonight|tomorrow|this (?:morning|afternoon|evening)"
                           r"|earlier today|later today|(?P<n>\d+|one|two|three|four|five|six|seven|a) days? ago)\b",
                           re.I)),
    ("weekday", re.compile(r"\b(?P<which>last|next|this|on|late on|early on)?\s*"
                           r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
]
_DATELINE = re.compile(r"(?:^|\n)[A-Z][A-Z .'-]+,\s*$")


@dataclass(frozen=True)
class TemporalExpr:
    """One temporal phrase: where it is, what it says and what it resolves to."""

    span: Span
    text: str
    value: str | None  # YYYY-MM-DD | YYYY-MM | YYYY | None when it cannot be resolved
    precision: Precision | None
    kind: str  # the pattern that found it: md, weekday, rel_period, dateline, ...


def _month(token: str) -> int:
    return _MONTH_NAMES[token.lower().rstrip(".")]


def _fmt(d: date, precision: Precision) -> str:
    return {"day": d.isoformat(), "month": d.isoformat()[:7], "year": str(d.year)}[precision]


def _pick_year(month: int, day: int, pub: date, tense: Tense, year_hint: int | None) -> date | None:
    """The year that puts month/day nearest the publication date, biased by tense."""
    if year_hint:
        try:
            return date(year_hint, month, day)
        except ValueError:
            return None
    best: tuple[int, date] | None = None
    for y in (pub.year - 1, pub.year, pub.year + 1):
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        delta = (d - pub).days
        cost = abs(delta) + (200 if (tense == "past" and delta > 2) or (tense == "future" and delta < -2) else 0)
        if best is None or cost < best[0]:
            best = (cost, d)
    return best[1] if best else None


def _pick_month(month: int, pub: date, tense: Tense, year_hint: int | None) -> date:
    if year_hint:
        return date(year_hint, month, 1)
    if tense == "future":
        return date(pub.year if month >= pub.month else pub.year + 1, month, 1)
    if tense == "past" or month <= pub.month:
        return date(pub.year if month <= pub.month else pub.year - 1, month, 1)
    # no tense and a later month this year: the nearer of the two
    ahead, back = month - pub.month, pub.month + 12 - month
    return date(pub.year if ahead <= back else pub.year - 1, month, 1)


def _weekday(name: str, which: str, pub: date, tense: Tense) -> date:
    wd = _WEEKDAYS[name.lower()]
    back = (pub.weekday() - wd) % 7
    ahead = (wd - pub.weekday()) % 7
    if which == "last":
        return pub - timedelta(days=back or 7)
    if which == "next":
        return pub + timedelta(days=ahead or 7)
    return pub + timedelta(days=ahead) if tense == "future" else pub - timedelta(days=back)


def _resolve(kind: str, m: re.Match[str], pub: date | None, tense: Tense,
             year_hint: int | None) -> tuple[str | None, Precision | None]:
    g = m.groupdict()
    year = int(g["y"]) if g.get("y") else None
    if kind in ("range_md", "range_dm", "md", "dm"):
        month, day = _month(g["m"]), int(g["d"])
        precision: Precision = "month" if kind.startswith("range") else "day"
        if not 1 <= day <= 31:
            return None, None
        if year:
            try:
                return _fmt(date(year, month, day), precision), precision
            except ValueError:
                return None, None
        if pub is None:
            return None, precision
        d = _pick_year(month, day, pub, tense, year_hint)
        return (_fmt(d, precision) if d else None), precision
    if kind == "my":
        return f"{year:04d}-{_month(g['m']):02d}", "month"
    if kind == "year":
        return str(year), "year"
    if kind == "month":
        if pub is None:
            return None, "month"
        pre = g["pre"].lower()
        t: Tense = "past" if pre in ("since", "last", "after") else "future" if pre in ("next", "until") else tense
        if pre == "this":
            t = None
        return _fmt(_pick_month(_month(g["m"]), pub, t, year_hint), "month"), "month"
    if pub is None:
        return None, ("year" if kind == "rel_year" else "month" if kind == "rel_period" else "day")
    if kind == "rel_year":
        which = g["which"].lower()
        return str(pub.year + {"next": 1, "last": -1}.get(which, 0)), "year"
    if kind == "rel_period":
        which, unit = g["which"].lower(), g["unit"].lower()
        step = {"week": 7, "weekend": 7, "month": 31, "days": 3}[unit]
        if which in ("the coming", "the next few") or which == "next":
            d = pub + timedelta(days=step if unit != "days" else 3)
        elif which in ("last", "the past"):
            d = pub - timedelta(days=step if unit != "month" else pub.day)
        else:
            d = pub
        if unit == "month" and which == "next":
            d = date(pub.year + pub.month // 12, pub.month % 12 + 1, 1)
        return _fmt(d, "month"), "month"
    if kind == "rel_day":
        which = g["which"].lower()
        if which == "yesterday":
            d = pub - timedelta(days=1)
        elif which == "tomorrow":
            d = pub + timedelta(days=1)
        elif which.endswith("ago"):
            n = g["n"].lower()
            d = pub - timedelta(days=int(n) if n.isdigit() else _NUMBER_WORDS[n])
        else:
            d = pub
        return _fmt(d, "day"), "day"
    if kind == "weekday":
        which = (g["which"] or "on").lower()
        return _fmt(_weekday(g["wd"], which, pub, tense), "day"), "day"
    return None, None


def year_hint(text: str, pub: date | None) -> int | None:
    """A "next year" / "last year" in the text fixes the year of a bare month or day."""
    if pub is None:
        return None
    m = re.search(r"\b(next|last) year\b", text, re.I)
    if not m:
        return None
    return pub.year + (1 if m.group(1).lower() == "next" else -1)


def find_dates(text: str, published: date | None, tense: Tense = None, base: int = 0) -> list[TemporalExpr]:
    """Temporal expressions in ``text`` (spans shifted by ``base``), in text order, non-overlapping.

    ``tense`` says whether the surrounding clause reports the past or plans the
    future; it decides between last and next Friday, or this or last December.
    A wire dateline ("DOHA, Jan 15 (Agency) -") is returned with kind "dateline".
    """
    hint = year_hint(text, published)
    found: list[TemporalExpr] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.start(), m.end()
            while e > s and text[e - 1] in " ,":
                e -= 1
            if any(s < te and ts < e for ts, te in taken):
                continue
            if kind == "weekday" and not m.group("which"):
                s = m.start("wd")
            value, precision = _resolve(kind, m, published, tense, hint)
            k = kind
            if kind in ("md", "range_md") and _DATELINE.search(text[:s]) and re.match(r"\s*\(", text[e:]):
                k = "dateline"
            taken.append((s, e))
            found.append(TemporalExpr(Span(base + s, base + e), text[s:e], value, precision, k))
    found.sort(key=lambda t: t.span.start)
    return found
