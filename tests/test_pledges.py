"""Pledges: sentence in, pledge facts out (entities given by hand, see tests/eventkit.py)."""

from __future__ import annotations

import pytest

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.extract import pledges
from kg.extract.pledges import find_pledges
from kg.model import Pledge
from tests.eventkit import C, L, O, P, Spec, article, index_for

COALITION = O("coalition-of-the-willing", "Coalition of the Willing")
GAZ: dict[str, Spec] = {
    "Starmer": L("keir-starmer", "Keir Starmer", "GB"), "Healey": L("john-healey", "John Healey", "GB"),
    "Pistorius": L("boris-pistorius", "Boris Pistorius", "DE"), "Meloni": L("giorgia-meloni", "Giorgia Meloni", "IT"),
    "Carney": L("mark-carney", "Mark Carney", "CA"), "Stubb": L("alexander-stubb", "Alexander Stubb", "FI"),
    "Britain": C("GB", "United Kingdom"), "U.K.": C("GB", "United Kingdom", "alias"),
    "UK": C("GB", "United Kingdom", "alias"), "British": C("GB", "United Kingdom", "demonym"),
    "France": C("FR", "France"), "Italy": C("IT", "Italy"), "Germany": C("DE", "Germany"),
    "Sweden": C("SE", "Sweden"), "Finland": C("FI", "Finland"),
    "Ukraine": C("UA", "Ukraine"), "Israel": C("IL", "Israel"), "American": C("US", "United States", "demonym"),
    "U.S.": C("US", "United States", "alias"), "Finnish": C("FI", "Finland", "demonym"),
    "Kyiv": P("kyiv", "Kyiv", "UA"), "coalition": COALITION, "European Union": O("european-union", "European Union"),
    "EU": O("european-union", "European Union"),
}


def run(*paragraphs: str, published: str | None = "2025-03-02", title: str = "") -> list[Pledge]:
    art = article(*paragraphs, title=title, published=published)
    return find_pledges(art, index_for(art, GAZ))



def keys(p: Pledge) -> tuple[str, ...]:
    return tuple(sorted(x.key for x in p.pledgers))


def test_ready_to_send_troops() -> None:
    (p,) = run("Starmer said on Sunday that Britain is ready to send British troops to Ukraine to help enforce "
               "a future peace agreement.", published="2025-02-17")
    assert (keys(p), p.pledge_type, p.amount, p.recipient and p.recipient.key) == (("GB",), "troops", None, "UA")
    assert p.date == "2025-02-16" and p.conditional
    assert p.evidence.sentence.startswith("Starmer said")


def test_a_leader_pledges_for_their_country_with_amount_verbatim() -> None:
    (p,) = run("Healey announced a £450 million ($580 million) British package that includes drones, radar "
               "systems and anti-tank mines.")
    assert (keys(p), p.pledge_type, p.amount) == (("GB",), "weapons", "£450 million")


def test_counted_systems_are_the_amount() -> None:
    (p,) = run("Pistorius said Germany would deliver four additional IRIS-T air defense systems to Ukraine, "
               "along with 300 missiles for them.")
    assert (keys(p), p.pledge_type, p.amount, p.recipient and p.recipient.key) == (
        ("DE",), "air_defense", "four additional IRIS-T air defense systems", "UA")


def test_two_pledgers_in_one_promise() -> None:
    (p,) = run("Several countries, including France and the U.K., which lead the coalition, have pledged to "
               "send troops on the ground to enforce a potential ceasefire.")
    assert keys(p) == ("FR", "GB") and p.pledge_type == "troops" and p.conditional


def test_one_sentence_two_pledges_of_different_types() -> None:
    found = run("The coalition is a group of countries that have pledged peacekeeping troops and other security "
                "guarantees for Ukraine.")
    assert [(keys(p), p.pledge_type) for p in found] == [
        (("coalition-of-the-willing",), "peacekeepers"), (("coalition-of-the-willing",), "security_guarantees")]
    assert all(p.recipient and p.recipient.key == "UA" for p in found)


def test_possessive_readiness() -> None:
    (p,) = run("At the same time, she confirmed Italy's readiness to contribute to security guarantees for Ukraine.")
    assert (keys(p), p.pledge_type) == (("IT",), "security_guarantees")


def test_passive_troops_take_their_nationality() -> None:
    (p,) = run("A U.S. official said around 200 American troops would be sent to Israel to staff a centre.")
    assert (keys(p), p.pledge_type, p.amount) == (("US",), "troops", "200 American troops")


def test_dative_recipient_and_running_total() -> None:
    (p,) = run("Stubb announced that Finland would send Ukraine a new military aid package worth about "
               "€200 million, bringing the total value of Finnish defense assistance to nearly €3 billion.")
    assert (keys(p), p.pledge_type, p.amount, p.recipient and p.recipient.key) == (
        ("FI",), "weapons", "€200 million", "UA")


def test_group_noun_pledges_through_the_organisation_named() -> None:
    (p,) = run("Twenty-six countries have formally committed to deploy troops to Ukraine once a ceasefire takes "
               "hold, Macron said after a summit of the coalition in Paris.")
    assert keys(p) == ("coalition-of-the-willing",) and p.pledge_type == "troops"


def test_repeated_promise_is_one_pledge() -> None:
    found = run("Britain is ready to send British troops to Ukraine.",
                "Starmer wrote that the U.K. was prepared to put its own soldiers on the ground.")
    assert len(found) == 1


@pytest.mark.parametrize("text", [
    "Italy will not deploy soldiers to Ukraine, Meloni's office said.",
    "Sweden could contribute to a peacekeeping force once a peace had been negotiated.",
    "British media have reported that the U.K. could send as many as 10,000 troops.",
    "Starmer declined to commit to sending troops.",
    "Polish officials said Warsaw has no plans to send Polish soldiers to Ukraine.",
    "International donors pledged a combined €5.8 billion in grants and loans for Syria.",
    "Italy was open to considering a contribution to a peacekeeping force.",
    "Canada also announced new sanctions on Russian individuals.",
])
def test_not_pledges(text: str) -> None:
    assert run(text) == []


def test_bad_type_in_data_file_names_the_file(tmp_path, monkeypatch) -> None:
    (tmp_path / "pledge_triggers.toml").write_text('[types]\nbananas = ["banana"]\n')
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path))
    read_toml.cache_clear()
    pledges.rules.cache_clear()
    try:
        with pytest.raises(KgError, match=r"pledge_triggers\.toml.*'bananas' is not a pledge type"):
            pledges.rules()
    finally:
        monkeypatch.delenv("KG_DATA_DIR")
        read_toml.cache_clear()
        pledges.rules.cache_clear()
