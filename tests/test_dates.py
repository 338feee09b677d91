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
    ("two weeks ago", date(2025, 3, 12), "past", "2025-02"),  # the week is known, so the month
    ("three months ago", date(2025, 2, 17), "past", "2024-11"),
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
    # a part of a year or month: the year or month
    ("in early 2024", JAN14, None, "2024"),
    ("talks in mid-2023", JAN14, None, "2023"),
    ("met in mid-July", date(2025, 6, 3), "past", "2024-07"),
    ("Mid-July talks are planned", date(2025, 6, 3), "future", "2025-07"),
    # a month naming the meeting word after it
    ("commitments made at their October meeting", date(2025, 6, 3), "past", "2024-10"),
    ("the March summit in Rome", date(2025, 6, 3), "future", "2026-03"),
    # a part of this or next month, and a plan some weeks or days ahead
    ("will meet at the end of the month", date(2025, 6, 4), "future", "2025-06"),
    ("to meet in two weeks", date(2025, 6, 24), "future", "2025-07"),
    ("talks in 10 days", date(2025, 6, 4), "future", "2025-06-14"),
])
def test_resolves(text: str, published: date | None, tense: str | None, value: str) -> None:
    found = find_dates(text, published, tense)  # type: ignore[arg-type]
    assert [d.value for d in found if d.kind != "rel_year"][-1] == value, found


def test_a_plan_some_weeks_ahead_is_no_date_of_what_was_held() -> None:
    """"their first meeting in three months" looks back: no date ahead of the report."""
    assert [d.value for d in find_dates("their first meeting in three months", date(2025, 6, 4), "past")] == [None]


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


# --- forms of real news ---------------------------------------------------------------------------

TUE_SEP2 = date(2025, 9, 2)  # a Tuesday


@pytest.mark.parametrize(("text", "published", "tense", "value"), [
    # a weekday with the date in brackets: the weekday picks the year among the near ones
    ("the two leaders met on Friday (29 August) in Osaka", TUE_SEP2, "past", "2025-08-29"),
    ("talks on Wednesday (3 September)", date(2025, 8, 30), "future", "2025-09-03"),
    ("the call on Friday (first) with his counterpart", date(2024, 3, 4), "past", "2024-03-01"),
    # a year written in the brackets is taken as written, even if the weekday disagrees
    ("during their meeting on Tuesday (January 21, 2024)", None, "past", "2024-01-21"),
    # ordinals, "of", a comma before the year
    ("signed on 23rd November", date(2025, 11, 24), "past", "2025-11-23"),
    ("arrived on November 22nd", date(2025, 11, 24), "past", "2025-11-22"),
    ("on the 23rd of November, 2025", None, None, "2025-11-23"),
    # several days: the month
    ("talks on 29-30 August", TUE_SEP2, "past", "2025-08"),
    ("a summit on Aug. 29-30", TUE_SEP2, "past", "2025-08"),
    # a day of the month alone: this month's when it fits the tense, else the month before or after
    ("the envoys met on the 24th.", date(2025, 11, 26), "past", "2025-11-24"),
    ("the envoys met on the 28th.", date(2025, 11, 26), "past", "2025-10-28"),
    ("they will meet on the 3rd.", date(2025, 11, 26), "future", "2025-12-03"),
    # weeks and weekends: the month that holds most of their days
    ("earlier this week", date(2025, 10, 1), "past", "2025-09"),  # Mon 29 Sep to Wed 1 Oct
    ("this week", date(2025, 10, 1), None, "2025-10"),
    ("talks held over the weekend", date(2025, 12, 1), "past", "2025-11"),  # Sat 29 and Sun 30 Nov
    ("a summit at the weekend", date(2025, 11, 26), "future", "2025-11"),
    ("next month", date(2025, 12, 5), "future", "2026-01"),
    ("in February", date(2025, 1, 21), "future", "2025-02"),
    ("in February", date(2025, 1, 21), "past", "2024-02"),
    ("today", TUE_SEP2, None, "2025-09-02"),
    ("tonight", TUE_SEP2, "future", "2025-09-02"),
    # weekdays: held -> the last such day, planned -> the next, a same-day report -> that day
    ("met on Monday", TUE_SEP2, "past", "2025-09-01"),
    ("will meet on Monday", TUE_SEP2, "future", "2025-09-08"),
    ("meet on Tuesday", TUE_SEP2, "future", "2025-09-02"),
    ("met on Tuesday", TUE_SEP2, "past", "2025-09-02"),
])
def test_real_news_forms(text: str, published: date | None, tense: str | None, value: str) -> None:
    found = find_dates(text, published, tense)  # type: ignore[arg-type]
    assert [d.value for d in found][-1] == value, found


