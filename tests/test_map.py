"""The mapper turns facts into the graph docs/ARCHITECTURE.md describes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.map import Minter, date_literal, meeting_key, to_graph
from kg.model import (
    Article,
    Country,
    EntityRef,
    Evidence,
    Facts,
    Leader,
    Meeting,
    Organization,
    Place,
    Pledge,
    Span,
)
from kg.vocab import DIP, VOCAB_BASE
from tests.rdfassert import assert_isomorphic

DATA = Path(__file__).parent / "data" / "map"

ARTICLE = Article(
    source="example.txt",
    title="Macron and Zelensky talk peacekeepers",
    paragraphs=(
        "French President Emmanuel Macron and Ukrainian President Volodymyr Zelenskyy spoke by phone on Jan. 13.",
        "France has pledged to send troops to Ukraine.",
    ),
    published=datetime(2025, 1, 14, 2, 13, tzinfo=UTC),
    author="A. Reporter",
)
MACRON = EntityRef("leader", "emmanuel-macron", "Emmanuel Macron")
ZELENSKY = EntityRef("leader", "volodymyr-zelensky", "Volodymyr Zelenskyy")
FR = EntityRef("country", "FR", "France")
UA = EntityRef("country", "UA", "Ukraine")


def _facts() -> Facts:
    text = ARTICLE.text
    call = ARTICLE.paragraphs[0]
    pledge = ARTICLE.paragraphs[1]
    return Facts(
        article=ARTICLE,
        leaders=[
            Leader("emmanuel-macron", "Emmanuel Macron", "president", "President", "FR"),
            Leader("volodymyr-zelensky", "Volodymyr Zelenskyy", "president", "President", "UA"),
        ],
        countries=[Country("FR", "France"), Country("UA", "Ukraine")],
        organizations=[Organization("nato", "NATO")],
        places=[Place("paris", "Paris", "FR")],
        meetings=[Meeting([MACRON, ZELENSKY], Evidence(call, Span(text.index(call), text.index(call) + len(call))),
                          date="2025-01-13", date_text="on Jan. 13", mode="phone", status="held", kind="call")],
        pledges=[Pledge([FR], "troops", Evidence(pledge, Span(text.index(pledge), text.index(pledge) + len(pledge))),
                        recipient=UA)],
    )


def _without_concepts(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        if not str(t[0]).startswith(VOCAB_BASE):
            out.add(t)
    return out


def test_facts_map_to_the_documented_graph() -> None:
    expected = Graph().parse(DATA / "meeting-and-pledge" / "expected.ttl")
    assert_isomorphic(_without_concepts(to_graph(_facts())), expected)


def test_every_concept_used_travels_with_its_notation() -> None:
    g = to_graph(_facts())
    used = {o for p in (DIP.mode, DIP.status, DIP.pledgeType, DIP.role) for o in g.objects(None, p)}
    assert len(used) == 4
    for c in used:
        assert g.value(c, SKOS.notation) == Literal(str(c).rsplit("/", 1)[1])
        assert (c, RDF.type, SKOS.Concept) in g


def test_same_facts_give_byte_identical_turtle() -> None:
    first = to_graph(_facts()).serialize(format="turtle")
    assert first == to_graph(_facts()).serialize(format="turtle")


def test_dated_meeting_gets_the_same_iri_from_another_article() -> None:
    other = Article(source="other.json", title="Another report", paragraphs=("They spoke by phone.",),
                    url="https://example.org/x")
    meeting = _facts().meetings[0]
    assert meeting_key(meeting, ARTICLE) == meeting_key(meeting, other)


def test_undated_meeting_stays_scoped_to_its_article() -> None:
    meeting = _facts().meetings[0]
    meeting.date = None
    other = Article(source="other.txt", title="Another report", paragraphs=("x",))
    assert meeting_key(meeting, ARTICLE) != meeting_key(meeting, other)


def test_same_parties_meeting_twice_in_one_day_in_two_cities_are_two_valid_meetings() -> None:
    from dataclasses import replace

    from kg.validate import validate

    facts = _facts()
    call = facts.meetings[0]
    paris = EntityRef("place", "paris", "Paris")
    lyon = EntityRef("place", "lyon", "Lyon")
    facts.places.append(Place("lyon", "Lyon", "FR"))
    facts.meetings = [replace(call, mode="in_person", kind="meeting", location=paris),
                      replace(call, mode="in_person", kind="meeting", location=lyon)]
    g = to_graph(facts)
    meetings = set(g.subjects(RDF.type, DIP.Meeting))
    assert len(meetings) == 2
    assert all(len(list(g.objects(m, DIP.location))) == 1 for m in meetings)
    assert validate(g).conforms


@pytest.mark.parametrize(("value", "datatype"), [
    ("2025-04-04", XSD.date), ("2025-04", XSD.gYearMonth), ("2025", XSD.gYear),
])
def test_dates_keep_their_precision(value: str, datatype: URIRef) -> None:
    assert date_literal(value) == Literal(value, datatype=datatype)


def test_hostile_keys_still_make_valid_iris() -> None:
    iri = Minter().iri("person", 'a b"<>{}|\\^`x')
    assert all(c not in str(iri) for c in ' "<>{}|\\^`')


def test_base_iri_is_configurable() -> None:
    g = to_graph(_facts(), base_iri="https://example.org/kg")
    assert (URIRef("https://example.org/kg/country/FR"), DIP.isoCode, Literal("FR")) in g
