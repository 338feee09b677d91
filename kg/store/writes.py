"""Whole-graph writes of the store, each measured for the counters (``kg.store.counters``).

``Store.replace_graph``, ``patch_graph``, ``load`` and ``load_schema`` are these functions:
each changes one or more named graphs and the default graph (their merge) in one transaction,
and tells the counters what changed (or that they must be recounted), so ``kg stats`` and the
merge update stay exact without a scan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store import counters
from kg.store import default as merge_default
from kg.store.terms import checked_iri, parse_ntriples, stable_quads

if TYPE_CHECKING:
    from kg.store.core import Store


def replace_graph(store: Store, graph: str, ntriples: str) -> None:
    """``Store.replace_graph``: the difference only, when neither side has blank nodes and the graph stays."""
    graph = checked_iri(graph)
    new = set(parse_ntriples(ntriples))
    old = {q.triple for q in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))}
    blank = any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in old | new)
    if new and not blank:
        patch_graph(store, graph, old - new, new - old, before=len(old))
        return
    change = None if blank else counters.Change(store, (), old)
    if change is None:
        counters.invalidate(store)
    ops = [merge_default.forget(graph), f"DROP SILENT GRAPH <{graph}>"]
    if ntriples.strip():
        ops.append(merge_default.insert(graph, ntriples))
    store._write(" ;\n".join(ops))
    if change is not None:
        change.done([(graph, -len(old), bool(old), False)])


def patch_graph(store: Store, graph: str, gone: Iterable[ox.Triple], added: Iterable[ox.Triple], *,
                before: int | None = None) -> None:
    """``Store.patch_graph``: one SPARQL Update; the default graph and the counters follow."""
    gone, added = set(gone), set(added)
    if not gone and not added:
        return
    was = counters.nonempty(store, graph) if before is None else before > 0
    change = counters.Change(store, (), gone | added)
    ops = []
    if gone:
        ops.append(merge_default.forget(graph, triples=gone))
        ops.append(f"DELETE DATA {{ GRAPH <{graph}> {{ {' '.join(f'{t} .' for t in gone)} }} }}")
    if added:
        ops.append(merge_default.insert(graph, "\n".join(f"{t} ." for t in sorted(added, key=str))))
    store._write(" ;\n".join(ops))
    now = bool(added) or (counters.nonempty(store, graph) if was else False)
    change.done([(graph, len(added) - len(gone), was, now)])


def load(store: Store, data: str | Path | Iterable[ox.Quad], *, format: ox.RdfFormat | None = None,
         graph: str | None = None) -> int:
    """``Store.load``: a dataset in one transaction; the counters are recounted, the merge is a full one."""
    oxs = store._writable()
    target = ox.NamedNode(checked_iri(graph or store.user_graph))
    try:
        quads = list(data if not isinstance(data, str | Path) else ox.parse(path=str(data), format=format))
    except (OSError, SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot load: {exc}", where=data if isinstance(data, str | Path) else None,
                         fix="give a TriG, N-Quads, Turtle or N-Triples file") from exc
    named = [q if not isinstance(q.graph_name, ox.DefaultGraph) else ox.Quad(q.subject, q.predicate, q.object,
                                                                             target) for q in quads]
    default = ox.DefaultGraph()
    counters.invalidate(store)  # recounted when next read
    counters.note_unknown(store)
    try:
        oxs.extend(named + [ox.Quad(q.subject, q.predicate, q.object, default) for q in named])
    except OSError as exc:
        raise StoreError(f"write failed: {exc}", where=store.path) from exc
    return len(named)


def load_schema(store: Store, schema_graphs: dict[str, str], loading: bytes, force: bool = False) -> None:
    """``Store.load_schema``: each ontology file whose digest (``loading`` + its bytes) changed, again."""
    from kg.resources import resource_dir

    meta = store._meta()
    hashes = dict(meta.get("schema", {}))
    for graph, name in schema_graphs.items():
        try:
            path = resource_dir("ontology") / name
            data = path.read_bytes()
        except (OSError, FileNotFoundError):
            continue  # not written yet: nothing to load
        digest = hashlib.sha256(loading + data).hexdigest()
        if not force and hashes.get(graph) == digest:
            continue
        oxs = store._writable()
        counters.invalidate(store)  # recounted when next read
        try:
            oxs.update(f"{merge_default.forget(graph)} ;\nDROP SILENT GRAPH <{checked_iri(graph)}>")
            oxs.extend(stable_quads(data, graph))
            oxs.update(merge_default.copy(graph))
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot load the ontology: {exc}", where=path) from exc
        hashes[graph] = digest
    if hashes != meta.get("schema"):
        store._write_meta({**meta, "schema": hashes})
