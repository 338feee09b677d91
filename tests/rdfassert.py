"""Graph comparison that prints what differs, for tests that compare graphs."""

from __future__ import annotations

from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic


def assert_isomorphic(actual: Graph, expected: Graph) -> None:
    iso_a, iso_e = to_isomorphic(actual), to_isomorphic(expected)
    if iso_a == iso_e:
        return
    _, only_actual, only_expected = graph_diff(iso_a, iso_e)
    lines = ["graphs differ"]
    lines += ["  + " + " ".join(t.n3() for t in triple) for triple in sorted(only_actual)]
    lines += ["  - " + " ".join(t.n3() for t in triple) for triple in sorted(only_expected)]
    raise AssertionError("\n".join(lines))
