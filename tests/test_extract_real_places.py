"""Where meetings were and who held them, as news writes it (issue 12, second round).

Short texts written for these tests; entities are given by hand (tests/eventkit.py).
"""

from __future__ import annotations

from kg.extract.meetings import find_meetings
from kg.model import Meeting
from tests.eventkit import C, L, O, P, Spec, article, index_for

ROSSI = L("anna-rossi", "Anna Rossi", "IT")
BAKER = L("tom-baker", "Tom Baker", "GB")
KOVAC = L("eva-kovac", "Eva Kovac", "SK")
LINDQVIST = L("jon-lindqvist", "Jon Lindqvist", "SE")
GAZ: dict[str, Spec] = {
    "Anna Rossi": ROSSI, "Rossi": ROSSI, "Tom Baker": BAKER, "Baker": BAKER, "Eva Kovac": KOVAC,
    "Jon Lindqvist": LINDQVIST, "Lyon": P("lyon", "Lyon", "FR"), "Oslo": P("oslo", "Oslo", "NO"),
    "Elysee Palace": P("paris", "Paris", "FR"), "Kyoto": P("kyoto", "Kyoto", "JP"), "Norway": C("NO", "Norway"),
    "Italy": C("IT", "Italy"), "Britain": C("GB", "United Kingdom"),
}


def run(*paragraphs: str, title: str = "") -> list[Meeting]:
    art = article(*paragraphs, title=title, published="2025-03-10")
    return find_meetings(art, index_for(art, GAZ))


def parties(m: Meeting) -> set[str]:
    return {p.key for p in m.participants}


def place(m: Meeting) -> str | None:
    return m.location.key if m.location else None


def test_a_city_after_a_place_noun_is_where_the_meeting_was() -> None:
    (m,) = run("Anna Rossi and Tom Baker held a meeting in the southern port city of Lyon on Sunday.")
    assert place(m) == "lyon"
    (m,) = run("Anna Rossi met Tom Baker on Sunday in the Norwegian capital Oslo.")
    assert place(m) == "oslo"


def test_a_country_after_a_place_noun_is_no_party() -> None:
    (m,) = run("Anna Rossi met Tom Baker on Sunday in the largest city of Norway.")
    assert parties(m) == {"anna-rossi", "tom-baker"}


def test_a_dateline_city_is_not_the_subject_of_the_sentence() -> None:
    (m,) = run("Lyon: Anna Rossi and her Italian counterpart Eva Kovac spoke to reporters after holding talks.")
    assert parties(m) == {"anna-rossi", "eva-kovac"}


def test_the_subject_and_his_counterpart_are_both_parties() -> None:
    (m,) = run("Tom Baker and his British counterpart Jon Lindqvist faced the press after holding talks in Oslo.")
    assert parties(m) == {"tom-baker", "jon-lindqvist"} and place(m) == "oslo"


def test_the_place_a_visit_verb_names_is_the_location() -> None:
    (m,) = run("Anna Rossi will be visiting the Elysee Palace next week for a meeting with Tom Baker.")
    assert place(m) == "paris"


def test_a_city_naming_the_talks_places_them() -> None:
    found = run("Anna Rossi and Tom Baker met for five hours on Friday.",
                "Officials gave no details after the Kyoto talks between Anna Rossi and Tom Baker.")
    assert [place(m) for m in found] == ["kyoto"]


def test_the_four_ministers_are_the_four_named_just_before() -> None:
    found = run("Italy hosted a meeting of the group's ministers on Monday.",
                "Anna Rossi, Tom Baker, Eva Kovac and Jon Lindqvist agreed to widen trade links.",
                "The four foreign ministers met in Lyon on the second floor of the ministry.")
    held = [parties(m) for m in found if {"anna-rossi", "tom-baker", "eva-kovac", "jon-lindqvist"} <= parties(m)]
    assert held, [parties(m) for m in found]


def test_the_two_leaders_still_refer_to_the_meeting_just_told() -> None:
    found = run("Anna Rossi met Tom Baker in Lyon on Monday.", "Eva Kovac praised Jon Lindqvist.",
                "The two leaders also agreed to meet again.")
    assert all(parties(m) <= {"anna-rossi", "tom-baker"} for m in found)


def test_a_summit_missed_or_a_meeting_not_secured_did_not_happen() -> None:
    assert run("Anna Rossi missed the Lyon summit for the first time since 2019.") == []
    assert run("Tom Baker was criticised for failing to secure a meeting with Anna Rossi.") == []


def test_gathering_at_an_organisations_summit_makes_it_a_party() -> None:
    GAZ["NATO"] = O("nato", "NATO")
    try:
        found = run("Anna Rossi and Tom Baker gathered at a NATO summit in Oslo on Monday.")
    finally:
        del GAZ["NATO"]
    (summit,) = found
    assert {"nato", "anna-rossi", "tom-baker"} <= parties(summit) and place(summit) == "oslo"


