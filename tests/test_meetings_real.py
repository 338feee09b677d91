"""Meetings as real news tells them: attendees named late, visits with a host, same-day reports.

Short texts written for these tests; entities are given by hand (tests/eventkit.py).
"""

from __future__ import annotations

from kg.extract.meetings import find_meetings
from kg.model import Meeting
from tests.eventkit import C, L, O, P, Spec, article, index_for

LULA = L("lula", "Luiz Inacio Lula da Silva", "BR")
LAVROV = L("sergey-lavrov", "Sergey Lavrov", "RU")
PUTIN = L("vladimir-putin", "Vladimir Putin", "RU")
LI = L("li-qiang", "Li Qiang", "CN")
XI = L("xi-jinping", "Xi Jinping", "CN")
MODI = L("narendra-modi", "Narendra Modi", "IN")
MERZ = L("friedrich-merz", "Friedrich Merz", "DE")
TUSK = L("donald-tusk", "Donald Tusk", "PL")
TRUMP = L("donald-trump", "Donald Trump", "US")
ZEL = L("volodymyr-zelensky", "Volodymyr Zelensky", "UA")
BRICS = O("brics", "BRICS")
GAZ: dict[str, Spec] = {
    "BRICS": BRICS, "Rio de Janeiro": P("rio-de-janeiro", "Rio de Janeiro", "BR"), "Brazil": C("BR", "Brazil"),
    "Foreign Minister Sergey Lavrov": LAVROV, "President Vladimir Putin": PUTIN, "Premier Li Qiang": LI,
    "President Xi Jinping": XI, "Prime Minister Narendra Modi": MODI, "Chancellor Friedrich Merz": MERZ,
    "Merz": MERZ, "Prime Minister Donald Tusk": TUSK, "Tusk": TUSK, "Paris": P("paris", "Paris", "FR"),
    "Warsaw": P("warsaw", "Warsaw", "PL"), "France": C("FR", "France"), "Poland": C("PL", "Poland"),
    "Trump": TRUMP, "President Donald Trump": TRUMP, "Zelensky": ZEL, "Putin": PUTIN,
}


def run(*paragraphs: str, published: str | None = "2025-07-07", title: str = "") -> list[Meeting]:
    art = article(*paragraphs, title=title, published=published)
    return find_meetings(art, index_for(art, GAZ))


def parties(m: Meeting) -> set[str]:
    return {p.key for p in m.participants}


def test_summit_attendees_named_later_join_the_summit() -> None:
    found = run(
        "The BRICS summit opened in Rio de Janeiro on Sunday with Brazil as host.",
        "Foreign Minister Sergey Lavrov is present in person, while President Vladimir Putin will join via video link.",
        "The Chinese delegation is led by Premier Li Qiang, as President Xi Jinping has a scheduling conflict.",
        "Among the attendees was Prime Minister Narendra Modi.",
    )
    (summit,) = found
    assert {"brics", "sergey-lavrov", "vladimir-putin", "li-qiang", "narendra-modi"} <= parties(summit)
    assert "xi-jinping" not in parties(summit)  # stayed away
    assert summit.location is not None and summit.location.key == "rio-de-janeiro"


def test_a_visit_includes_its_host_country() -> None:
    found = run("Chancellor Friedrich Merz made a visit to Paris on Tuesday to talk about trade.")
    assert [parties(m) for m in found] == [{"friedrich-merz", "FR"}]


def test_a_visit_whose_host_is_named_needs_no_host_country() -> None:
    (m,) = run("Chancellor Friedrich Merz arrived in Warsaw on Tuesday and was welcomed by Prime Minister Donald Tusk.")
    assert parties(m) == {"friedrich-merz", "donald-tusk"}


def test_the_leads_undated_event_is_a_same_day_report() -> None:
    (m,) = run("President Donald Trump and Zelensky held a meeting in Paris, officials said.", published="2025-06-02")
    assert m.date == "2025-06-02" and m.status == "held"


def test_an_undated_event_later_in_the_article_is_not_dated_by_the_paper() -> None:
    found = run("Markets were calm.", "Traders watched the oil price.", "Analysts expect little change.",
                "Trump and Putin held a meeting in Paris, officials said.", published="2025-06-02")
    assert [m.date for m in found] == [None]


def test_undated_article_gives_no_date() -> None:
    (m,) = run("President Donald Trump and Zelensky held a meeting in Paris.", published=None)
    assert m.date is None


