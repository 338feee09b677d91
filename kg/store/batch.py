"""New articles stored many at a time: one bulk load, made all-or-nothing by a journal.

Oxigraph's transactional writes cost ~20 µs a quad here: an article with its default-graph
copies, ~4 ms, the ingest's bottleneck. Its bulk loader writes index files directly, three times
faster, but is not atomic. So a batch of new articles is first written to ``journal.nq`` (fsync,
atomic rename), bulk-loaded from those bytes, and the journal is removed once the load is on
disk. A store opened for writing with a journal left over (the process was killed mid-load)
removes whatever the batch may have written, so every article is stored whole or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store import counters
from kg.store.terms import checked_iri, parse_ntriples

if TYPE_CHECKING:
    from kg.store.core import Store

JOURNAL = "journal.nq"
#: articles per bulk load (~220 quads each with their default-graph copies): 10k articles 224/s against 219/s
#: with 200, 100k in 662 s against 722 s with 2,500
SIZE = 1000
#: lines remembered as already in the default graph (~50 % of an article's lines describe shared entities)
SEEN_MAX = 200_000
NT = ox.RdfFormat.N_TRIPLES


class ArticleBatch:
    """Queue articles with ``add``; ``commit`` stores the queue. Not thread-safe.

    ``size`` 0: ``commit`` is one transaction instead of a bulk load (one article, no journal).
    """

    def __init__(self, store: Store, size: int = SIZE) -> None:
        self.store = store
        self.size = size
        self._staged = ox.Store()  # in memory: parses (all or nothing) and holds the queue's named graphs
        self._default: list[bytes] = []  # the same triples for the default graph, as N-Triples
        self._keys: set[str] = set()  # bulk-loaded, and replaced after the load (a key's versions keep their order)
        self._queued = 0
        self._replacing: list[tuple[str, str, Mapping[str, str]]] = []  # applied in order after the load
        self._known: dict[str, str] = {}  # entity IRI -> description (N-Triples) stored or queued
        self._seen: set[bytes] = set()  # N-Triples lines in the default graph, valid while generation is
        self._generation = store.generation
        self._facts: set[str] = set()  # meetings and pledges of the queued articles (for kg.merge.update)
        #: commits so far, also those ``add`` makes when the queue is full (a caller reporting progress follows it)
        self.commits = 0
        if not store.read_only:
            counters.current(store)  # valid counters are kept by every write (a scan only if they are not)

    def __len__(self) -> int:
        return self._queued + len(self._replacing)

    def add(self, key: str, ntriples: str, entities: Mapping[str, str] | None = None) -> None:
        """Store an article (N-Triples) with its entity descriptions, as ``Store.replace_article`` does.

        A new article whose entity descriptions are new or unchanged (the usual case) joins the
        bulk load; any other (already stored or queued, or changing a description) is replaced in
        one transaction after it, in the order given, which leaves the same store as adding one
        at a time. The queue is committed once it holds ``size`` articles.
        """
        store = self.store
        graph = ox.NamedNode(checked_iri(store.article_graph(key)))
        entities = entities or {}
        fresh = self._fresh(entities)
        if key in self._keys or fresh is None or store.oxigraph.contains_named_graph(graph):
            parse_ntriples(ntriples)  # refused now, not at commit
            self._replacing.append((key, ntriples, entities))
            self._keys.add(key)
            self._known.update(entities)
            self._commit_if_full()
            return
        data = [_nt_bytes(ntriples)] + [_nt_bytes(entities[iri]) for iri in fresh]
        try:
            self._staged.load(data[0], format=NT, to_graph=graph)
            if fresh:
                self._staged.load(b"".join(data[1:]), format=NT, to_graph=ox.NamedNode(store.entities_graph))
        except SyntaxError as exc:
            self._staged.remove_graph(graph)
            raise StoreError(f"not valid N-Triples: {exc}") from exc
        self._default.append(self._unseen(data))
        self._facts |= counters.facts_in_ntriples(ntriples)
        self._known.update((iri, entities[iri]) for iri in fresh)
        self._keys.add(key)
        self._queued += 1
        self._commit_if_full()

    def _commit_if_full(self) -> None:
        if self.size and len(self) >= self.size:
            self.commit()

    def _unseen(self, data: list[bytes]) -> bytes:
        """The lines not written to the default graph yet, as far as this batch knows."""
        if self._generation != self.store.generation or len(self._seen) > SEEN_MAX:
            self._seen.clear()  # a write outside the batch may have deleted some
            self._generation = self.store.generation
        seen = self._seen
        lines = [line for line in b"".join(data).splitlines(keepends=True) if line not in seen]
        seen.update(lines)
        return b"".join(lines)

    def _fresh(self, entities: Mapping[str, str]) -> list[str] | None:
        """The IRIs whose descriptions are not stored yet; None when one differs from the stored one."""
        ents = ox.NamedNode(self.store.entities_graph)
        fresh = []
        for iri in sorted(entities):
            text = entities[iri]
            if self._known.get(iri) == text:
                continue
            new = set(parse_ntriples(text))
            old = (set(parse_ntriples(self._known[iri])) if iri in self._known
                   else {ox.Triple(q.subject, q.predicate, q.object)
                         for q in self.store.oxigraph.quads_for_pattern(ox.NamedNode(iri), None, None, ents)})
            if old and old != new:
                return None
            if old:
                self._known[iri] = text  # the same description, written differently
            else:
                fresh.append(iri)
        return fresh

    def commit(self) -> None:
        """Store the queue, then the replacements; each article whole or not at all."""
        replacing, self._replacing = self._replacing, []
        queued = self._queued + len(replacing)
        self._load()
        for key, ntriples, entities in replacing:
            self._replace(key, ntriples, entities)
        self.commits += bool(queued)

    def _replace(self, key: str, ntriples: str, entities: Mapping[str, str]) -> None:
        """``Store._replace``, measured for the counters, its facts noted for the merge update."""
        store = self.store
        graph = store.article_graph(key)
        ents = ox.NamedNode(store.entities_graph)
        new = parse_ntriples(ntriples)
        old = [q.triple for q in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
        described = []
        for iri in sorted(entities):
            described += [q.triple for q in store.oxigraph.quads_for_pattern(ox.NamedNode(iri), None, None, ents)]
            described += parse_ntriples(entities[iri])
        counters.note_facts(store, counters.facts_in_graph(store, graph) | counters.facts_in_ntriples(ntriples))
        if _ground(old, new, described):
            self._patch(graph, old, ntriples, entities)
            return
        ents_was, before = counters.nonempty(store, ents.value), _described(store, entities)
        change = counters.Change(store, [graph], [*old, *new, *described])
        store._replace(key, ntriples, entities)
        change.done([(ents.value, _described(store, entities) - before, ents_was,
                      counters.nonempty(store, ents.value))])

    def _patch(self, graph: str, old: list[ox.Triple], ntriples: str, entities: Mapping[str, str]) -> None:
        """``Store._replace`` as one DELETE DATA / INSERT DATA request of the exact difference, the default
        graph's share worked out here by lookups: its pattern-matching update matches every other graph
        stating a shared triple (at 100k articles, 45 ms a replacement here against 60-67 ms)."""
        store, oxs = self.store, self.store.oxigraph
        ents = ox.NamedNode(store.entities_graph)
        name = ox.NamedNode(graph)
        old_e = {q.triple for iri in entities for q in oxs.quads_for_pattern(ox.NamedNode(iri), None, None, ents)}
        new_e = _as_stored(entities[iri] for iri in sorted(entities))
        old_g, new_g = set(old), _as_stored([ntriples])
        stated = new_g | new_e
        subjects = {ox.NamedNode(iri) for iri in entities}

        def elsewhere(t: ox.Triple) -> bool:  # stated by a graph that stays as it is
            return any(not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name != name
                       and (q.graph_name != ents or t.subject not in subjects)
                       for q in oxs.quads_for_pattern(t.subject, t.predicate, t.object))

        gone = {t for t in (old_g | old_e) - stated if _in(oxs, t) and not elsewhere(t)}
        added = {t for t in stated if not _in(oxs, t)}
        ents_added = {t for t in new_e - old_e if not _in(oxs, t, ents)}  # (a subject outside ``entities``)
        deletes = [(name, old_g - new_g), (ents, old_e - new_e), (None, gone)]
        inserts = [(name, new_g - old_g), (ents, ents_added), (None, added)]
        text = " ;\n".join(f"{verb} DATA {{\n{body}}}" for verb, parts in (("DELETE", deletes), ("INSERT", inserts))
                            if (body := "".join(_sparql_data(g, ts) for g, ts in parts if ts)))
        was_e = counters.nonempty(store, ents.value)
        change = counters.Change(store, [], gone | added)
        if text:
            store._write(text)
        change.done([(graph, len(new_g) - len(old_g), bool(old_g), bool(new_g)),
                     (ents.value, len(ents_added) - len(old_e - new_e), was_e, counters.nonempty(store, ents.value))])

    def _load(self) -> None:
        """The new articles: journal, bulk load, remove the journal (``size`` 0: one transaction)."""
        if not self._queued:
            self._keys = set()
            return
        store = self.store
        default = b"".join(self._default)
        data = (self._staged.dump(format=ox.RdfFormat.N_QUADS) or b"") + default
        kept = counters.load(store)
        if kept is not None:
            counters.invalidate(store)
            statements = len(self._staged)
            new_graphs = [g.value for g in self._staged.named_graphs()
                          if isinstance(g, ox.NamedNode) and (g.value != store.entities_graph
                                                              or not counters.nonempty(store, g.value))]
            new_default = counters.absent_from_default(store, parse_ntriples(default.decode("utf-8")))
        counters.note_facts(store, self._facts)
        if not self.size:
            try:
                store._writable().load(data, format=ox.RdfFormat.N_QUADS)
            except OSError as exc:
                raise StoreError(f"write failed: {exc}", where=store.path) from exc
            self._clear()
            if kept is not None:
                counters.bulk_added(store, kept, statements, new_graphs, new_default)
            return
        journal = store.path / JOURNAL
        try:
            _write_synced(journal, data)
        except OSError as exc:
            raise StoreError(f"cannot write the ingest journal: {exc.strerror}", where=journal) from exc
        try:
            store._writable().bulk_load(data, format=ox.RdfFormat.N_QUADS)
            store.oxigraph.flush()
        except (OSError, RuntimeError, SyntaxError) as exc:
            self._known.clear()
            self._seen.clear()
            recover(store)
            raise StoreError(f"write failed: {exc}", where=store.path) from exc
        finally:
            self._clear()
        journal.unlink()
        if kept is not None:
            counters.bulk_added(store, kept, statements, new_graphs, new_default)

    def _clear(self) -> None:
        self._staged = ox.Store()  # a new one: clear() keeps the interned strings, and gets slower
        self._default = []
        self._keys = set()
        self._queued = 0
        self._facts = set()


def recover(store: Store) -> bool:
    """Undo what an interrupted batch wrote, if its journal is there; idempotent, so a crash here is safe too."""
    journal = store.path / JOURNAL
    if not journal.exists():
        return False
    oxs = store._writable()
    try:
        quads = list(ox.parse(path=str(journal), format=ox.RdfFormat.N_QUADS))
    except (OSError, SyntaxError) as exc:
        raise StoreError(f"cannot read the ingest journal: {exc}", where=journal,
                         fix="restore the store from a backup, or ingest into a new one") from exc
    ents = ox.NamedNode(store.entities_graph)
    for name in {q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != ents}:
        if oxs.contains_named_graph(name):
            oxs.remove_graph(name)
    for q in quads:
        if q.graph_name == ents:  # descriptions the batch added (it only adds new ones)
            oxs.remove(q)
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph) and not any(
                not isinstance(h.graph_name, ox.DefaultGraph)
                for h in oxs.quads_for_pattern(q.subject, q.predicate, q.object)):
            oxs.remove(q)
    oxs.flush()
    journal.unlink()
    return True


def _ground(*parts: Iterable[ox.Triple]) -> bool:
    """No blank nodes (DELETE DATA cannot name one)."""
    return not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                   for ts in parts for t in ts)


def _in(oxs: ox.Store, t: ox.Triple, graph: ox.NamedNode | ox.DefaultGraph | None = None) -> bool:
    """Whether the graph (default: the default graph) holds the triple."""
    return ox.Quad(t.subject, t.predicate, t.object, graph or ox.DefaultGraph()) in oxs


def _as_stored(texts: Iterable[str]) -> set[ox.Triple]:
    """Triples as the store gives them back: a typed literal in its canonical form (``+00:00`` is ``Z``)."""
    mem = ox.Store()
    mem.load(b"".join(_nt_bytes(text) for text in texts), format=NT)
    return {q.triple for q in mem}


def _nt_str(t: ox.Triple) -> str:
    return f"{t.subject} {t.predicate} {t.object} .\n"


def _sparql_data(graph: ox.NamedNode | None, triples: Iterable[ox.Triple]) -> str:
    lines = "".join(map(_nt_str, triples))
    return lines if graph is None else f"GRAPH {graph} {{\n{lines}}}\n"


def _described(store: Store, iris: Iterable[str]) -> int:
    """Quads describing these IRIs in the entities graph."""
    ents = ox.NamedNode(store.entities_graph)
    return sum(1 for iri in iris for _ in store.oxigraph.quads_for_pattern(ox.NamedNode(iri), None, None, ents))


def _nt_bytes(text: str) -> bytes:
    """N-Triples as bytes ending with a line break, so two documents concatenate into one."""
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _write_synced(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