def test_a_city_after_a_countrys_capital_is_where_the_talks_were() -> None:
    (m,) = run("Tom Baker, who chaired the talks held in Norway's capital, Oslo, met Anna Rossi there.")
    assert place(m) == "oslo"


def test_a_dateline_city_does_not_place_a_visit_to_its_country() -> None:
    GAZ["London"] = P("london", "London", "GB")
    try:
        (m,) = run("London - Anna Rossi wraps up a three-day state visit to Britain on Thursday.")
    finally:
        del GAZ["London"]
    assert place(m) == "GB"


def test_talks_told_without_a_place_were_where_the_visitors_trip_went() -> None:
    GAZ["Rome"] = P("rome", "Rome", "IT")
    try:
        found = run("Tom Baker made his first trip to Rome on Friday.", "Officials praised the choice.",
                    "Tom Baker and Anna Rossi held talks for three hours on Saturday.",
                    "Tom Baker will also meet Eva Kovac in Oslo next week.")
    finally:
        del GAZ["Rome"]
    talks = next(m for m in found if parties(m) == {"tom-baker", "anna-rossi"})
    assert place(talks) == "rome"
    other = next(m for m in found if "eva-kovac" in parties(m))
    assert place(other) == "oslo"


def test_a_meeting_with_no_leader_of_the_country_visited_gets_no_place_from_the_trip() -> None:
    GAZ["Rome"] = P("rome", "Rome", "IT")
    try:
        found = run("Tom Baker made his first trip to Rome on Friday.", "Eva Kovac flew in from Oslo.",
                    "Tom Baker and Eva Kovac held talks for three hours on Saturday.")
    finally:
        del GAZ["Rome"]
    talks = next(m for m in found if "eva-kovac" in parties(m))
    assert place(talks) is None


def test_a_place_inside_the_topic_of_talks_is_not_where_they_were() -> None:
    (m,) = run("Anna Rossi and Tom Baker held talks on a pipeline running through Norway on Monday.")
    assert place(m) is None
    (m,) = run("Anna Rossi met Tom Baker on the sidelines of the forum in Oslo on Monday.")
    assert place(m) == "oslo"


def test_a_call_opening_a_sentence_without_its_speaker_is_the_last_named_leaders() -> None:
    found = run("It is not the first time Anna Rossi has used the image of a bridge.",
                "In a phone call with Tom Baker in June after months of silence")
    assert [(parties(m), m.date) for m in found] == [({"anna-rossi", "tom-baker"}, "2024-06")]
    found = run("Anna Rossi praised the deal.", "In a phone call with Tom Baker, Eva Kovac raised the same point.")
    assert [parties(m) for m in found] == [{"eva-kovac", "tom-baker"}]


def test_a_city_naming_the_agreements_of_the_sentence_places_the_talks_not_a_dateline() -> None:
    GAZ["Turkiye"] = C("TR", "Turkiye")
    GAZ["Ankara"] = P("ankara", "Ankara", "TR")
    try:
        (m,) = run("Anna Rossi and Tom Baker met in Turkiye on Monday to sign the Ankara accords.")
        (v,) = run("Ankara (AP) - Anna Rossi wraps up a state visit to Turkiye on Thursday.")
    finally:
        del GAZ["Turkiye"], GAZ["Ankara"]
    assert place(m) == "ankara" and place(v) == "TR"


def test_a_date_after_since_dates_what_came_before_not_the_visit() -> None:
    (m,) = run("This is Anna Rossi's first visit to Oslo since the crisis began between Italy and Norway on "
               "February 24, 2022.")
    assert m.date != "2022-02-24"


def test_without_a_publication_day_a_weekday_is_read_against_the_day_the_story_dated() -> None:
    art = article("Anna Rossi said she spoke with Tom Baker on Friday (July 4, 2025).",
                  "Tom Baker also spoke by phone with Eva Kovac on Thursday, a newspaper reported.", published=None)
    found = find_meetings(art, index_for(art, GAZ))
    kovac = next(m for m in found if "eva-kovac" in parties(m))
    assert kovac.date == "2025-07-03"
    art = article("Tom Baker also spoke by phone with Eva Kovac on Thursday.", published=None)
    assert [m.date for m in find_meetings(art, index_for(art, GAZ))] == [None]  # nothing to read it against


def test_a_weekday_read_against_the_first_day_of_the_calendar_stays_undated() -> None:
    art = article("Anna Rossi said she spoke with Tom Baker on January 1, 0001.",
                  "Tom Baker also spoke by phone with Eva Kovac on Thursday.", published=None)
    found = find_meetings(art, index_for(art, GAZ))
    assert all(m.date is None or m.date.startswith("0001") for m in found)