def test_a_conversation_with_a_leader_is_a_call() -> None:
    (m,) = run("Trump had a long conversation with Putin on Thursday.")
    assert parties(m) == {"donald-trump", "vladimir-putin"} and m.mode == "phone"


def test_telling_a_leader_makes_both_parties() -> None:
    (m,) = run("Trump told Zelensky in a phone call on Friday that help was coming.")
    assert parties(m) == {"donald-trump", "volodymyr-zelensky"}


def test_two_leaders_signing_a_treaty_met() -> None:
    (m,) = run("Putin and President Xi Jinping signed a partnership treaty in Paris on Wednesday.")
    assert parties(m) == {"vladimir-putin", "xi-jinping"}


def test_bilateral_relations_are_no_meeting() -> None:
    assert run("Putin praised bilateral relations and bilateral trade with Brazil.") == []


def test_separate_meetings_with_two_counterparts_are_two_meetings() -> None:
    found = run("Putin discussed the plan during separate meetings with Premier Li Qiang in Paris and "
                "Prime Minister Narendra Modi.")
    assert sorted(sorted(parties(m)) for m in found) == [["li-qiang", "vladimir-putin"],
                                                          ["narendra-modi", "vladimir-putin"]]


def test_a_headline_the_page_repeats_is_one_meeting() -> None:
    found = run("Putin Holds Phone Call With Trump Putin Holds Phone Call With Trump",
                "President Vladimir Putin spoke with President Donald Trump by phone today.")
    assert [parties(m) for m in found] == [{"vladimir-putin", "donald-trump"}]


def test_a_meeting_word_without_parties_tells_more_of_the_last_meeting() -> None:
    (m,) = run("Trump met Putin on Thursday.", "Following five hours of negotiations in Paris, no deal was reported.")
    assert parties(m) == {"donald-trump", "vladimir-putin"}
    assert m.location is not None and m.location.key == "paris"


def test_the_summit_named_before_a_meeting_is_an_event_of_its_own() -> None:
    found = run("Hours ahead of the BRICS summit, Prime Minister Narendra Modi held talks with President Xi Jinping.")
    summit = next(m for m in found if "brics" in parties(m))
    talks = next(m for m in found if "xi-jinping" in parties(m))
    assert summit is not talks and "brics" not in parties(talks)


def test_a_country_that_only_qualifies_a_noun_is_no_party() -> None:
    GAZ["US"] = C("US", "United States", "alias")
    try:
        (m,) = run("Trump spoke with Putin by phone on Monday, US outlet Axios reported.")
    finally:
        del GAZ["US"]
    assert parties(m) == {"donald-trump", "vladimir-putin"}


def test_a_meeting_placed_in_a_country_is_in_the_city_its_sentence_names() -> None:
    GAZ["Lyon"] = P("lyon", "Lyon", "FR")
    try:
        (m,) = run("Chancellor Friedrich Merz made a visit to France on Tuesday, meeting students in Lyon.")
    finally:
        del GAZ["Lyon"]
    assert m.location is not None and m.location.key == "lyon"


def test_both_european_leaders_refers_back_to_the_meeting() -> None:
    found = run("Chancellor Friedrich Merz and Prime Minister Donald Tusk met President Xi Jinping in Paris on Monday.",
                "Both European leaders raised trade during meetings with Xi and Premier Li Qiang.")
    assert len(found) == 1 and {"friedrich-merz", "donald-tusk", "xi-jinping", "li-qiang"} <= parties(found[0])


def test_those_in_attendance_join_the_talks_told_before() -> None:
    (m,) = run("Talks between Russia and Brazil took place in Paris on Saturday.",
               "In attendance were Foreign Minister Sergey Lavrov and President Donald Trump.")
    assert {"sergey-lavrov", "donald-trump"} <= parties(m)


def test_an_attendance_word_alone_joins_only_an_organisations_summit() -> None:
    found = run("Putin met President Xi Jinping in Paris on Monday.", "Prime Minister Narendra Modi arrived in Paris.")
    assert not any({"vladimir-putin", "xi-jinping", "narendra-modi"} <= parties(m) for m in found)


def test_the_next_day_after_the_calendars_end_stays_unresolved() -> None:
    found = run("Trump met Putin in Paris on Dec. 31, 9999.", "The next day Trump spoke with Putin by phone.",
                published="9999-12-31")
    assert [m.date for m in found if m.mode == "phone"] == [None]


