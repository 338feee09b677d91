"""The ingest gate's fast path gives the same verdict as the full SHACL validation, on every shape example."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.validate import conforms_ntriples, engine_name, load_graph, validate

DATA = Path(__file__).parent / "data" / "shapes"
EXAMPLES = sorted((DATA / "valid").glob("*.ttl")) + sorted((DATA / "invalid").glob("*.ttl"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_fast_verdict_is_the_full_verdict(path: Path) -> None:
    graph = load_graph(path)
    fast = conforms_ntriples(graph.serialize(format="nt"), {p: str(n) for p, n in graph.namespaces()})
    if engine_name() != "turbo":
        assert fast is None
        return
    assert fast is validate(graph).conforms


def test_no_fast_path_with_the_reference_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_SHACL_ENGINE", "pyshacl")
    assert conforms_ntriples("", {}) is None
