"""Meetings: sentence in, meeting facts out (entities given by hand, see tests/eventkit.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.extract import meetings
from kg.extract.meetings import find_meetings
from kg.model import Meeting
from tests.eventkit import C, L, O, P, Spec, article, index_for

ZEL = L("volodymyr-zelensky", "Volodymyr Zelensky", "UA")
MAC = L("emmanuel-macron", "Emmanuel Macron", "FR")
TRUMP = L("donald-trump", "Donald Trump", "US")
STARMER = L("keir-starmer", "Keir Starmer", "GB")
PUTIN = L("vladimir-putin", "Vladimir Putin", "RU")
BIDEN = L("joe-biden", "Joe Biden", "US")
NET = L("benjamin-netanyahu", "Benjamin Netanyahu", "IL")
MIKATI = L("najib-mikati", "Najib Mikati", "LB")
COALITION = O("coalition-of-the-willing", "Coalition of the Willing")
GAZ: dict[str, Spec] = {
    "President Volodymyr Zelensky": ZEL, "Ukrainian President Volodymyr Zelensky": ZEL, "Zelensky": ZEL,
    "French President Emmanuel Macron": MAC, "Macron": MAC, "Trump": TRUMP, "U.S. President Donald Trump": TRUMP,
    "U.K. Prime Minister Keir Starmer": STARMER, "Starmer": STARMER, "Russian President Vladimir Putin": PUTIN,
    "Putin": PUTIN, "Biden": BIDEN, "Netanyahu": NET, "Mikati": MIKATI,
    "Ukraine": C("UA", "Ukraine"), "Ukrainian": C("UA", "Ukraine", "demonym"),
    "U.S.": C("US", "United States", "alias"), "Russia": C("RU", "Russia"), "France": C("FR", "France"),
    "Saudi Arabia": C("SA", "Saudi Arabia"), "Paris": P("paris", "Paris", "FR"),
    "Elysee Palace": P("paris", "Paris", "FR"), "London": P("london", "London", "GB"),
    "Kyiv": P("kyiv", "Kyiv", "UA"), "coalition": COALITION, "Coalition of the Willing": COALITION,
    "NATO": O("nato", "NATO"),
}


def run(*paragraphs: str, published: str | None = "2025-01-14", title: str = "",
        caption: str | None = None) -> list[Meeting]:
    art = article(*paragraphs, title=title, published=published, caption=caption)
    return find_meetings(art, index_for(art, GAZ))


def parties(m: Meeting) -> set[str]:
    return {p.key for p in m.participants}


def test_phone_call_with_date() -> None:
    (m,) = run("President Volodymyr Zelensky and French President Emmanuel Macron discussed the front line "
               "in a phone call on Jan. 13.")
    assert parties(m) == {"volodymyr-zelensky", "emmanuel-macron"}
    assert (m.date, m.mode, m.status, m.location, m.kind) == ("2025-01-13", "phone", "held", None, "call")
    assert m.date_text == "Jan. 13"
    assert m.evidence.sentence.startswith("President Volodymyr Zelensky")


def test_december_meeting_in_january_article_is_last_year() -> None:
    (m,) = run("Zelensky and Macron previously discussed a peacekeeping force in a meeting on Dec. 18.")
    assert m.date == "2024-12-18" and m.status == "held"


def test_photo_caption_counts_as_held_meeting_in_its_city() -> None:
    (m,) = run("The leaders spoke about energy.", caption="French President Emmanuel Macron welcomes Ukrainian "
               "President Volodymyr Zelensky at Elysee Palace on June 7, 2024, in Paris, France. (Getty Images)")
    assert parties(m) == {"emmanuel-macron", "volodymyr-zelensky"}  # "France" only places Paris
    assert (m.date, m.location and m.location.key, m.mode, m.status) == ("2024-06-07", "paris", "in_person", "held")


def test_planned_visit_to_a_country_lists_the_country() -> None:
    (m,) = run("U.K. Prime Minister Keir Starmer also plans to visit Ukraine in the coming weeks to discuss a "
               "peacekeeping force, Bloomberg reported on Jan. 10.")
    assert parties(m) == {"keir-starmer", "UA"}
    assert m.location is not None and m.location.key == "UA"
    assert (m.status, m.date) == ("planned", None)  # "coming weeks" is too vague; Jan. 10 dates the report


def test_agreed_to_meet_is_planned() -> None:
    (m,) = run("Zelensky and Macron agreed to meet in the near future to further discuss security guarantees.")
    assert parties(m) == {"volodymyr-zelensky", "emmanuel-macron"} and m.status == "planned"


def test_future_weekday_resolves_forward() -> None:
    (m,) = run("Military chiefs from the coalition countries will meet in London on Friday, he said.",
               published="2025-04-01")
    assert parties(m) == {"coalition-of-the-willing"}
    assert (m.date, m.status, m.location and m.location.key) == ("2025-04-04", "planned", "london")


def test_officials_of_two_countries_meet_in_a_third() -> None:
    (m,) = run("Ukrainian and U.S. officials met in Saudi Arabia on March 25.", published="2025-04-01")
    assert parties(m) == {"UA", "US"}
    assert m.location is not None and m.location.key == "SA"


def test_organisation_summit_alone_is_a_meeting() -> None:
    (m,) = run("Leaders of 31 nations met in Paris on March 27 at a summit for the coalition.",
               published="2025-04-01")
    assert parties(m) == {"coalition-of-the-willing"}
    assert (m.date, m.location and m.location.key) == ("2025-03-27", "paris")


def test_hybrid_when_some_join_by_video() -> None:
    (m,) = run("Macron hosted the coalition summit in Paris on Jan. 9 together with Zelensky, while Starmer "
               "joined by video.")
    assert m.mode == "hybrid"
    assert {"emmanuel-macron", "volodymyr-zelensky", "coalition-of-the-willing"} <= parties(m)


def test_two_leaders_coreference_merges_into_one_meeting() -> None:
    found = run("Zelensky and Macron spoke by phone on Jan. 13.",
                "The two leaders also discussed the situation in Kursk Oblast.")
    assert len(found) == 1 and found[0].mode == "phone"


def test_title_and_body_about_one_meeting_merge() -> None:
    found = run("Zelensky met Macron in Paris on Jan. 12 to discuss the front line.",
                title="Zelensky, Macron meet in Paris")
    assert len(found) == 1
    assert found[0].date == "2025-01-12" and found[0].evidence.sentence.startswith("Zelensky met")


def test_calls_with_two_leaders_are_two_calls() -> None:
    found = run("Biden said he had spoken by phone on Tuesday with Netanyahu and with Mikati.",
                published="2024-11-27")
    assert sorted(sorted(parties(m)) for m in found) == [["benjamin-netanyahu", "joe-biden"],
                                                        ["joe-biden", "najib-mikati"]]
    assert {m.date for m in found} == {"2024-11-26"}


def test_envoy_acts_for_his_country() -> None:
    (m,) = run("Putin said on March 13 that he backed the idea, on the same day that Trump's envoy Steve Witkoff "
               "met him in Moscow.", published="2025-03-16")
    assert parties(m) == {"US", "vladimir-putin"}


@pytest.mark.parametrize("text", [
    "Zelensky had hoped to meet Trump in Paris, but no meeting took place.",
    "Trump and Putin did not meet on Friday.",
    "Zelensky and Macron attended a joint news conference in Paris on Jan. 13.",
    "The meeting with Putin was cancelled.",
    "Zelensky could meet Putin in Istanbul.",
    "Macron spoke to reporters in Paris on Monday.",
])
def test_not_meetings(text: str) -> None:
    assert run(text) == []


def test_single_party_without_organisation_is_dropped() -> None:
    assert run("Starmer held a meeting on Jan. 16.") == []


def test_arriving_in_a_country_is_a_visit_to_its_host() -> None:
    (m,) = run("Starmer arrived in Kyiv on Jan. 16.")
    assert parties(m) == {"keir-starmer", "UA"} and m.location and m.location.key == "kyiv"


def test_undated_article_leaves_relative_dates_unresolved() -> None:
    found = run("Zelensky met Macron in Paris on Friday.", "Starmer hosted Zelensky in London on June 7, 2024.",
                published=None)
    assert [m.date for m in found] == [None, "2024-06-07"]


@contextlib.contextmanager
def user_triggers(folder: Path, monkeypatch: pytest.MonkeyPatch, toml: str) -> Iterator[None]:
    """The rules read with a user's ``meeting_triggers.toml`` (in ``KG_DATA_DIR``) beside the shipped one."""
    (folder / "meeting_triggers.toml").write_text(toml)
    monkeypatch.setenv("KG_DATA_DIR", str(folder))
    read_toml.cache_clear()
    meetings.rules.cache_clear()
    try:
        yield
    finally:
        monkeypatch.delenv("KG_DATA_DIR")
        read_toml.cache_clear()
        meetings.rules.cache_clear()