def test_spoke_on_a_day_with_a_leader_is_a_call() -> None:
    (m,) = run("Trump also said he spoke on Sunday with Putin about the ceasefire.")
    assert parties(m) == {"donald-trump", "vladimir-putin"} and m.mode == "phone"


def test_a_list_of_titled_names_is_one_subject() -> None:
    (m,) = run("Chancellor Friedrich Merz, Foreign Minister Sergey Lavrov, and Prime Minister Donald Tusk "
               "travelled to Paris to meet President Xi Jinping on Monday.")
    assert {"friedrich-merz", "sergey-lavrov", "donald-tusk", "xi-jinping"} <= parties(m)


def test_a_leaders_state_visit_is_his() -> None:
    found = run("President Vladimir Putin's state visit to France ended on Monday.")
    assert [parties(m) for m in found] == [{"vladimir-putin", "FR"}]


def test_a_call_attributed_to_an_aide_who_told_reporters_is_still_a_call() -> None:
    (m,) = run("Putin and President Donald Trump held a long phone call on Wednesday, an aide told reporters.")
    assert parties(m) == {"vladimir-putin", "donald-trump"} and m.mode == "phone"


def test_his_inaugural_visit_is_a_new_visit() -> None:
    (m,) = run("On his inaugural visit to Poland, Chancellor Friedrich Merz praised the partnership.")
    assert parties(m) == {"friedrich-merz", "PL"}


def test_the_leader_to_be_replaced_is_not_at_the_meeting() -> None:
    (m,) = run("Prime Minister Donald Tusk spoke with Putin, who is expected to replace Chancellor Friedrich Merz, "
               "in a phone call on Thursday.")
    assert "friedrich-merz" not in parties(m)


def test_next_years_summit_is_not_this_years() -> None:
    GAZ["NATO"] = O("nato", "NATO")
    try:
        found = run("NATO leaders held a summit in Paris on Tuesday.", "Next year's NATO summit will be held in July.")
    finally:
        del GAZ["NATO"]
    assert sorted((m.status, m.date) for m in found) == [("held", "2025-07-01"), ("planned", "2026-07")]


def test_a_month_only_header_fixes_the_year_of_a_weekday_date() -> None:
    from kg.extract import extract
    from kg.read import read_text

    art = read_text(" date 2025-07 KYIV — President Volodymyr Zelenskiy said he spoke with Donald Trump by phone "
                    "on Friday (July 4) about air defence.\n\nMore talks are planned.", source="m.txt")
    assert art.published is None and art.period == "2025-07"
    (m,) = [m for m in extract(art).meetings if m.mode == "phone"]
    assert m.date == "2025-07-04"



def test_discussions_between_two_leaders_are_a_meeting() -> None:
    (m,) = run("The ministers built on discussions between Putin and President Xi Jinping in Paris last year.")
    assert parties(m) == {"vladimir-putin", "xi-jinping"}


def test_a_meeting_held_in_a_country_is_in_the_one_city_the_article_names() -> None:
    GAZ["Lyon"] = P("lyon", "Lyon", "FR")
    try:
        found = run("Chancellor Friedrich Merz arrived in Lyon on Monday.",
                    "Merz held talks in France on Tuesday with President Xi Jinping.")
        planned = run("Chancellor Friedrich Merz praised Lyon on Monday.", "Merz will visit France next month.")
    finally:
        del GAZ["Lyon"]
    talks = next(m for m in found if "xi-jinping" in parties(m))
    assert talks.location is not None and talks.location.key == "lyon"
    (plan,) = planned
    assert plan.location is not None and plan.location.key == "FR"  # a plan to visit a country names no city


def test_what_came_since_is_another_event() -> None:
    (m,) = run("It is Putin's first visit to France since the conflict began between Brazil and Poland.")
    assert parties(m) == {"vladimir-putin", "FR"}


def test_a_meeting_something_happens_ahead_of_is_still_to_come() -> None:
    found = run("Putin thanked his aides for the briefing ahead of his first meeting with President Donald Trump.")
    assert [(parties(m), m.status) for m in found] == [({"vladimir-putin", "donald-trump"}, "planned")]


def test_leaders_of_a_side_of_a_summit_met_at_it() -> None:
    GAZ["European Union"] = O("european-union", "European Union")
    GAZ["China"] = C("CN", "China")
    try:
        found = run("A summit between the European Union and China began on Thursday in Paris.",
                    "President Xi Jinping and Premier Li Qiang held talks on trade with their guests.")
    finally:
        del GAZ["European Union"], GAZ["China"]
    summit = next(m for m in found if "european-union" in parties(m))
    assert {"xi-jinping", "li-qiang"} <= parties(summit)


