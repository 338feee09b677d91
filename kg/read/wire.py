"""Wire stories: a ``CITY, Month D (Agency) -`` dateline with no year.

The year is inferred from the body, strongest evidence first:
1. a complete date near the dateline ("Sunday, Jan. 19, 2025") fixes it;
2. otherwise years mentioned in the text bound it: a past event ("entered into
   force in September 2024") happened before the story, a future one ("will take
   over in 2026") after it, and a plain mention ("30.6 billion euros in 2025")
   suggests the current year.
With no year anywhere the date stays unknown rather than guessed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from kg.lookahead import with_lookahead
from kg.read.dates import MONTHS, full_dates

DATELINE = re.compile(
    r"^(?P<city>[A-Z][\w .'’-]{0,40}?),\s+(?:[A-Z][\w .'’-]{0,30}?,\s+)?(?P<md>(?:"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?\s+\d{1,2})\s*\((?P<agency>[^()]{2,60})\)\s*[-–—]+\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
#: any year-less dateline, for the publication date only: also "KAZAN, October 22. /TASS/.",
#: "MOSCOW, June 19 (AFP):" and "May 19 (UPI) --" (no city)
DATELINE_LOOSE = re.compile(
    r"^(?:(?P<city>[A-Z][\w .'’/-]{0,40}?),\s+(?:[A-Z][\w .'’-]{0,30}?,\s+)?)?(?P<md>(?:"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?\s+\d{1,2})\.?\s*(?:\([^()]{2,60}\)|/[^/]{2,40}/)\s*(?:[-–—:.]+|$)",
    re.IGNORECASE,
)
_YEAR = re.compile(with_lookahead(r"\b(?:(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True))
                   + r")\.?\s+|(?:in|of|since|by|until|till|from|for|early|late|mid|during|before|after|the|a|an|as|"
                   r"its|their)\s+|\w+['’]s\s+|(?-i:[A-Z][a-z]+)\s+)"
                   r"(?P<year>(?:19|20)\d{2})\b(?![-/]\d)", re.IGNORECASE), re.IGNORECASE)
_FUTURE = re.compile(r"\b(?:will|shall|is due|are due|is set to|are set to|is expected|are expected|next|"
                     r"plans? to|upcoming|scheduled)\b", re.IGNORECASE)
_NEUTRAL = re.compile(r"\b(?:would|could|should|might|may)\b", re.IGNORECASE)
_PAST = re.compile(r"\b(?:[Ww]as|[Ww]ere|had|did|ago|last|since|took|broke|began|came|held|won|fell|led|"
                   r"(?!need|speed|indeed|proceed|exceed|succeed|feed|seed)[a-z]{2,}ed)\b")
#: a complete date this many days or fewer from the dateline fixes the year
NEAR_DAYS = 200


def _clause_before(text: str, index: int) -> str:
    """The clause that leads up to position ``index``: since the last comma or sentence end."""
    start = max(text.rfind(",", 0, index), text.rfind(". ", 0, index), text.rfind("\n", 0, index))
    return text[start + 1:index]


def _safe(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # 29 February in a common year
        return date(year, month, 28)


def infer_year(month: int, day: int, body: str) -> int | None:
    """The most plausible year of a dateline's month and day, given the story text."""
    near: list[tuple[int, int]] = []
    for full in full_dates(body):
        best = min((full.year - 1, full.year, full.year + 1),
                   key=lambda y: abs((_safe(y, month, day) - full).days))
        gap = abs((_safe(best, month, day) - full).days)
        if gap <= NEAR_DAYS:
            near.append((gap, best))
    if near:
        return min(near)[1]

    lower, upper, hints = 0, 10_000, []
    for m in _YEAR.finditer(body):
        year = int(m.group("year"))
        mentioned_month = MONTHS[m.group("month").lower()] if m.group("month") else None
        clause = _clause_before(body, m.start())
        sentence_end = body.find(".", m.end())
        tail = body[m.end(): sentence_end if sentence_end >= 0 else len(body)]
        if _FUTURE.search(clause):
            # "in 2026" said of the future is at least next year; "in September 2026" may be this year
            upper = min(upper, year if mentioned_month and mentioned_month > month else year - 1)
        elif _NEUTRAL.search(clause):
            hints.append(year)
        elif _PAST.search(clause) or _PAST.search(tail.split(",")[0]):
            later = mentioned_month is not None and mentioned_month > month
            lower = max(lower, year + 1 if later else year)
        else:
            hints.append(year)
    if lower > upper:
        return None
    fitting = [y for y in hints if lower <= y <= upper]
    if fitting:
        return max(fitting)
    if lower:
        return lower
    if upper < 10_000:
        return upper
    return None


def dateline_date(md: str, body: str) -> datetime | None:
    """Midnight UTC of the dateline's day, in the inferred year (None when no year can be inferred)."""
    parts = md.replace(".", " ").split()
    month, day = MONTHS[parts[0].lower()], int(parts[1])
    year = infer_year(month, day, body)
    if year is None:
        return None
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
