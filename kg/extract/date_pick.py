"""Which date a bare day, month, weekday or period means: the nearest one to the publication date,
looking back for what happened (``tense`` "past") and forward for what is planned ("future")."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

Tense = Literal["past", "future"] | None
Precision = Literal["day", "month", "year"]
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}


def fmt(d: date, precision: Precision) -> str:
    return {"day": d.isoformat(), "month": d.isoformat()[:7], "year": str(d.year)}[precision]


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def pick_year(month: int, day: int, pub: date, tense: Tense, year_hint: int | None,
               weekday: int | None = None) -> date | None:
    """The year that puts month/day nearest the publication date, biased by tense.

    The year is chosen as if the day existed in every year, then the date must exist:
    "Feb. 29" in a 2025 article is not moved to 2024. A weekday written with the date
    picks, among the near years, the one where it falls on that weekday.
    """
    if year_hint:
        try:
            return date(year_hint, month, day)
        except ValueError:
            return None
    if day > 31 or (month == 2 and day > 29) or (month in (4, 6, 9, 11) and day > 30):
        return None
    scored: list[tuple[int, int]] = []
    for y in (pub.year - 1, pub.year, pub.year + 1):
        if not 1 <= y <= 9999:
            continue
        near = date(y, month, min(day, last_day(y, month)))
        delta = (near - pub).days
        cost = abs(delta) + (200 if (tense == "past" and delta > 2) or (tense == "future" and delta < -2) else 0)
        scored.append((cost, y))
    if weekday is not None:
        fitting = [(c, y) for c, y in scored if day <= last_day(y, month) and date(y, month, day).weekday() == weekday]
        if fitting:
            scored = fitting
    if not scored:
        return None
    year = min(scored)[1]
    try:
        return date(year, month, day)
    except ValueError:
        return None


def pick_month(month: int, pub: date, tense: Tense, year_hint: int | None) -> date:
    if year_hint:
        return date(year_hint, month, 1)
    if tense == "future":
        return date(pub.year if month >= pub.month else pub.year + 1, month, 1)
    if tense == "past" or month <= pub.month:
        return date(pub.year if month <= pub.month else pub.year - 1, month, 1)
    # no tense and a later month this year: the nearer of the two
    ahead, back = month - pub.month, pub.month + 12 - month
    return date(pub.year if ahead <= back else pub.year - 1, month, 1)


def nearest_weekday(name: str, which: str, pub: date, tense: Tense) -> date:
    """Held events: the most recent such day (that day itself in a same-day report); planned: the next."""
    wd = WEEKDAYS[name.lower()]
    back = (pub.weekday() - wd) % 7
    ahead = (wd - pub.weekday()) % 7
    if which == "last":
        return pub - timedelta(days=back or 7)
    if which == "next":
        return pub + timedelta(days=ahead or 7)
    return pub + timedelta(days=ahead) if tense == "future" else pub - timedelta(days=back)


def nth_day(day: int, pub: date, tense: Tense) -> date | None:
    """"On the 24th": this month's, else the month before (held) or after (planned)."""
    if not 1 <= day <= 31:
        return None
    prev = (pub.year - (pub.month == 1), 12 if pub.month == 1 else pub.month - 1)
    nxt = (pub.year + (pub.month == 12), 1 if pub.month == 12 else pub.month + 1)
    this = date(pub.year, pub.month, day) if day <= last_day(pub.year, pub.month) else None
    if this is not None and (tense is None or (tense == "past") == (this <= pub)):
        return this
    y, mo = prev if tense != "future" else nxt
    return date(y, mo, day) if day <= last_day(y, mo) else None


def span_month(first: date, last: date) -> str | None:
    """The month holding most of the days from ``first`` to ``last``; None when none holds most."""
    days = (last - first).days + 1
    counts: dict[str, int] = {}
    for i in range(days):
        key = (first + timedelta(days=i)).isoformat()[:7]
        counts[key] = counts.get(key, 0) + 1
    month, n = max(counts.items(), key=lambda kv: kv[1])
    return month if n * 2 > days else None


def period_month(which: str, unit: str, pub: date, tense: Tense) -> str | None:
    """"Earlier this week", "over the weekend", "next month": the month these days fall in."""
    monday = pub - timedelta(days=pub.weekday())
    if unit == "month":
        if which == "last":
            return fmt(pub.replace(day=1) - timedelta(days=1), "month")
        if which == "next":
            return fmt(pub.replace(day=last_day(pub.year, pub.month)) + timedelta(days=1), "month")
        return fmt(pub, "month")
    if unit == "days":
        if which == "the past":
            return span_month(pub - timedelta(days=4), pub)
        return span_month(pub + timedelta(days=1), pub + timedelta(days=5))
    if unit == "week":
        first, last = {
            "last": (monday - timedelta(days=7), monday - timedelta(days=1)),
            "next": (monday + timedelta(days=7), monday + timedelta(days=13)),
            "earlier this": (monday, pub), "later this": (pub, monday + timedelta(days=6)),
        }.get(which, (monday, monday + timedelta(days=6)))
        return span_month(first, last)
    # the weekend: the one just past for what happened, the coming one for what is planned
    saturday = monday + timedelta(days=5)
    if which == "last" or (which != "next" and tense != "future" and pub.weekday() < 5):
        saturday -= timedelta(days=7)
    elif which == "next" or (tense == "future" and pub.weekday() == 6):
        saturday += timedelta(days=7)
    return span_month(saturday, saturday + timedelta(days=1))