def test_a_held_meeting_without_a_place_was_in_the_one_city_the_article_names() -> None:
    found = run("Trump and Putin met in Paris on Monday.", "Later, Trump also held talks with President Xi Jinping.",
                "Xi will travel to Warsaw next month.")
    talks = next(m for m in found if "xi-jinping" in parties(m) and m.status == "held")
    assert talks.location is None  # two places named: no guess
    (only,) = run("Trump met Putin in Paris on Monday.", "Later, Putin held talks with President Xi Jinping.")[1:]
    assert only.location is not None and only.location.key == "paris"


def test_a_meeting_followed_by_talks_is_one_planned_meeting() -> None:
    (m,) = run("Prime Minister Narendra Modi will have a restricted meeting with President Vladimir Putin on Tuesday "
               "afternoon followed by delegation-level talks.", published="2024-07-08")
    assert (m.status, m.date) == ("planned", "2024-07-09")


def test_a_reference_back_goes_to_the_meeting_of_its_own_status() -> None:
    found = run("Putin met President Xi Jinping in Paris on Monday.",
                "The two leaders agreed to hold further talks next month.",
                "The two leaders thanked their host, Prime Minister Narendra Modi, for the meeting.")
    held = next(m for m in found if m.status == "held")
    planned = next(m for m in found if m.status == "planned")
    assert "narendra-modi" in parties(held) and "narendra-modi" not in parties(planned)


def test_other_talks_held_on_the_leads_trip_are_in_its_month() -> None:
    found = run("Prime Minister Narendra Modi met President Donald Trump in Paris on Thursday.",
                "The markets were calm.",
                "Prime Minister Narendra Modi also held talks with President Xi Jinping.",
                "Prime Minister Narendra Modi and Putin will meet at some point.", published="2025-02-14")
    xi = next(m for m in found if "xi-jinping" in parties(m))
    putin = next(m for m in found if "vladimir-putin" in parties(m))
    assert xi.date == "2025-02" and putin.date is None  # a plan with no date stays undated


WIDER: dict[str, Spec] = {**GAZ, "Germany": C("DE", "Germany"), "China": C("CN", "China"), "India": C("IN", "India")}


def run_wider(*paragraphs: str) -> list[Meeting]:
    art = article(*paragraphs, published="2025-07-07")
    return find_meetings(art, index_for(art, WIDER))


def test_a_vaguer_dated_mention_of_the_same_sides_is_the_same_meeting() -> None:
    found = run_wider(
        "Chancellor Friedrich Merz met Prime Minister Donald Tusk in Warsaw on Monday, July 7.",
        "The trade minister spoke about tariffs at length.",
        "Earlier this month, Poland and Germany held talks on border checks.",
    )
    assert [parties(m) for m in found] == [{"friedrich-merz", "donald-tusk"}]
    assert found[0].date == "2025-07-07"


def test_two_leaders_talks_are_not_the_summit_they_attended() -> None:
    found = run_wider(
        "The BRICS summit with Premier Li Qiang and Prime Minister Narendra Modi opened in Rio de Janeiro on July 6.",
        "The trade minister spoke about tariffs at length.",
        "In July, China and India held talks on the border.",
    )
    assert {"CN", "IN"} in [parties(m) for m in found]


def test_talks_said_to_continue_are_a_planned_meeting_of_the_same_sides() -> None:
    found = run_wider(
        "Prime Minister Donald Tusk held talks with Chancellor Friedrich Merz in Warsaw on Monday.",
        "A spokesman said that negotiations will continue.",
    )
    planned = [m for m in found if m.status == "planned"]
    assert [parties(m) for m in planned] == [{"PL", "DE"}]
    assert [m.status for m in found].count("held") == 1


def test_bilateral_talks_going_on_leave_out_the_host() -> None:
    found = run_wider(
        "Prime Minister Donald Tusk and Chancellor Friedrich Merz met in Paris on Monday, hosted by France.",
        "The ministries agreed to resume bilateral talks.",
    )
    assert {"PL", "DE"} in [parties(m) for m in found if m.status == "planned"]


def test_habitual_talks_are_no_meeting() -> None:
    assert run("Chancellor Friedrich Merz and Prime Minister Donald Tusk typically hold talks in Warsaw.") == []
    assert len(run("Chancellor Friedrich Merz and Prime Minister Donald Tusk held talks in Warsaw.")) == 1
