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
from kg.store import counters, journal, pending
from kg.store import default as merge_default
from kg.store.terms import checked_iri, parse_ntriples, stable_quads

if TYPE_CHECKING:
    from kg.store.core import Store

#: triples per part of a change written in parts (``patch_graph(parts=True)``)
PART = 50_000


def replace_graph(store: Store, graph: str, ntriples: str, *, parts: bool = False) -> None:
    """``Store.replace_graph``: the difference only, when neither side has blank nodes and the graph stays."""
    graph = checked_iri(graph)
    new = set(parse_ntriples(ntriples))
    old = {q.triple for q in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))}
    blank = any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in old | new)
    if new and not blank:
        patch_graph(store, graph, old - new, new - old, before=len(old), parts=parts)
        return
    change = None if blank else counters.Change(store, (), old, held=old)
    if change is None:
        counters.invalidate(store)
    ops = [merge_default.forget(graph), f"DROP SILENT GRAPH <{graph}>"]
    if ntriples.strip():
        ops.append(merge_default.insert(graph, ntriples))
    store._write(" ;\n".join(ops))
    if change is not None:
        change.done([(graph, -len(old), bool(old), False)])


def patch_graph(store: Store, graph: str, gone: Iterable[ox.Triple], added: Iterable[ox.Triple], *,
                before: int | None = None, parts: bool = False) -> None:
    """``Store.patch_graph``: one SPARQL Update; the default graph and the counters follow.

    ``parts``: a change of over ``PART`` triples goes in parts instead, each its own transaction,
    additions through the bulk loader (the summary of 100k articles, ~1M triples, took 3.5 GB and
    minutes as one update), for a caller that redoes the whole change if a crash cuts it short.
    """
    gone, added = set(gone), set(added)
    if parts and len(gone) + len(added) > PART:
        ordered = sorted(gone, key=str)
        for start in range(0, len(ordered), PART):
            patch_graph(store, graph, ordered[start:start + PART], ())
        ordered = sorted(added, key=str)
        if not ordered:
            return
        # measured once for all parts: a later part's triples are in the default graph after the earlier
        # parts only if they were before them (and a property new to the store stays cheap to look up)
        was = counters.nonempty(store, graph)
        change = counters.Change(store, (), ordered, adding=ordered)
        for start in range(0, len(ordered), PART):
            _add_in_bulk(store, graph, ordered[start:start + PART])
        change.done([(graph, len(ordered), was, True)])
        return
    if not gone and not added:
        return
    was = counters.nonempty(store, graph) if before is None else before > 0
    # what the graph holds is in the default graph (the merge) before, what it gets after: looked up there
    # only the other way round (another graph may state it)
    change = counters.Change(store, (), gone | added, held=gone, adding=added)
    ops = []
    if gone:
        ops.append(merge_default.forget(graph, triples=gone))
        ops.append(f"DELETE DATA {{ GRAPH <{graph}> {{ {' '.join(f'{t} .' for t in gone)} }} }}")
    if added:
        ops.append(merge_default.insert(graph, "\n".join(f"{t} ." for t in sorted(added, key=str))))
    store._write(" ;\n".join(ops))
    now = bool(added) or (counters.nonempty(store, graph) if was else False)
    change.done([(graph, len(added) - len(gone), was, now)])


def _add_in_bulk(store: Store, graph: str, triples: list[ox.Triple]) -> None:
    """Add triples the named graph does not hold, to it and to the default graph, with the bulk loader
    behind the journal (``kg.store.journal``: a load cut short is undone on the next writable open)."""
    data = "".join(f"{line} <{graph}> .\n{line} .\n" for line in map(str, triples)).encode("utf-8")
    store.generation += 1
    oxs = store._writable()
    with journal.journalled(store, changed=data):
        oxs.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        oxs.flush()


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
    pending.note_unknown(store)
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
