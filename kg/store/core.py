"""The embedded store: a pyoxigraph (RocksDB) dataset in a folder, one named graph per article.

Layout of a store folder::

    <store>/oxigraph/        the RocksDB database
    <store>/kg.lock          flock'd by the writer (see kg.store.lock)
    <store>/snapshots/       what readers read: a checkpoint per committed batch (see kg.store.snapshot)
    <store>/unpublished      the database is ahead of the newest snapshot (written, not yet published)
    <store>/meta.json        base IRI and the hashes of the loaded ontology files
    <store>/quarantine.jsonl articles the SHACL gate or the reader rejected

Crash safety: every write that must be all-or-nothing (an article's graph
replacement together with its entity descriptions, the merged graph) is ONE
SPARQL Update request, which pyoxigraph applies as one transaction (verified:
an update whose last operation fails leaves nothing of the earlier ones).

The default graph is the merge of the named graphs (``kg.store.default``), kept
in the same transactions; stored queries read it.

A store opened read-only reads the newest snapshot the writer published, never the
writer's database: readers and the one writer never wait for each other. The writer
publishes after every ``batch()`` commit, on ``publish()`` and on ``close()``.
This module is the storage floor: it imports nothing from the stages above it
(ingest, merge, query); ``kg.api`` puts them together.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import StoreError
from kg.store import batch as article_batch
from kg.store import counters, pending, snapshot, staged, writes
from kg.store import default as merge_default
from kg.store.journal import LOAD_JOURNAL
from kg.store.lock import StoreLock
from kg.store.staged import StagedBatch
from kg.store.terms import checked_iri, to_rdflib
from kg.vocab import ONTOLOGY_IRI, VOCAB_BASE

DB_DIR = "oxigraph"
META = "meta.json"
QUARANTINE = "quarantine.jsonl"
VOCAB_GRAPH = VOCAB_BASE
#: graph name -> ontology file name (in ontology/)
SCHEMA_GRAPHS = {str(ONTOLOGY_IRI): "diplomacy.ttl", VOCAB_GRAPH: "vocab.ttl"}
#: part of the schema digest: a store that loaded the files another way loads them again (0.2: stable blank nodes)
SCHEMA_LOADING = b"stable-blank-nodes\n"


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE") or "kg-data")


def read_meta(folder: Path) -> dict[str, Any]:
    """``meta.json`` of a store folder ({} when there is none yet)."""
    try:
        data = json.loads((folder / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise StoreError(f"unreadable store metadata: {exc}", where=folder / META,
                         fix="delete the file; it is rebuilt on the next write") from exc
    return data if isinstance(data, dict) else {}


def _norm_base(base_iri: str) -> str:
    return base_iri if base_iri.endswith(("/", "#")) else base_iri + "/"


def _iri(value: str) -> str:
    """An IRI as written in SPARQL; refuses characters that could break out of ``<...>``."""
    return f"<{checked_iri(value)}>"


class Store:
    """A kg store opened for writing or reading; use as a context manager or call ``close()``."""

    def __init__(self, path: Path, oxigraph: ox.Store, lock: StoreLock | snapshot.Pinned, base_iri: str,
                 read_only: bool) -> None:
        self.path = path
        self.base_iri = base_iri
        self.read_only = read_only
        #: the default graph holds the merge of the named graphs (False: a store from before 0.2, read-only)
        self.merged_default = False
        self._ox: ox.Store | None = oxigraph
        self._lock = lock
        #: counts writes outside ``batch()``, which may delete from the default graph
        self.generation = 0
        #: meetings and pledges written since the merged graph was last right (``kg.store.counters``)
        self.pending_facts: set[str] = set()
        self.pending_dates: set[ox.Literal] = set()  # and their dates
        self.merge_stale = False  # a write whose facts are unknown: the next merge is a full one
        #: the snapshot read (read-only), or the last one published (writable)
        self.snapshot = lock.number if isinstance(lock, snapshot.Pinned) else snapshot.current(path)
        self._dirty = False  # written since the last publish
        self._collector = snapshot.Collector()  # deletes older snapshots while the writer goes on

    # ---- lifecycle -------------------------------------------------------------------------------
    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph Store (for export and bulk reads)."""
        if self._ox is None:
            raise StoreError("the store is closed", where=self.path, fix="open it again with kg.open_store()")
        return self._ox

    @property
    def db_path(self) -> Path:
        """The RocksDB folder this Store reads: the writer's database, or a reader's snapshot."""
        lock = self._lock
        return lock.path if isinstance(lock, snapshot.Pinned) else self.path / DB_DIR

    def state_file(self, name: str) -> Path:
        """A file the writer keeps beside the database (``counters.json``), as of the state this Store reads."""
        lock = self._lock
        return lock.path / name if isinstance(lock, snapshot.Pinned) else self.path / name

    def close(self) -> None:
        """Publish what was written (a writer), release the store; the Store is unusable after."""
        if self._ox is not None:
            try:
                if not self.read_only:
                    self._ox.flush()
                    if self._dirty:
                        self.publish()
            finally:
                self._collector.join()
                self._ox = None
                self._lock.release()

    def publish(self, *, collect_later: bool = False) -> int | None:
        """Make what was written so far visible to readers (one snapshot); its number (None: read-only, or mid-batch).

        Called after every ``batch()`` commit and on ``close()``; call it after a series of
        single writes (``replace_article``, ``update``) that readers should see together.
        The older snapshots no reader holds are deleted before it returns, or (``collect_later``: a
        batch's commit) in a thread the next publish or ``close()`` waits for.
        """
        if self.read_only or any((self.path / name).exists() for name in (article_batch.JOURNAL, LOAD_JOURNAL)):
            return None  # (a journal: a bulk load was interrupted, the next writable open undoes it)
        info = {"base_iri": self.base_iri, "merged_default": self.merged_default, "time": time.time()}
        self._collector.join()
        self.snapshot = snapshot.publish(self.oxigraph, self.path, info,
                                         collector=self._collector if collect_later else None)
        self._dirty = False
        return self.snapshot

    def refresh(self) -> bool:
        """Read-only: move to the newest snapshot if the writer published one since; True if it moved.

        Objects taken from ``oxigraph`` before the call must not be used after it.
        """
        if not self.read_only or self._ox is None or snapshot.current(self.path) == self.snapshot:
            return False
        pinned = snapshot.pin(self.path)
        if pinned is None or pinned.number == self.snapshot:
            if pinned is not None:
                pinned.release()
            return False
        oxs = snapshot.open_pinned(pinned)
        old, self._lock, self._ox = self._lock, pinned, oxs
        self.snapshot = pinned.number
        self.base_iri = str(pinned.info.get("base_iri") or self.base_iri)
        self.merged_default = bool(pinned.info.get("merged_default"))
        old.release()
        with contextlib.suppress(OSError):  # (a folder this reader may not write: the writer deletes them)
            snapshot.collect(self.path, pinned.number, writer=False)  # older ones no other reader holds
        return True

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._ox is None else ("read-only" if self.read_only else "writable")
        return f"<kg Store {self.path} ({state})>"

    # ---- names -----------------------------------------------------------------------------------
    def article_graph(self, key: str) -> str:
        return f"{self.base_iri}graph/article/{key}"

    @property
    def entities_graph(self) -> str:
        return f"{self.base_iri}graph/entities"

    @property
    def merged_graph(self) -> str:
        return f"{self.base_iri}graph/merged"

    @property
    def view_graph(self) -> ox.DefaultGraph | None:
        """The graph ``quads_for_pattern`` reads the merged view from: the default graph, or the union of the
        graphs (None) in a store from before the merged default graph."""
        return ox.DefaultGraph() if self.merged_default else None

    @property
    def quarantine_file(self) -> Path:
        return self.path / QUARANTINE

    # ---- reading ---------------------------------------------------------------------------------
    def graphs(self) -> dict[str, int]:
        """Named graph IRI -> number of triples in it."""
        rows = self.oxigraph.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(rows, ox.QuerySolutions)
        return {row["g"].value: int(row["n"].value) for row in rows}

    def article_keys(self) -> list[str]:
        prefix = self.article_graph("")
        return sorted(g.value[len(prefix):] for g in self.oxigraph.named_graphs()
                      if isinstance(g, ox.NamedNode) and g.value.startswith(prefix))

    def quad_count(self) -> int:
        """Statements in the named graphs (the default graph's merge of them is not counted)."""
        kept = counters.load(self)  # kept at write time (kg.store.counters): no scan
        if kept is not None:
            return kept.statements
        n = len(self.oxigraph)
        if self.merged_default:
            rows = self.oxigraph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            assert isinstance(rows, ox.QuerySolutions)
            n -= int(next(iter(rows))[0].value)
        return n

    def triple_count(self, *, include_schema: bool = False) -> int:
        """Distinct data triples (a triple stated by two articles counts once), as in ``union_graph``."""
        skip = "" if include_schema else "FILTER(?g NOT IN (" + ", ".join(_iri(g) for g in SCHEMA_GRAPHS) + "))"
        rows = self.oxigraph.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {skip} }} }}")
        assert isinstance(rows, ox.QuerySolutions)
        return int(next(iter(rows))["n"].value)

    def stats(self) -> dict[str, Any]:
        """Articles, rejects, statements, triples, graphs and instances per class, for ``kg stats``."""
        from kg.store.articles import store_stats

        return store_stats(self)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """All quads of the named graphs, or those of one."""
        name = ox.NamedNode(graph) if graph else None
        quads = self.oxigraph.quads_for_pattern(None, None, None, name)
        if name is None and self.merged_default:
            return (q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph))
        return iter(quads)

    def graph(self, name: str) -> Graph:
        """One named graph as an rdflib Graph."""
        g = Graph()
        for q in self.quads(name):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return g

    def union_graph(self, *, include_schema: bool = False) -> Graph:
        """The data (articles, entities, merged) as one rdflib Graph, e.g. for SHACL validation.

        ``include_schema`` adds the ontology and concept-scheme graphs.
        """
        g = Graph()
        for q in self.oxigraph:
            if isinstance(q.graph_name, ox.DefaultGraph) and self.merged_default:
                continue
            if not include_schema and q.graph_name.value in SCHEMA_GRAPHS:
                continue
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return g

    # ---- writing ---------------------------------------------------------------------------------
    def _writable(self) -> ox.Store:
        """The database, for a write (every write path asks here: what readers see is then stale)."""
        if self.read_only:
            raise StoreError("the store is open read-only", where=self.path,
                             fix="open it with read_only=False to change it")
        if not self._dirty:  # (on disk: a writer killed before its publish tells the next writer to publish)
            snapshot.mark_unpublished(self.path)
            self._dirty = True
        return self.oxigraph

    def compact(self) -> None:
        """Compact the database before readers see it (``Store.optimize``): after a load that is much of the
        store, its files overlap and every read by predicate merges them all (see docs/ARCHITECTURE.md)."""
        try:
            self._writable().optimize()
        except (OSError, RuntimeError) as exc:  # (nothing is lost: the data was written before)
            raise StoreError(f"cannot compact the store: {exc}", where=self.path,
                             fix="check the disk has room") from exc

    def _write(self, sparql: str) -> None:
        """Run a SPARQL Update as one transaction."""
        self.generation += 1
        try:
            self._writable().update(sparql)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"write failed: {exc}", where=self.path) from exc

    def update(self, sparql: str) -> None:
        """A user's SPARQL Update, as one transaction with the default graph brought in line after it.

        Writing the default graph itself is refused: it is the merge of the named graphs.
        """
        try:
            op = merge_default.writes_default(sparql)
        except Exception as exc:  # rdflib's parser raises pyparsing errors
            raise StoreError(f"invalid SPARQL Update: {exc}") from exc
        if op is not None:
            raise StoreError(f"this update writes the default graph ({op}), which kg derives from the named graphs",
                             where=self.path, fix="name a graph: INSERT DATA { GRAPH <...> { ... } }, or WITH <...>")
        counters.invalidate(self)  # what it changes is not measured: recounted when next read
        pending.note_unknown(self)  # and the merged graph is recomputed whole
        self._write(" ;\n".join((sparql, *merge_default.RESYNC)))

    def replace_article(self, key: str, ntriples: str, entities: Mapping[str, str] | None = None) -> None:
        """Swap in an article's graph (N-Triples) and its entity descriptions in one transaction.

        ``entities`` maps an entity IRI to the N-Triples describing it in the entities graph;
        its previous description there is replaced. A new article whose entities are new or
        unchanged (the usual case) is one atomic ``extend``; anything that must delete first
        goes through one SPARQL Update. Many new articles: ``batch()``.
        """
        batch = article_batch.ArticleBatch(self, 0)
        batch.add(key, ntriples, entities)
        batch.commit()

    def batch(self, size: int | None = None, *, expected: int = 0) -> article_batch.ArticleBatch | StagedBatch:
        """Store many articles: each ``add`` is ``replace_article``, new ones bulk-loaded ``size`` at a time.

        ``size`` defaults to ``kg.store.batch.SIZE`` (read now). Every commit of the batch is
        published to readers (one snapshot). ``expected``: how many articles the caller means to
        add; a first load of at least ``kg.store.staged.STAGE_MIN`` is staged (``kg.store.staged``).
        Call ``close()`` when done.
        """
        if expected >= staged.STAGE_MIN and staged.stageable(self):
            return StagedBatch(self, size=size)
        return snapshot.PublishedBatch(self, article_batch.SIZE if size is None else size)

    def _replace(self, key: str, ntriples: str, entities: Mapping[str, str]) -> None:
        """The general case of ``replace_article``: one SPARQL Update that deletes, then inserts."""
        graph = checked_iri(self.article_graph(key))
        ents = self.entities_graph
        ops = []
        if entities:  # the old descriptions leave the default graph unless another graph states them
            iris = [checked_iri(iri) for iri in sorted(entities)]
            ops.append(merge_default.forget(ents, leaving=[graph], subjects=iris))
            ops.extend(f"DELETE WHERE {{ GRAPH <{ents}> {{ <{iri}> ?p ?o }} }}" for iri in iris)
        ops += [merge_default.forget(graph), f"DROP SILENT GRAPH <{graph}>", merge_default.insert(graph, ntriples)]
        if entities:
            ops.append(merge_default.insert(ents, "\n".join(entities[k] for k in sorted(entities))))
        self._write(" ;\n".join(ops))

    def replace_graph(self, graph: str, ntriples: str, *, parts: bool = False) -> None:
        """Replace a whole named graph by N-Triples (empty: remove it), in one transaction (``parts``:
        a large change in several, for a caller that redoes it after a crash, as ``patch_graph``).

        Only the difference is written when neither side has blank nodes (and the graph stays):
        the merged graph is rewritten after every ingest and barely changes (100k articles: 12 s
        for all 75k links, 1.6 s to read and compare them).
        """
        writes.replace_graph(self, graph, ntriples, parts=parts)

    def patch_graph(self, graph: str, gone: Iterable[ox.Triple], added: Iterable[ox.Triple], *,
                    before: int | None = None) -> None:
        """Remove triples the named graph holds and add ones it does not, in one transaction
        (no blank nodes); the default graph and the counters follow. ``before``: its size, if known."""
        writes.patch_graph(self, graph, gone, added, before=before)

    def load(self, data: str | Path | Iterable[ox.Quad], *, format: ox.RdfFormat | None = None,
             graph: str | None = None) -> int:
        """Add a dataset (a TriG/N-Quads file, e.g. an export, or quads) in one transaction.

        Triples outside a named graph (a Turtle file) go into ``graph``, by default the user
        graph: the default graph is the store's merge of the named graphs. Returns the count.
        """
        return writes.load(self, data, format=format, graph=graph)

    def drop_article(self, key: str) -> bool:
        """Drop an article's graph (the caller brings the merged graph in line). False if it was not there."""
        if key not in self.article_keys():
            return False
        pending.note_facts(self, pending.facts_in_graph(self, self.article_graph(key)))  # for kg.merge.update
        self.replace_graph(self.article_graph(key), "")
        return True

    def load_schema(self, force: bool = False) -> None:
        """(Re)load the ontology and concept-scheme graphs when their files changed."""
        writes.load_schema(self, SCHEMA_GRAPHS, SCHEMA_LOADING, force)

    @property
    def user_graph(self) -> str:
        """Where statements a user wrote into the default graph before 0.2 are kept."""
        return f"{self.base_iri}graph/user"

    # ---- metadata --------------------------------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        return read_meta(self.path)

    def _write_meta(self, meta: dict[str, Any]) -> None:
        tmp = self.path / (META + ".tmp")
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.path / META)
