"""Whatever text an article holds, extraction and mapping give a graph or a KgError, nothing else.

The text is built from fragments that steer into the extractor's branches (titles,
names, triggers, dates, negations) mixed with arbitrary unicode, including the
characters that break RDF serialisations when escaped wrongly.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kg.errors import KgError
from kg.model import Article
from kg.pipeline import article_graph

FUZZ = settings(max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "80")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

_FRAGMENTS = st.sampled_from([
    "French President Emmanuel Macron", "Zelenskyy", "the Prime Minister", "U.K.", "NATO", "the coalition",
    "Polish troops", "met", "spoke by phone", "will meet", "held talks with", "visited", "summit",
    "pledged", "will send", "ruled out sending", "could send", "troops", "€3 billion", "air defense",
    "on Friday", "Dec. 18", "last week", "yesterday", "in September", "on Jan. 13, 2025", " and ", ", ",
    ". ", " in Paris", " to Ukraine", "\"", "\\", ">", "<", "\n", "\u2028", "\x00", "é", "’", "🇺🇦",
    "Sheikh Mohammed bin Abdulrahman Al Thani", "von der Leyen", "Mr.", "Jr.", "(", ")",
])
_TEXT = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=20)), min_size=1, max_size=40).map("".join)
_DATES = st.one_of(st.none(), st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2035, 12, 31),
                                           timezones=st.just(UTC)))


@FUZZ
@given(title=_TEXT, body=st.lists(_TEXT, max_size=4), published=_DATES)
def test_extraction_never_raises_anything_but_kg_errors(title: str, body: list[str],
                                                        published: datetime | None) -> None:
    paragraphs = tuple(" ".join(p.split()) for p in body if p.strip())
    article = Article(source="fuzz.txt", title=" ".join(title.split()), paragraphs=paragraphs,
                      published=published)
    try:
        graph = article_graph(article)
    except KgError:
        return
    # whatever came out must survive a round trip through a strict serialisation
    data = graph.serialize(format="nt")
    assert len(Graph().parse(data=data, format="nt")) == len(graph)
