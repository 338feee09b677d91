"""The whole-store N-Quads export split between two processes writes exactly the sequential bytes."""

from __future__ import annotations

import importlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.publish import export
from kg.store import open_store

export_mod = importlib.import_module("kg.publish.export")  # kg.publish.export is also the function's name


@pytest.mark.slow
def test_parallel_nquads_are_the_sequential_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(tmp_path / "store") as st:
        st.load(
            ox.Quad(ox.NamedNode(f"https://example.org/s{i % 7}"), ox.NamedNode("https://example.org/p"),
                    ox.Literal(f"value {i} \u00e9\\n"), ox.NamedNode(f"https://example.org/g{i % 23}"))
            for i in range(400))
        st.load([ox.Quad(ox.NamedNode("https://example.org/d"), ox.NamedNode("https://example.org/p"),
                         ox.Literal("in the default graph"))])  # goes to the user graph
    with open_store(tmp_path / "store", read_only=True) as st:
        monkeypatch.setattr(export_mod, "PARALLEL_MIN_GRAPHS", 10**9)
        sequential = export(st, tmp_path / "seq.nq", "nquads")
        monkeypatch.setattr(export_mod, "PARALLEL_MIN_GRAPHS", 2)
        monkeypatch.setattr(export_mod, "GRAPHS_PER_TASK", 3)
        calls: list[int] = []
        real = export_mod._parallel_nquads
        monkeypatch.setattr(export_mod, "_parallel_nquads", lambda *a: calls.append(1) or real(*a))
        parallel = export(st, tmp_path / "par.nq", "nquads")
    assert calls, "the parallel path did not run"
    assert parallel.statements == sequential.statements > 400
    assert (tmp_path / "par.nq").read_bytes() == (tmp_path / "seq.nq").read_bytes()
