"""The store's default graph: the merge of its named graphs, each triple once.

Queries read it instead of Oxigraph's union of all graphs, where a country that
10,000 articles mention is described 10,000 times and every join pays for it.
It is derived data, kept by the store in the same transaction as every change to
a named graph (the operations below go into that change's SPARQL Update). The
named graphs are the data; the dataset exports leave this view out, while
``kg export -f nt`` writes it and ``kg push`` sends it, so a remote store's
queries read the same merge.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.store.core import Store

#: ``meta.json`` key saying the default graph is maintained (older stores are migrated on open)
META_KEY = "default_graph"
META_VALUE = "merge-of-named-graphs"


def forget(graph: str, *, leaving: Iterable[str] = (), subjects: Iterable[str] | None = None,
           triples: Iterable[ox.Triple] | None = None) -> str:
    """Delete from the default graph what ``<graph>`` states (about ``subjects``, or of ``triples``)
    and no other graph does.

    Run it before the named graph changes. ``leaving``: other graphs whose matching triples
    go in the same request (not counted as still stating them). ``triples``: no blank nodes.
    """
    out = ", ".join(f"<{g}>" for g in (graph, *leaving))
    values = ""
    if subjects is not None:
        values = "VALUES ?s { " + " ".join(f"<{s}>" for s in subjects) + " } "
    if triples is not None:
        values = "VALUES (?s ?p ?o) { " + " ".join(f"({t.subject} {t.predicate} {t.object})" for t in triples) + " } "
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ {values}GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER(?h NOT IN ({out})) }} }}")


def insert(graph: str, ntriples: str) -> str:
    """Insert N-Triples into ``<graph>`` and into the default graph."""
    return f"INSERT DATA {{\nGRAPH <{graph}> {{\n{ntriples}\n}}\n{ntriples}\n}}"


def copy(graph: str) -> str:
    """Add what ``<graph>`` states to the default graph (after loading it from a file)."""
    return f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"


#: after a user's SPARQL Update: drop what no named graph states any more, add what one now states
RESYNC = ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }",
          "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }")


def rebuild(store: ox.Store) -> None:
    """Derive the default graph from scratch, a named graph at a time (migrating an older store).

    Not one transaction (an old store can be larger than memory): the caller records the
    default graph as maintained only once this returns, so an interrupted rebuild starts over.
    """
    store.update("DROP SILENT DEFAULT")
    default = ox.DefaultGraph()
    for name in list(store.named_graphs()):
        store.extend([ox.Quad(q.subject, q.predicate, q.object, default)
                      for q in store.quads_for_pattern(None, None, None, name)])


def migrate(store: Store) -> None:
    """Make the default graph the merge of the named graphs, once per store (new, or from before 0.2).

    What an older store held in its default graph (a user's own statements) moves to the user graph first.
    """
    meta = store._meta()
    if meta.get(META_KEY) != META_VALUE:
        ox_store = store._writable()
        from kg.store.counters import invalidate

        invalidate(store)  # counted again, once rebuilt
        if meta.get(META_KEY) != "rebuilding":  # an interrupted rebuild just starts over
            ox_store.update(f"INSERT {{ GRAPH <{store.user_graph}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}")
            store._write_meta(meta := {**meta, META_KEY: "rebuilding"})
        rebuild(ox_store)
        ox_store.flush()
        store._write_meta({**meta, META_KEY: META_VALUE})
    store.merged_default = True


def writes_default(sparql: str) -> str | None:
    """The first operation of a SPARQL Update that would write the default graph itself, or None."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    def part(value: object, key: str) -> object:  # CompValue.get answers a missing key with the key
        return value[key] if value is not None and key in value else None  # type: ignore[index, operator]

    for op in translateUpdate(parseUpdate(sparql)).algebra:
        name = op.name
        if name in ("InsertData", "DeleteData", "DeleteWhere") and part(op, "triples"):
            return name
        if name == "Modify" and part(op, "withClause") is None and any(
                part(part(op, clause), "triples") for clause in ("delete", "insert")):
            return name
        if name == "Load" and part(op, "graphiri") is None:
            return name
        if name in ("Clear", "Drop") and part(op, "graphiri") == "DEFAULT":
            return name
        if name in ("Add", "Copy", "Move"):
            source, target = op["graph"]
            if target == "DEFAULT" or (name == "Move" and source == "DEFAULT"):
                return name
    return None
