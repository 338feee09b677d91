"""Publication dates as news sites write them, to timezone-aware datetimes.

A small parser of our own instead of a dependency: bylines, readouts and HTML
meta use a handful of shapes ("January 14, 2025 2:13 AM", "Jan. 14, 2025",
"Tuesday, 20 May 2025", "Sun 2 Mar 2025 19.40 GMT", "23rd November, 2025",
ISO 8601, and numeric stamps "27.02.2025 15:45", "1/28/2025 2:04:41 AM"). A date
without a time is midnight UTC; a time without a zone is taken as UTC so the day
never shifts. A year written with a minus sign is not a date we can represent, so
it is refused rather than read without its sign.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

from kg.lookahead import with_lookahead

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
ZONES = {
    "utc": 0, "gmt": 0, "z": 0, "wet": 0, "bst": 1, "cet": 1, "west": 1, "cest": 2, "eet": 2,
    "eest": 3, "msk": 3, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6,
    "pst": -8, "pdt": -7, "jst": 9, "kst": 9, "ist": 5.5, "aest": 10, "aedt": 11,
}


def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A date pattern behind a lookahead of its first characters (``kg/lookahead.py``): same matches, faster
    over the long lines and bodies they are searched in."""
    return re.compile(with_lookahead(pattern, flags), flags)


_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?,?\s+)?"
_TIME = (r"(?:(?:,|\s+at|\s*[-–—|])?\s*(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
         r"\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*(?P<zone>[A-Za-z]{1,5}\b|[+-]\d{2}:?\d{2}))?)?")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
#: a year; "20255 min read" is a year glued to a reading time by the page dump
_YEAR = r"(?P<year>\d{4})(?:\b|(?=\d{1,2}\s*min))"
_MDY = _compile(rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}{_TIME}", re.IGNORECASE)
_DMY = _compile(rf"\b{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}{_TIME}", re.IGNORECASE)
_ISO = _compile(r"(?<![\d/-])(\d{4}(?:-\d{2}-\d{2}|/\d{2}/\d{2}(?![/\d])))(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*"
                  r"(Z|[+-]\d{2}:?\d{2})?)?\b")
#: numeric stamps: "27.02.2025", "12-03-2025" (day first), "1/28/2025" (month first when the day cannot be
#: a month or an AM/PM time follows, as US sites write it; else day first)
_NUMERIC = _compile(r"(?<![\d./-])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)" + _YEAR
                      + r"(?![./-]\d)" + _TIME, re.IGNORECASE)
#: a stamp line with a two-digit year ("17.02.25"): only as a whole line
_NUMERIC_SHORT = re.compile(r"(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?P<year>\d{2})")
_FOUR_DIGITS = re.compile(r"\d{4}")
_MONTH_DAY = _compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})\b", re.IGNORECASE)


def _zone(text: str | None) -> timezone:
    if not text:
        return UTC
    if text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        digits = text[1:].replace(":", "")
        return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))
    hours = ZONES.get(text.lower())
    return timezone(timedelta(hours=hours)) if hours is not None else UTC


def _negative(m: re.Match[str]) -> bool:
    """A year written with a minus sign ("-2025-03-05"): not a date we can represent."""
    return m.string[max(0, m.start() - 1):m.start()] in ("-", "\u2212")


def _from_match(m: re.Match[str]) -> datetime | None:
    if "a" in m.re.groupindex:
        a, b = int(m.group("a")), int(m.group("b"))
        us = m.group("sep") == "/" and (b > 12 or (a <= 12 and bool(m.group("ampm"))))
        month, day_of_month = (a, b) if us else (b, a)
    else:
        month, day_of_month = MONTHS[m.group("month").lower().rstrip(".")], int(m.group("day"))
    try:
        day = date(int(m.group("year")), month, day_of_month)
    except ValueError:
        return None
    hour, minute = m.group("hour"), m.group("minute")
    if hour is None or minute is None:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    h, mi, s = int(hour), int(minute), int(m.group("second") or 0)
    ampm = (m.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and h < 12:
        h += 12
    elif ampm == "am" and h == 12:
        h = 0
    if h > 23 or mi > 59 or s > 59:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    zone = m.group("zone")
    if zone and zone.lower() not in ZONES and zone[0] not in "+-":
        zone = None  # a word that follows the time ("2 min read"), not a zone
    return datetime(day.year, day.month, day.day, h, mi, s, tzinfo=_zone(zone))


def _from_iso(m: re.Match[str]) -> datetime | None:
    text = m.group(1).replace("/", "-") + ("T" + m.group(2) if m.group(2) else "")  # "2025/03/12" too
    if _negative(m):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.replace(tzinfo=_zone(m.group(3)))


@lru_cache(maxsize=4096)
def search_date(text: str) -> tuple[datetime, int, int] | None:
    """The first full date (with its time, if any) in ``text`` and where it is written.

    Kept per text: the head of a page asks this of the same lines several times.
    """
    if not _FOUR_DIGITS.search(text):
        return None  # every full date has a four-digit year: most lines are skipped at once
    found: list[tuple[datetime, int, int]] = []
    for pattern, convert in ((_ISO, _from_iso), (_MDY, _from_match), (_DMY, _from_match),
                             (_NUMERIC, _from_match)):
        for m in pattern.finditer(text):
            value = convert(m)
            if value is not None:
                found.append((value, m.start(), m.end()))
                break
    return min(found, key=lambda item: item[1]) if found else None


def find_date(text: str) -> datetime | None:
    found = search_date(text)
    return found[0] if found else None


def parse_date(text: str) -> datetime | None:
    """``text`` as a date when it is essentially nothing but one."""
    if re.match(r"\s*[-\u2212]\s*\d", text):
        return None  # a negative year: refused, never read as a positive one
    value = find_date(text)
    if value is None:
        m = _NUMERIC_SHORT.fullmatch(text.strip())
        if m is None:
            return None
        try:
            return datetime(2000 + int(m.group("year")), int(m.group("b")), int(m.group("a")), tzinfo=UTC)
        except ValueError:
            return None
    rest = text
    for pattern in (_ISO, _MDY, _DMY, _NUMERIC):
        rest = pattern.sub(" ", rest)
    return value if len(re.sub(r"[\W_]+", "", rest)) <= 12 else None


def is_date_line(line: str) -> bool:
    """A line that only states a date ("June 6, 2025", "Tuesday, 20 May 2025")."""
    return len(line) <= 60 and parse_date(line) is not None


def month_day(text: str) -> tuple[int, int] | None:
    """Month and day of a year-less date such as "Jan 15" or "March 6"."""
    m = _MONTH_DAY.search(text)
    if not m:
        return None
    month, day = MONTHS[m.group("month").lower().rstrip(".")], int(m.group("day"))
    try:
        date(2024, month, day)  # a leap year accepts every valid month/day
    except ValueError:
        return None
    return month, day


def full_dates(text: str) -> list[date]:
    """Every complete month-day-year date written in ``text``."""
    out: list[date] = []
    for pattern in (_MDY, _DMY):
        for m in pattern.finditer(text):
            value = _from_match(m)
            if value is not None:
                out.append(value.date())
    return out
