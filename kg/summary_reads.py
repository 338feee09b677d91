"""Cached, batched point reads for the summary's delta (``kg.summary_apply.apply``).

After 1,000 new articles, ``apply`` reads a few thousand facts, their merges and their
articles' other facts: ~5 properties each, ~47k ``quads_for_pattern`` calls at 10k articles
(9 s on 2 busy cores; a call from Python looks up all four terms of each quad). Here each IRI
is read once, and many at a time: one SPARQL query per thousand IRIs seeks once per IRI and
keeps only the properties asked for (as ``kg.merge_reads`` does for the relink).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.batched_reads import chunks, coded, numbered, rows

if TYPE_CHECKING:
    from kg.store import Store


class Cached:
    """Objects and subjects of the merged view, each (IRI, property) read once per instance.

    A read is what ``quads_for_pattern`` over the default graph (or the union of the graphs, on a
    store from before the merged default graph) gives, as a set of values. The instance lives for
    one delta, which writes only at its end: nothing it caches changes while it is used.
    """

    def __init__(self, store: Store) -> None:
        self.oxs = store.oxigraph
        self.graph = store.view_graph
        self._objects: dict[tuple[str, str], set[str]] = {}
        self._terms: dict[tuple[str, str], list[ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
        self._subjects: dict[tuple[str, str], set[str]] = {}

    def objects(self, iri: str, prop: ox.NamedNode) -> set[str]:
        return set(self._read(iri, prop))

    def terms(self, iri: str, prop: ox.NamedNode) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        """The objects as terms (a literal with its datatype)."""
        self._read(iri, prop)
        return list(dict.fromkeys(self._terms[(iri, prop.value)]))

    def _read(self, iri: str, prop: ox.NamedNode) -> set[str]:
        key = (iri, prop.value)
        found = self._objects.get(key)
        if found is None:
            terms = self._terms[key] = [q.object for q in  # type: ignore[misc]
                                        self.oxs.quads_for_pattern(ox.NamedNode(iri), prop, None, self.graph)]
            found = self._objects[key] = {t.value for t in terms}
        return found

    def subjects(self, prop: str, value: str) -> set[str]:
        key = (prop, value)
        found = self._subjects.get(key)
        if found is None:
            found = self._subjects[key] = {q.subject.value for q in  # type: ignore[union-attr]
                                           self.oxs.quads_for_pattern(None, ox.NamedNode(prop), ox.NamedNode(value),
                                                                      self.graph)}
        return set(found)

    def prefetch(self, iris: Iterable[str], props: Iterable[ox.NamedNode]) -> None:
        """Read ``props`` of every IRI not read yet, a batch of IRIs a query."""
        wanted = sorted({p.value for p in props})
        for chunk in chunks(i for i in iris if any((i, p) not in self._objects for p in wanted)):
            found: list[list[list[ox.NamedNode | ox.BlankNode | ox.Literal]]] = [[[] for _ in wanted] for _ in chunk]
            values = numbered(chunk)
            # one property: a seek per IRI and property; several: one per IRI, the others dropped before decoding
            query = (f"SELECT ?n (0 AS ?k) ?o WHERE {{ VALUES (?n ?s) {{ {values} }} ?s <{wanted[0]}> ?o }}"
                     if len(wanted) == 1 else
                     f"SELECT ?n ?k ?o WHERE {{ VALUES (?n ?s) {{ {values} }} ?s ?p ?o . BIND({coded(wanted)} AS ?k) "
                     f"FILTER(?k >= 0) }}")
            for row in rows(self.oxs, query, self.graph is None):
                found[int(row[0].value)][int(row[1].value)].append(row[2])
            for iri, lists in zip(chunk, found, strict=True):
                for prop, got in zip(wanted, lists, strict=True):
                    self._terms[(iri, prop)] = got
                    self._objects[(iri, prop)] = {t.value for t in got}

    def prefetch_subjects(self, prop: ox.NamedNode, values: Iterable[str]) -> None:
        """Read who states (``prop``, value) for every IRI value not read yet, a batch a query."""
        for chunk in chunks(v for v in values if (prop.value, v) not in self._subjects):
            found: list[set[str]] = [set() for _ in chunk]
            query = f"SELECT ?n ?s WHERE {{ VALUES (?n ?o) {{ {numbered(chunk)} }} ?s {prop} ?o }}"
            for row in rows(self.oxs, query, self.graph is None):
                found[int(row[0].value)].add(row[1].value)
            for value, got in zip(chunk, found, strict=True):
                self._subjects[(prop.value, value)] = got
