"""Golden graphs: an article in every input format, through the whole pipeline, compared as RDF graphs.

Each folder of tests/data/golden holds ``article.txt|.html|.json`` and ``expected.ttl``: the graph
an editor checked triple by triple (see tests/data/golden/README.md). Concept descriptions copied
from ontology/vocab.ttl are left out of the comparison; everything else must match exactly.
A folder with a ``KNOWN_WEAKNESS`` file is an expected failure (strict): its ``expected.ttl`` is
still the right answer, and the test starts passing, and must be un-marked, when the tool learns it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from kg.pipeline import article_graph, read_source
from kg.vocab import VOCAB_BASE
from tests.rdfassert import assert_isomorphic

GOLDEN = Path(__file__).parent / "data" / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if (p / "expected.ttl").is_file())


def without_concepts(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        if not str(t[0]).startswith(VOCAB_BASE):
            out.add(t)
    return out


def _case(folder: Path) -> object:
    weakness = folder / "KNOWN_WEAKNESS"
    if weakness.is_file():
        return pytest.param(folder, id=folder.name, marks=pytest.mark.xfail(
            reason=weakness.read_text(encoding="utf-8").strip(), strict=True))
    return pytest.param(folder, id=folder.name)


@pytest.mark.parametrize("case", [_case(c) for c in CASES])
def test_golden_graph(case: Path) -> None:
    article = next(case.glob("article.*"))
    got = without_concepts(article_graph(read_source(article)))
    expected = Graph().parse(case / "expected.ttl")
    assert_isomorphic(got, expected)


def test_every_input_format_has_a_golden_case() -> None:
    suffixes = {next(c.glob("article.*")).suffix for c in CASES}
    assert suffixes == {".txt", ".html", ".json"}
