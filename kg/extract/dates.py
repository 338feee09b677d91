"""Temporal expressions in news prose, resolved against the publication date.

Reporters write "on Friday", "Dec. 18" or "last week" and leave the year and
week to the reader; we resolve them the way a reader does: the nearest such day,
looking back for what happened and forward for what is planned. Without a
publication date only expressions that carry their own year resolve.
Week-level and multi-day expressions resolve to a month (``YYYY-MM``): the month
that holds most of the days they can mean, or nothing when it is a toss-up.
A weekday written with the date ("Friday (29 August)", "Thursday, May 15") picks
the year among the near ones. Nothing is guessed: "Feb. 29" in a year without one,
or a date past the calendar's end (published 9999-12-31, "tomorrow"), stays
unresolved. ``period`` ("YYYY-MM" or "YYYY") stands in for a publication date the
article gives only in part (a month-only header): it fixes the year of a bare date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from kg.extract.date_pick import (
    WEEKDAYS,
    Precision,
    Tense,
    fmt,
    nearest_weekday,
    nth_day,
    period_month,
    pick_month,
    pick_year,
)
from kg.lookahead import with_lookahead
from kg.model import Span

_MONTH_NAMES = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}

# Capitalised only: "may" and "march" are verbs in lower case.
_MON = (r"(?P<{g}>January|February|March|April|May|June|July|August|September|October|November|December"
        r"|Sept\.?|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)(?![a-z])")
_WD = r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
_DASH = r"\s*(?:-|–|—|to|and|through)\s*"
_WDN = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                  "eighth": 8, "ninth": 9, "tenth": 10}

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "Friday (29 August)", "Tuesday (January 21, 2024)", "Friday (first)": the date in brackets
    ("wd_paren", re.compile(_WDN + r"\s*\(\s*(?:on\s+)?(?:" + _MON.format(g="m") + r"\s+(?P<d>\d{1,2})"
                            r"(?:st|nd|rd|th)?|(?P<d3>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?"
                            + _MON.format(g="m3") + r")?|(?P<dw>first|second|third|fourth|fifth|sixth|seventh"
                            r"|eighth|ninth|tenth))(?:,?\s+(?P<y>\d{4}))?\s*\)")),
    ("range_md", re.compile(_WD + r"(?:from\s+)?" + _MON.format(g="m") + r"\s+(?P<d>\d{1,2})" + _DASH
                            + r"(?:" + _MON.format(g="m2") + r"\s+)?(?P<d2>\d{1,2})(?!\d)(?:,?\s+(?P<y>\d{4}))?")),
    ("range_dm", re.compile(r"(?:from\s+)?(?P<d>\d{1,2})" + _DASH + r"(?P<d2>\d{1,2})\s+" + _MON.format(g="m")
                            + r"(?:,?\s+(?P<y>\d{4}))?")),
    ("md", re.compile(_WD + _MON.format(g="m") + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:,?\s+(?P<y>\d{4}))?")),
    ("dm", re.compile(_WD + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON.format(g="m")
                      + r"(?:,?\s+(?P<y>\d{4}))?")),
    ("my", re.compile(_MON.format(g="m") + r",?\s+(?P<y>(?:19|20)\d{2})\b")),
    # the word before may open a sentence, "In October last year, ..." (not a title-case headline's "In")
    ("month", re.compile(r"\b(?P<pre>in|since|until|by|from|early|late|mid-|this|next|last|of|during|before|after"
                         r"|(?:(?<![^\n])|(?<=[.!?] ))(?:In|Since|Until|By|From|Early|Late|Mid-|During|Before|After))"
                         r"(?:(?<=-)|\s+)" + _MON.format(g="m") + r"(?!\s*\d)")),
    # "the October meeting", "their March talks": a month naming the meeting word after it
    ("month", re.compile(r"\b(?P<pre>the|their|his|her|its|a)\s+" + _MON.format(g="m")
                         + r"(?=\s+(?:meeting|summit|talks|visit|call|phone call|conversation|trip|session"
                           r"|conference)\b)")),
    ("year", re.compile(r"(?:\b(?:in|since|by|until|from|during|of|for)|(?:(?<![^\n])|(?<=[.!?] ))(?:In|Since|By|Until"
                        r"|From|During))\s+(?:(?:early|late|mid-)(?:(?<=-)|\s+))?(?P<y>(?:19|20)\d{2})\b")),
    ("rel_year", re.compile(r"\b(?P<which>next|last|this|later this|earlier this)\s+year\b", re.I)),
    ("rel_period", re.compile(r"\b(?P<which>(?:earlier |later )?this|last|next|the coming|the next few|the past"
                              r"|over the|at the|during the|on the)\s+(?P<unit>week|weekend|month|days)\b", re.I)),
    # "at the end of the month", "the beginning of next month": that month
    ("rel_period", re.compile(r"\bthe (?:end|beginning|start|middle) of (?P<which>the|this|next|last)"
                              r" (?P<unit>month)\b", re.I)),
    # "in two weeks", "in three days": a plan that far ahead (the month; the day for days)
    ("rel_ahead", re.compile(r"\bin (?P<n>\d+|one|two|three|four|five|six|seven|a) (?P<unit>days?|weeks?|months?)"
                             r"(?:['’]s? time)?\b(?! ago)", re.I)),
    # "two weeks ago", "three months ago": the month the day then falls in
    ("rel_ago", re.compile(r"\b(?P<n>\d+|one|two|three|four|five|six|seven|a)\s+(?P<unit>weeks?|months?)\s+ago\b",
                           re.I)),
    # "on the 24th": a day of this or last (or next) month
    ("nth", re.compile(r"\bon the (?P<d>\d{1,2})(?:st|nd|rd|th)\b(?!\s*(?:of\s+)?[A-Za-z])")),
    ("rel_day", re.compile(r"\b(?P<which>yesterday|today|tonight|tomorrow|this (?:morning|afternoon|evening)"
                           r"|earlier today|later today|(?P<n>\d+|one|two|three|four|five|six|seven|a) days? ago)\b",
                           re.I)),
    ("weekday", re.compile(r"\b(?P<which>last|next|this|on|late on|early on)?\s*"
                           r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
]
#: as scanned: behind a lookahead of their first characters (``kg/lookahead.py``), same matches in half the time
_SCANS = [(kind, re.compile(with_lookahead(p.pattern, p.flags), p.flags)) for kind, p in _PATTERNS]
#: words a pattern cannot match without (same flags: the test is exact), so most sentences skip most patterns
_CUES = {"month": re.compile(r"Jan|Feb|Ma[ry]|Apr|Ju[nl]|Aug|Sep|Oct|Nov|Dec"), "digit": re.compile(r"\d"),
         "year": re.compile(r"year", re.I), "period": re.compile(r"week|month|days", re.I),
         "rel_day": re.compile(r"yesterday|today|tonight|tomorrow|morning|afternoon|evening|ago", re.I)}
_LITERAL_CUES = ("day", "(", "on the")  # case-sensitive words: a substring test is the same test
_NEEDS = {"wd_paren": ("day", "("), "range_md": ("month", "digit"), "range_dm": ("month", "digit"),
          "md": ("month", "digit"), "dm": ("month", "digit"), "my": ("month", "digit"), "month": ("month",),
          "year": ("digit",), "rel_year": ("year",), "rel_period": ("period",), "rel_ago": ("period",),
          "rel_ahead": ("period",),
          "nth": ("on the", "digit"), "rel_day": ("rel_day",), "weekday": ("day",)}
#: what stands before a dateline's date: "DOHA, ", "SHARM EL SHEIKH, Egypt, ", "London (AFP) ", "Seoul, "
_DATELINE = re.compile(r"(?:^|\n)[A-Z][A-Za-z .'/-]{0,40}(?:,\s*[A-Z][A-Za-z .'-]{0,30}){0,2}"
                       r"(?:,|\s*\([^()]{2,30}\))\s*$")
#: a day after these words bounds an event ("resume after June 22") rather than dating it
_BOUND = re.compile(r"\b(?:after|before|until|till|since|by|no later than)\s+(?:the\s+)?$", re.I)
_DAY_KINDS = frozenset({"md", "dm", "weekday", "nth", "wd_paren"})
_AFTER_DATELINE = re.compile(r"\.?\s*(?:\(|/|--|[-–—:]\s)")


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


def _resolve(kind: str, m: re.Match[str], pub: date | None, tense: Tense,
             year_hint: int | None) -> tuple[str | None, Precision | None]:
    """Value and precision of one match; never raises for a date past the calendar's ends."""
    try:
        return _resolve_unsafe(kind, m, pub, tense, year_hint)
    except (OverflowError, ValueError):  # published 9999-12-31 and "tomorrow", or year 1 and "last year"
        return None, _PRECISION.get(kind, "day")