def test_a_full_dateline_is_marked_and_the_weekday_after_it_resolves() -> None:
    text = "JOHANNESBURG, 23rd November, 2025 (Test Wire) -- the leaders met on Sunday"
    found = find_dates(text, date(2025, 11, 23), "past")
    assert [(d.kind, d.value) for d in found] == [("dateline", "2025-11-23"), ("weekday", "2025-11-23")]


def test_a_bound_is_not_the_day_of_the_event() -> None:
    (found,) = find_dates("talks will resume after June 22", date(2025, 6, 14), "future")
    assert found.kind == "bound"


def test_a_month_only_period_fixes_the_year_of_a_bare_date() -> None:
    (found,) = find_dates("a call on Friday (July 4)", None, "past", period="2025-07")
    assert found.value == "2025-07-04"
    (wrong,) = find_dates("a call on Friday (July 5)", None, "past", period="2025-07")
    assert wrong.value is None  # 5 July 2025 is a Saturday: not guessed


def test_a_weekday_and_date_without_any_year_stay_unresolved() -> None:
    (found,) = find_dates("they met on Friday (29 August)", None, "past")
    assert found.value is None


# --- hostile input (issue 17, item 10) ---------------------------------------------------------------

@pytest.mark.parametrize("text", ["tomorrow", "next week", "next month", "next year", "on Friday",
                                  "on Jan. 3", "on the 2nd", "in the coming days"])
def test_the_end_of_the_calendar_leaves_dates_unresolved_without_crashing(text: str) -> None:
    found = find_dates(text, date(9999, 12, 31), "future")
    assert found and all(d.value is None or d.value.startswith("9999") for d in found)


def test_the_start_of_the_calendar_does_not_crash() -> None:
    assert [d.value for d in find_dates("yesterday, last week and last year", date(1, 1, 1), "past")] \
        == [None, None, None]


def test_feb_29_is_not_moved_to_another_year() -> None:
    (found,) = find_dates("the summit on Feb. 29", date(2025, 3, 5), "past")
    assert found.value is None  # 2025 has no 29 February: left unresolved, not guessed as 2024-02-29
    (leap,) = find_dates("the summit on Feb. 29", date(2024, 3, 5), "past")
    assert leap.value == "2024-02-29"


def test_impossible_days_stay_unresolved() -> None:
    assert [d.value for d in find_dates("on April 31 and on Feb. 30", date(2025, 5, 5), "past")] == [None, None]


@pytest.mark.parametrize("published", ["9999-12-31T00:00:00Z", "0001-01-01"])
def test_an_article_at_the_ends_of_the_calendar_is_extracted_without_crashing(published: str) -> None:
    import json

    from kg.extract import extract
    from kg.read import read_text

    text = ("French President Emmanuel Macron will meet German Chancellor Olaf Scholz in Berlin tomorrow. "
            "They spoke yesterday, last week and on Monday. Next month and next year they meet again.")
    article = read_text(json.dumps({"title": "Leaders to meet", "published": published, "text": text}))
    facts = extract(article)
    assert facts.meetings and all(m.date is None or 1 <= int(m.date[:4]) <= 9999 for m in facts.meetings)


def test_a_month_or_year_opening_a_sentence_is_a_date() -> None:
    pub = date(2025, 8, 31)
    assert [(d.text, d.value) for d in find_dates("In October last year, the two met.", pub, "past", 0)][:1] == \
        [("In October", "2024-10")]
    assert [d.value for d in find_dates("They spoke. In 2019 they met in Oslo.", pub, "past", 0)] == ["2019"]


def test_a_title_case_headline_in_a_month_is_not_a_date() -> None:
    assert find_dates("Leader Likely To Visit Capital In February: Aide", date(2025, 1, 28), "past", 0) == []
