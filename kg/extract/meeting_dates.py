"""Which date a meeting has: the date phrase that belongs to the meeting word, not to the saying.

"Starmer said on Sunday" dates the saying; "Merz, sworn in on May 6, was making his first trip"
dates the swearing-in. "Two days later" and "during the visit" borrow the previous meeting's date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from kg.extract import clauses as cl
from kg.extract.dates import TemporalExpr, Tense, find_dates
from kg.extract.text import Sentence
from kg.model import EntityRef, Span

_REPORTED = re.compile(r"\b(?:said|says|reported|reports|told|announced|added|stated|wrote|according)\s+(?:\w+\s+)?$")
_OTHER_EVENT = re.compile(r"\b(?:sworn in|took office|launched|began|started|elected|born|died|established|founded"
                          r"|created|formed|set up|signed|ratified)\s+(?:\w+\s+)?$"
                          r"|\bthan\s+(?:\w+\s+){0,3}$")  # "lower than that provided in 2024": what it is compared with
_RELATIVE_DAYS = re.compile(r"\b(?P<n>a|one|two|three|four|five|six|\d+) days? (?P<dir>later|earlier|before|after)\b"
                            r"|\bthe (?P<dir2>next|following|previous) day\b|\bthe day before\b|\bthe same day\b"
                            r"|\bearlier that day\b|\blater that day\b", re.I)
_SETTING = re.compile(r"\b(?:during|after|at|before|on the sidelines of|on the margins of|in)"
                      r" (?:the|that|this|a break in the)"
                      r" (?:visit|summit|meeting|talks|call|conference|trip|session|gathering)\b"
                      r"|\bon the (?:sidelines|margins)\b", re.I)
_SINCE = re.compile(r"\bsince\b", re.I)
_NUMS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def dates_in(text: str, chunk: str, base: int, pub: date | None, tense: Tense,
             period: str | None = None) -> list[TemporalExpr]:
    return list(_dates_in(text, chunk, base, pub, tense, period))


@lru_cache(maxsize=256)
def _parsed(chunk: str, base: int, pub: date | None, tense: Tense, period: str | None) -> tuple[TemporalExpr, ...]:
    """Every candidate of a sentence asks for the same clause and sentence: parse each once (linear, not
    quadratic, in a long sentence)."""
    return tuple(find_dates(chunk, pub, tense, base, period=period))


@lru_cache(maxsize=256)
def _dates_in(text: str, chunk: str, base: int, pub: date | None, tense: Tense,
              period: str | None) -> tuple[TemporalExpr, ...]:
    return tuple(d for d in _parsed(chunk, base, pub, tense, period)
                 if d.kind not in ("dateline", "rel_year") and d.value
                 and (d.kind != "year" or re.match(r"in\b", d.text))
                 and not _OTHER_EVENT.search(text[max(0, d.span.start - 30):d.span.start]))


def unresolved(chunk: str, base: int, pub: date | None, tense: Tense, period: str | None) -> bool:
    """"the October meeting" with no year known, "over the weekend" across two months: the meeting has a
    date of its own, not another event's, nor the day of the report (the clause as parsed for pick_date)."""
    return any(d.value is None and d.kind in ("month", "md", "dm", "rel_period")
               for d in _parsed(chunk, base, pub, tense, period))


def pick_date(text: str, clause: cl.Clause, sent: Sentence, pos: int, pub: date | None,
               tense: Tense, own_clause: bool = False, period: str | None = None) -> TemporalExpr | None:
    """The date of the meeting a trigger names: after it in the clause, else at the head of clause or sentence.

    A date in the middle of the clause before the trigger usually belongs to another verb
    ("Merz, sworn in on May 6, was making his first trip"); a date after "said" dates the saying.
    """
    in_clause = dates_in(text, clause.text, clause.start, pub, tense, period)
    said = [d for d in in_clause if _REPORTED.search(text[max(0, d.span.start - 30):d.span.start])]
    fresh = [d for d in in_clause if d not in said]
    after = [d for d in fresh if d.span.start >= pos]
    if after:
        return after[0]
    head = [d for d in fresh if d.span.start - clause.start < 30 or d.span.start - sent.start < 30]
    if head:
        return head[-1]
    if own_clause:
        return None
    # "his first visit since the war began on February 24, 2022": a date after "since" dates what came before
    in_sent = [d for d in dates_in(text, sent.text, sent.start, pub, tense, period)
               if not _REPORTED.search(text[max(0, d.span.start - 30):d.span.start])
               and not (d.span.start > pos and _SINCE.search(text, pos, d.span.start))]
    head = [d for d in in_sent if d.span.start - sent.start < 30 or d.span.start > pos]
    if head:
        return min(head, key=lambda d: abs(d.span.start - pos))
    if fresh:
        return fresh[-1]
    if tense == "past":
        said_sent = [d for d in dates_in(text, sent.text, sent.start, pub, tense, period) if d.span.start < pos]
        first = said or said_sent
        return first[0] if first else None
    return None


def shift(prev: TemporalExpr | None, sent: Sentence, text: str, pos: int,
           own: TemporalExpr | None = None) -> TemporalExpr | None:
    """"Two days later", "the same day", "during the visit": a date relative to the previous meeting's
    (or to the other event the sentence dates: "the talks came three days after ... on Friday")."""
    prev = own or prev
    if prev is None or prev.value is None:
        return None
    m = _RELATIVE_DAYS.search(sent.text)
    if m is None:
        return prev if _SETTING.search(sent.text) or re.search(r"\b(?:then|afterwards|later)\b(?! this| that)",
                                                               sent.text) else None
    if len(prev.value) != 10:
        return prev
    word = m.group().lower()
    n = 0
    if m.group("n"):
        n = _NUMS.get(m.group("n").lower(), 0) or int(m.group("n"))
        n = n if m.group("dir").lower() in ("later", "after") else -n
        if m.group("dir").lower() == "after" and sent.start + m.end() <= pos:
            n = -n  # "two days after <the meeting>": the meeting came first
    elif "next" in word or "following" in word:
        n = 1
    elif "previous" in word or "before" in word:
        n = -1
    try:
        d = date.fromisoformat(prev.value) + timedelta(days=n)
    except OverflowError:  # "the next day" after 9999-12-31: unresolved, never a crash
        return None
    return TemporalExpr(Span(sent.start + m.start(), sent.start + m.end()), m.group(), d.isoformat(), "day", "relative")


def same_trip(parties: list[EntityRef], lead_dates: list[tuple[list[EntityRef], str]]) -> str | None:
    """The month of the lead's event when an undated meeting held shares a leader (or a country, for an
    official named by surname) with it: in a report of a trip ("before the meeting, Modi held talks with ...",
    "while in Rome, Vance also met ..."), the other talks held are in the same month."""
    sides = {p for p in parties if p.kind in ("leader", "country")}
    return next((day[:7] for refs, day in lead_dates if sides & set(refs)), None)


#: a held meeting dated this many days or more before the article is an event of its own
LONG_AGO_DAYS = 45


def long_ago(when: TemporalExpr | None, status: str, pub: date | None) -> bool:
    """A meeting held on a day told, weeks before the article: never the undated event the article reports."""
    if when is None or not when.value or pub is None or status != "held" or len(when.value) < 7:
        return False
    day = date.fromisoformat(when.value if len(when.value) == 10 else when.value + "-28")
    return (pub - day).days >= LONG_AGO_DAYS