_PRECISION: dict[str, Precision] = {"range_md": "month", "range_dm": "month", "my": "month", "month": "month",
                                    "year": "year", "rel_year": "year", "rel_period": "month",
                                    "rel_ago": "month", "rel_ahead": "month"}


def _resolve_unsafe(kind: str, m: re.Match[str], pub: date | None, tense: Tense,
                    year_hint: int | None) -> tuple[str | None, Precision | None]:
    g = m.groupdict()
    year = int(g["y"]) if g.get("y") else None
    if kind == "wd_paren":
        wd = WEEKDAYS[g["wd"].lower()]
        day = int(g.get("d") or g.get("d3") or 0) or _ORDINAL_WORDS.get((g.get("dw") or "").lower(), 0)
        token = g.get("m") or g.get("m3")
        if token is None:  # "Friday (first)": a day of the month
            if pub is None:
                return None, "day"
            d = nth_day(day, pub, tense)
            if d is None or d.weekday() != wd:
                near = (nth_day(day, pub, "past"), nth_day(day, pub, "future"))
                d = next((c for c in near if c and c.weekday() == wd), None)
            return (fmt(d, "day") if d else None), "day"
        month = _month(token)
        if year:
            return fmt(date(year, month, day), "day"), "day"
        if pub is None:
            return None, "day"
        d = pick_year(month, day, pub, tense, year_hint, wd)
        return (fmt(d, "day") if d else None), "day"
    if kind in ("range_md", "range_dm", "md", "dm"):
        month, day = _month(g["m"]), int(g["d"])
        precision: Precision = "month" if kind.startswith("range") else "day"
        if not 1 <= day <= 31:
            return None, None
        if year:
            return fmt(date(year, month, day), precision), precision
        if pub is None:
            return None, precision
        written = re.match(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", m.group())
        weekday = WEEKDAYS[written.group(1).lower()] if written and precision == "day" else None
        d = pick_year(month, day, pub, tense, year_hint, weekday)
        return (fmt(d, precision) if d else None), precision
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
        return fmt(pick_month(_month(g["m"]), pub, t, year_hint), "month"), "month"
    if pub is None:
        return None, _PRECISION.get(kind, "day")
    if kind == "rel_year":
        year = pub.year + {"next": 1, "last": -1}.get(g["which"].lower(), 0)
        return (str(year) if 1 <= year <= 9999 else None), "year"
    if kind == "rel_period":
        which, unit = " ".join(g["which"].lower().split()), g["unit"].lower()
        which = {"the coming": "next", "the next few": "next", "over the": "", "at the": "", "during the": "",
                 "on the": "", "the": ""}.get(which, which)
        if unit == "days" and which == "next":
            which = "the coming"
        return period_month(which, unit, pub, tense), "month"
    if kind == "rel_ahead":  # (only for a plan: "their first meeting in three months" looks back)
        if tense != "future":
            return None, _PRECISION.get(kind, "day")
        count = int(g["n"]) if g["n"].isdigit() else _NUMBER_WORDS[g["n"].lower()]
        unit = g["unit"].lower()
        if unit.startswith("day"):
            return fmt(pub + timedelta(days=min(count, 3660)), "day"), "day"
        if unit.startswith("week"):
            return fmt(pub + timedelta(weeks=min(count, 520)), "month"), "month"
        months = pub.year * 12 + pub.month - 1 + min(count, 1200)
        return (f"{months // 12:04d}-{months % 12 + 1:02d}" if months // 12 <= 9999 else None), "month"
    if kind == "rel_ago":
        count = int(g["n"]) if g["n"].isdigit() else _NUMBER_WORDS[g["n"].lower()]
        if g["unit"].lower().startswith("week"):
            then = pub - timedelta(weeks=min(count, 520))
            return fmt(then, "month"), "month"
        months = pub.year * 12 + pub.month - 1 - min(count, 1200)
        return (f"{months // 12:04d}-{months % 12 + 1:02d}" if months >= 12 else None), "month"
    if kind == "nth":
        d = nth_day(int(g["d"]), pub, tense)
        return (fmt(d, "day") if d else None), "day"
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
        return fmt(d, "day"), "day"
    if kind == "weekday":
        which = (g["which"] or "on").lower()
        return fmt(nearest_weekday(g["wd"], which, pub, tense), "day"), "day"
    return None, None


def year_hint(text: str, pub: date | None) -> int | None:
    """A "next year" / "last year" in the text fixes the year of a bare month or day."""
    if pub is None:
        return None
    m = re.search(r"\b(next|last) year\b", text, re.I)
    if not m:
        return None
    year = pub.year + (1 if m.group(1).lower() == "next" else -1)
    return year if 1 <= year <= 9999 else None


def _from_period(period: str | None) -> tuple[date | None, int | None]:
    """A stand-in publication date and year for a month-only ("2025-07") or year-only period."""
    if not period:
        return None, None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", period)
    if m is None or not 1 <= int(m.group(1)) <= 9999:
        return None, None
    return None, int(m.group(1))


def find_dates(text: str, published: date | None, tense: Tense = None, base: int = 0, *,
               period: str | None = None) -> list[TemporalExpr]:
    """Temporal expressions in ``text`` (spans shifted by ``base``), in text order, non-overlapping.

    ``tense`` says whether the surrounding clause reports the past or plans the
    future; it decides between last and next Friday, or this or last December.
    A wire dateline ("DOHA, Jan 15 (Agency) -") is returned with kind "dateline".
    Without ``published``, a ``period`` ("2025-07") fixes the year of "Friday (July 4)".
    """
    hint = year_hint(text, published)
    if published is None:
        _, hint = _from_period(period)
    found: list[TemporalExpr] = []
    taken: list[tuple[int, int]] = []
    present = {name for name, cue in _CUES.items() if cue.search(text)}
    present.update(word for word in _LITERAL_CUES if word in text)
    for kind, pattern in _SCANS:
        if not present.issuperset(_NEEDS[kind]):
            continue
        for m in pattern.finditer(text):
            s, e = m.start(), m.end()
            while e > s and text[e - 1] in " ,":
                e -= 1
            if any(s < te and ts < e for ts, te in taken):
                continue
            if kind == "weekday" and not m.group("which"):
                s = m.start("wd")
            if published is None and hint and kind in ("md", "dm", "wd_paren", "range_md", "range_dm", "month"):
                value, precision = _resolve_with_year(kind, m, hint)
            else:
                value, precision = _resolve(kind, m, published, tense, hint)
            k = kind
            if kind in ("md", "dm", "range_md") and _DATELINE.search(text[:s]) and _AFTER_DATELINE.match(text[e:]):
                k = "dateline"
            elif kind in _DAY_KINDS and _BOUND.search(text[max(0, s - 12):s]):
                k = "bound"  # "after June 22", "until Saturday": a limit, not the event's day (callers decide)
            taken.append((s, e))
            found.append(TemporalExpr(Span(base + s, base + e), text[s:e], value, precision, k))
    found.sort(key=lambda t: t.span.start)
    return found


def _resolve_with_year(kind: str, m: re.Match[str], year: int) -> tuple[str | None, Precision | None]:
    """A year-less date or month when only the year (from ``period``) is known."""
    g = m.groupdict()
    if g.get("y"):
        year = int(g["y"])
    token = g.get("m") or g.get("m3")
    if token is None:
        return None, "day"
    month = _month(token)
    if kind == "month" or kind.startswith("range"):
        return f"{year:04d}-{month:02d}", "month"
    day = int(g.get("d") or g.get("d3") or 0)
    try:
        d = date(year, month, day)
    except ValueError:
        return None, "day"
    if kind == "wd_paren" and d.weekday() != WEEKDAYS[g["wd"].lower()]:
        return None, "day"  # the weekday contradicts the year: leave it, do not guess
    return d.isoformat(), "day"