def test_bad_trigger_file_names_the_file(tmp_path, monkeypatch) -> None:
    with user_triggers(tmp_path, monkeypatch, '[[trigger]]\nkind = "party"\npatterns = ["fete"]\n'), \
            pytest.raises(KgError, match=r"meeting_triggers\.toml.*kind 'party'"):
        meetings.rules()


def test_user_triggers_extend_the_shipped_ones(tmp_path, monkeypatch) -> None:
    toml = '[[trigger]]\nkind = "meeting"\nmode = "in_person"\npatterns = ["broke bread"]\n'
    with user_triggers(tmp_path, monkeypatch, toml):
        (m,) = run("Zelensky broke bread with Macron in Paris on Jan. 12.")
        assert parties(m) == {"volodymyr-zelensky", "emmanuel-macron"}


def test_the_in_person_cue_beside_a_video_meeting_is_data_a_user_can_extend(tmp_path, monkeypatch) -> None:
    text = "Macron held a video conference with Zelensky on Jan. 9, with ministers gathered around one table."
    assert [m.mode for m in run(text)] == ["virtual"]
    assert [m.mode for m in run(text.replace("gathered around one table", "joining from Brussels"))] == ["hybrid"]
    with user_triggers(tmp_path, monkeypatch, '[mode_cues]\nin_person = ["around (?:one|the) table"]\n'):
        assert [m.mode for m in run(text)] == ["hybrid"]
