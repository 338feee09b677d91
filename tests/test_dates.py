"""Temporal expressions resolve the way a reader resolves them against the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from kg.extract.dates import find_dates

JAN14 = date(2025, 1, 14)  # a Tuesday


@pytest.mark.parametrize(("text", "published", "tense", "value"), [
    # explicit dates, with and without year
    ("in a phone call on Jan. 13.", JAN14, "past", "2025-01-13"),
    ("on June 7, 2024, in Paris", JAN14, "past", "2024-06-07"),
    ("Sunday, Jan. 19, 2025", JAN14, "future", "2025-01-19"),
    ("Published 1 March 2025", JAN14, None, "2025-03-01"),
    ("Tuesday, 20 May 2025", None, None, "2025-05-20"),
    # a December date in a January article is last year's; a planned one next year's is not
    ("in a meeting on Dec. 18.", JAN14, "past", "2024-12-18"),
    ("the talks on March 24", date(2025, 3, 19), "future", "2025-03-24"),
    # weekdays: back for what happened (same day allowed), forward for what is planned
    ("will hold a meeting on Friday", date(2025, 4, 1), "future", "2025-04-04"),
    ("said on Sunday", date(2025, 2, 17), "past", "2025-02-16"),
    ("agreed on Thursday", date(2025, 10, 30), "past", "2025-10-30"),
    ("opens on Friday", date(2025, 10, 30), "future", "2025-10-31"),
    ("on Thursday, May 15,", date(2025, 5, 11), "future", "2025-05-15"),
    ("last Friday", date(2025, 7, 18), None, "2025-07-11"),
    # relative days
    ("yesterday evening", date(2025, 3, 1), "past", "2025-02-28"),
    ("the summit in London tomorrow", date(2025, 3, 1), "future", "2025-03-02"),
    ("two days ago", date(2025, 3, 1), "past", "2025-02-27"),
    # week-level and vaguer: month precision
    ("last week", date(2025, 2, 17), "past", "2025-02"),
    ("later this month", date(2025, 2, 17), "future", "2025-02"),
    ("in the coming days", date(2025, 9, 5), "future", "2025-09"),
    ("next week", date(2025, 6, 26), "future", "2025-07"),
    ("next month", date(2025, 1, 21), "future", "2025-02"),
    ("last month", date(2024, 11, 27), "past", "2024-10"),
    # bare months: last September for the past, next April for a plan
    ("last met in September", date(2025, 1, 21), "past", "2024-09"),
    ("to travel to Washington in February", date(2025, 1, 21), "future", "2025-02"),
    ("would visit China in April", date(2025, 10, 30), "future", "2026-04"),
    ("Next year's summit will be held in Ankara in July.", date(2025, 6, 25), "future", "2026-07"),
    ("since February 2024", JAN14, None, "2024-02"),
    # several days: the month
    ("taking place from June 15 to 17, 2025", JAN14, "future", "2025-06"),
    ("in Rome on 10 and 11 July", date(2025, 5, 20), "future", "2025-07"),
    ("on March 27-28", date(2025, 4, 1), "past", "2025-03"),
    ("in 2024", JAN14, None, "2024"),
])
def test_resolves(text: str, published: date | None, tense: str | None, value: str) -> None:
    found = find_dates(text, published, tense)  # type: ignore[arg-type]
    assert [d.value for d in found if d.kind != "rel_year"][-1] == value, found


@pytest.mark.parametrize("text", ["yesterday", "on Friday", "last week", "on Dec. 18", "in September"])
def test_without_publication_date_relative_expressions_stay_unresolved(text: str) -> None:
    (found,) = find_dates(text, None, "past")
    assert found.value is None


def test_spans_index_the_text_with_base_offset() -> None:
    text = "Zelensky met Stubb in Helsinki on March 19, a day after the call."
    (found,) = find_dates(text, date(2025, 3, 19), "past", base=100)
    assert text[found.span.start - 100:found.span.end - 100] == "March 19"
    assert found.text == "March 19" and found.precision == "day"


def test_wire_dateline_is_marked() -> None:
    found = find_dates("DOHA, Jan 15 (Meridian Wire) - Israel and Hamas agreed on Wednesday",
                       date(2025, 1, 15), "past")
    assert [(d.kind, d.value) for d in found] == [("dateline", "2025-01-15"), ("weekday", "2025-01-15")]


@pytest.mark.parametrize("text", ["Putin may agree", "troops march on", "It may be June-ish", "a 30-day pause"])
def test_words_that_look_like_dates_are_not(text: str) -> None:
    assert find_dates(text, JAN14, None) == []
