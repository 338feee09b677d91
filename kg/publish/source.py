"""One view over every kind of source: a kg Store, a pyoxigraph Store, an rdflib Graph or Dataset.

Everything downstream reads a pyoxigraph Store: rdflib sources are copied into an
in-memory one (they are small by nature); a kg Store is read in place, never copied.

Canonical order (for meaningful git diffs): graphs by IRI (default graph first),
triples of one graph sorted by their N-Triples line. One graph is sorted at a time,
so memory is bounded by the largest graph (an article graph is a few dozen
triples). N-Triples/N-Quads lines come from Oxigraph's own serializer, one graph
per call, and are sorted as bytes, never turned into Python objects: that runs at
the speed Oxigraph reads its disk store (see bench/README.md). The merged view of
all graphs is built subject by subject (sorted), each deduplicated on its own,
which is 10x faster than a global SPARQL DISTINCT/ORDER BY.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.graph import ConjunctiveGraph

from kg.errors import PublishError

#: rdflib's name for a Dataset's default graph
DEFAULT_GRAPH_ID = "urn:x-rdflib:default"

GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def as_oxigraph(source: Any) -> ox.Store:
    """The pyoxigraph Store behind ``source`` (copying rdflib graphs into a new in-memory one)."""
    if isinstance(source, ox.Store):
        return source
    inner = getattr(source, "oxigraph", None)
    if isinstance(inner, ox.Store):
        return inner
    if isinstance(source, Graph):
        from kg.store.terms import to_oxigraph

        store = ox.Store()
        if isinstance(source, Dataset | ConjunctiveGraph):
            quads = []
            for s, p, o, g in source.quads((None, None, None, None)):
                name = getattr(g, "identifier", g)
                default = name is None or str(name) == DEFAULT_GRAPH_ID
                graph = ox.DefaultGraph() if default else to_oxigraph(name)  # type: ignore[arg-type]
                quads.append(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph))
            store.bulk_extend(quads)
        else:
            store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in source)
        return store
    raise PublishError(f"cannot export a {type(source).__name__}",
                       fix="pass a kg Store, a pyoxigraph Store or an rdflib Graph/Dataset")


def merged_default(source: Any) -> bool:
    """Is ``source`` a kg Store whose default graph is the merge of its named graphs (derived: never exported)?"""
    return getattr(source, "merged_default", False) is True


def graph_node(name: str | None) -> GraphName:
    return ox.DefaultGraph() if not name else ox.NamedNode(name)


def sorted_graphs(store: ox.Store, merged: bool = False) -> list[GraphName]:
    """Default graph (when it has triples and is not ``merged``, derived) then named graphs by IRI."""
    names: list[GraphName] = sorted(store.named_graphs(), key=term_key)
    if not merged and next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        names.insert(0, ox.DefaultGraph())
    return names


def term_key(term: Any) -> tuple[int, str, str, str]:
    """Sort key: blank nodes, then IRIs by their string (as SPARQL ORDER BY does), then literals."""
    if isinstance(term, ox.NamedNode):
        return (1, term.value, "", "")
    if isinstance(term, ox.Literal):
        return (2, term.value, term.datatype.value, term.language or "")
    return (0, str(term), "", "")


def graph_triples(store: ox.Store, graph: GraphName) -> list[ox.Triple]:
    """The triples of one graph in canonical order (by N-Triples line)."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]
    triples.sort(key=str)
    return triples


def graph_lines(store: ox.Store, graph: GraphName) -> list[bytes]:
    """The N-Triples lines of one graph, sorted: the same order as ``graph_triples``."""
    lines = (store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b"").splitlines(keepends=True)
    lines.sort()
    return lines


def ntriples_chunks(store: ox.Store, graph: str | None, *, quads: bool, merged: bool = False) -> Iterator[list[bytes]]:
    """Canonical N-Quads (``quads``) or N-Triples lines of one graph or of all, a graph (or subject) at a time.

    ``merged``: the store's default graph is the merge of the named graphs, read as it is.
    """
    if not quads:
        if graph or merged:
            yield graph_lines(store, graph_node(graph))
        else:
            for subject in _subjects(store):
                yield [f"{t} .\n".encode() for t in subject_triples(store, subject)]
        return
    for name in [graph_node(graph)] if graph else sorted_graphs(store, merged):
        lines = graph_lines(store, name)
        if not isinstance(name, ox.DefaultGraph):
            suffix = b" " + str(name).encode() + b" .\n"
            lines = [line[:-3] + suffix for line in lines]
        yield lines


def dataset_quads(store: ox.Store, graph: str | None = None, merged: bool = False) -> Iterator[ox.Quad]:
    """Quads of every graph (or the one named), graph by graph, in canonical order."""
    names = [graph_node(graph)] if graph else sorted_graphs(store, merged)
    for name in names:
        for t in graph_triples(store, name):
            yield ox.Quad(t.subject, t.predicate, t.object, name)


def merged_triples(store: ox.Store, graph: str | None = None, merged: bool = False) -> Iterator[ox.Triple]:
    """The triples of one graph, or of all graphs merged without duplicates, in canonical order."""
    if graph or merged:
        yield from graph_triples(store, graph_node(graph))
        return
    yield from (t for subject in _subjects(store) for t in subject_triples(store, subject))


def _subjects(store: ox.Store) -> list[ox.NamedNode | ox.BlankNode]:
    """Every subject of every graph, in canonical order."""
    rows = store.query("SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
    assert isinstance(rows, ox.QuerySolutions)
    return sorted((row[0] for row in rows), key=term_key)


def subject_triples(store: ox.Store, subject: ox.NamedNode | ox.BlankNode) -> list[ox.Triple]:
    """What all graphs say about one subject, deduplicated, canonical order."""
    seen = {(q.predicate, q.object) for q in store.quads_for_pattern(subject, None, None, None)}
    triples = [ox.Triple(subject, p, o) for p, o in seen]
    triples.sort(key=str)
    return triples


def count_merged(store: ox.Store) -> int:
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
                       use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    return int(next(iter(rows))[0].value)
