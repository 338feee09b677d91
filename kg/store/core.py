"""The embedded store: a pyoxigraph (RocksDB) dataset in a folder, one named graph per article.

Layout of a store folder::

    <store>/oxigraph/        the RocksDB database
    <store>/kg.lock          flock'd by the process using it (see kg.store.lock)
    <store>/meta.json        base IRI and the hashes of the loaded ontology files
    <store>/quarantine.jsonl articles the SHACL gate or the reader rejected

Crash safety: every write that must be all-or-nothing (an article's graph
replacement together with its entity descriptions, the merged graph) is ONE
SPARQL Update request, which pyoxigraph applies as one transaction (verified:
an update whose last operation fails leaves nothing of the earlier ones).

The default graph is the merge of the named graphs (``kg.store.default``), kept
in the same transactions; stored queries read it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import StoreError, StoreLocked
from kg.store import batch as article_batch
from kg.store import default as merge_default
from kg.store.lock import StoreLock
from kg.store.terms import checked_iri, parse_ntriples, to_rdflib
from kg.vocab import DEFAULT_BASE_IRI, ONTOLOGY_IRI, VOCAB_BASE

if TYPE_CHECKING:
    from kg.ingest import IngestReport
    from kg.query import Result

DB_DIR = "oxigraph"
META = "meta.json"
QUARANTINE = "quarantine.jsonl"
VOCAB_GRAPH = VOCAB_BASE
#: graph name -> ontology file name (in ontology/)
SCHEMA_GRAPHS = {str(ONTOLOGY_IRI): "diplomacy.ttl", VOCAB_GRAPH: "vocab.ttl"}


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE") or "kg-data")


def _norm_base(base_iri: str) -> str:
    return base_iri if base_iri.endswith(("/", "#")) else base_iri + "/"


def _iri(value: str) -> str:
    """An IRI as written in SPARQL; refuses characters that could break out of ``<...>``."""
    return f"<{checked_iri(value)}>"


class Store:
    """A kg store opened for writing or reading; use as a context manager or call ``close()``."""

    def __init__(self, path: Path, oxigraph: ox.Store, lock: StoreLock, base_iri: str, read_only: bool) -> None:
        self.path = path
        self.base_iri = base_iri
        self.read_only = read_only
        #: the default graph holds the merge of the named graphs (False: a store from before 0.2, read-only)
        self.merged_default = False
        self._ox: ox.Store | None = oxigraph
        self._lock = lock
        #: counts writes outside ``batch()``, which may delete from the default graph
        self.generation = 0

    # ---- lifecycle -------------------------------------------------------------------------------
    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph Store (for export and bulk reads)."""
        if self._ox is None:
            raise StoreError("the store is closed", where=self.path, fix="open it again with kg.open_store()")
        return self._ox

    def close(self) -> None:
        if self._ox is not None:
            if not self.read_only:
                self._ox.flush()
            self._ox = None
            self._lock.release()

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
        if self.read_only:
            raise StoreError("the store is open read-only", where=self.path,
                             fix="open it with read_only=False to change it")
        return self.oxigraph

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
        self._write(" ;\n".join((sparql, *merge_default.RESYNC)))

    def replace_article(self, key: str, ntriples: str, entities: Mapping[str, str] | None = None) -> None:
        """Swap in an article's graph (N-Triples) and its entity descriptions in one transaction.

        ``entities`` maps an entity IRI to the N-Triples describing it in the entities graph;
        its previous description there is replaced. A new article whose entities are new or
        unchanged (the usual case) is one atomic ``extend``; anything that must delete first
        goes through one SPARQL Update. Many new articles: ``batch()``.
        """
        batch = self.batch(size=0)
        batch.add(key, ntriples, entities)
        batch.commit()

    def batch(self, size: int = article_batch.SIZE) -> article_batch.ArticleBatch:
        """Store many articles: each ``add`` is ``replace_article``, new ones bulk-loaded ``size`` at a time."""
        return article_batch.ArticleBatch(self, size)

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

    def replace_graph(self, graph: str, ntriples: str) -> None:
        """Replace a whole named graph by N-Triples (empty: remove it), in one transaction.

        Only the difference is written when neither side has blank nodes (and the graph stays):
        the merged graph is rewritten after every ingest and barely changes (100k articles: 12 s
        for all 75k links, 1.6 s to read and compare them).
        """
        graph = checked_iri(graph)
        new = set(parse_ntriples(ntriples))
        old = {q.triple for q in self.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))}
        if new and not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                           for t in old | new):
            gone, added = old - new, new - old
            ops = []
            if gone:
                ops.append(merge_default.forget(graph, triples=gone))
                ops.append(f"DELETE DATA {{ GRAPH <{graph}> {{ {' '.join(f'{t} .' for t in gone)} }} }}")
            if added:
                ops.append(merge_default.insert(graph, "\n".join(f"{t} ." for t in sorted(added, key=str))))
            if ops:
                self._write(" ;\n".join(ops))
            return
        ops = [merge_default.forget(graph), f"DROP SILENT GRAPH <{graph}>"]
        if ntriples.strip():
            ops.append(merge_default.insert(graph, ntriples))
        self._write(" ;\n".join(ops))

    def load(self, data: str | Path | Iterable[ox.Quad], *, format: ox.RdfFormat | None = None,
             graph: str | None = None) -> int:
        """Add a dataset (a TriG/N-Quads file, e.g. an export, or quads) in one transaction.

        Triples outside a named graph (a Turtle file) go into ``graph``, by default the user
        graph: the default graph is the store's merge of the named graphs. Returns the count.
        """
        store = self._writable()
        target = ox.NamedNode(checked_iri(graph or self.user_graph))
        try:
            quads = list(data if not isinstance(data, str | Path) else ox.parse(path=str(data), format=format))
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"cannot load: {exc}", where=data if isinstance(data, str | Path) else None,
                             fix="give a TriG, N-Quads, Turtle or N-Triples file") from exc
        named = [q if not isinstance(q.graph_name, ox.DefaultGraph) else ox.Quad(q.subject, q.predicate, q.object,
                                                                                 target) for q in quads]
        default = ox.DefaultGraph()
        try:
            store.extend(named + [ox.Quad(q.subject, q.predicate, q.object, default) for q in named])
        except OSError as exc:
            raise StoreError(f"write failed: {exc}", where=self.path) from exc
        return len(named)

    def remove_article(self, key: str) -> bool:
        """Drop an article's graph; the merged graph is recomputed. False if it was not there."""
        if key not in self.article_keys():
            return False
        self.replace_graph(self.article_graph(key), "")
        from kg.merge import recompute

        recompute(self)
        return True

    def add_article_graph(self, key: str, graph: Graph, *, source: str | None = None) -> None:
        """Store a ready-made article graph after the SHACL gate; ``ValidationFailed`` if it fails."""
        from kg.ingest import commit_graph

        commit_graph(self, key, graph, source=source or key)

    def load_schema(self, force: bool = False) -> None:
        """(Re)load the ontology and concept-scheme graphs when their files changed."""
        from kg.resources import resource_dir

        meta = self._meta()
        hashes = dict(meta.get("schema", {}))
        for graph, name in SCHEMA_GRAPHS.items():
            try:
                path = resource_dir("ontology") / name
                data = path.read_bytes()
            except (OSError, FileNotFoundError):
                continue  # not written yet: nothing to load
            digest = hashlib.sha256(data).hexdigest()
            if not force and hashes.get(graph) == digest:
                continue
            store = self._writable()
            try:
                ox_graph = ox.NamedNode(graph)
                store.update(f"{merge_default.forget(graph)} ;\nDROP SILENT GRAPH {_iri(graph)}")
                store.load(data, format=ox.RdfFormat.TURTLE, base_iri=graph, to_graph=ox_graph)
                store.update(merge_default.copy(graph))
            except (OSError, SyntaxError) as exc:
                raise StoreError(f"cannot load the ontology: {exc}", where=path) from exc
            hashes[graph] = digest
        if hashes != meta.get("schema"):
            self._write_meta({**meta, "schema": hashes})

    @property
    def user_graph(self) -> str:
        """Where statements a user wrote into the default graph before 0.2 are kept."""
        return f"{self.base_iri}graph/user"

    # ---- metadata --------------------------------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        try:
            data = json.loads((self.path / META).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise StoreError(f"unreadable store metadata: {exc}", where=self.path / META,
                             fix="delete the file; it is rebuilt on the next write") from exc
        return data if isinstance(data, dict) else {}

    def _write_meta(self, meta: dict[str, Any]) -> None:
        tmp = self.path / (META + ".tmp")
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.path / META)

    # ---- the pipeline on this store -------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], **options: Any) -> IngestReport:
        """Articles or folders into this store (see ``kg.ingest.ingest``)."""
        from kg.ingest import ingest

        return ingest(self, paths, **options)

    def query(self, name: str, /, **params: str) -> Result:
        """Run a stored query (by name or .rq path) with keyword parameters."""
        from kg.query import run_query

        return run_query(self, name, params)


def open_store(path: str | Path | None = None, *, base_iri: str = DEFAULT_BASE_IRI,
               read_only: bool = False) -> Store:
    """Open (creating when writable) the store in ``path``, default ``$KG_STORE`` or ``./kg-data``."""
    folder = Path(path) if path is not None else default_store_path()
    base = _norm_base(base_iri)
    db = folder / DB_DIR
    if read_only and not db.is_dir():
        raise StoreError(f"no store at {folder}", fix="create it with `kg ingest PATH --store DIR`")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store folder: {exc.strerror}", where=folder) from exc
    lock = StoreLock(folder, exclusive=not read_only)
    try:
        oxs = ox.Store.read_only(str(db)) if read_only else ox.Store(str(db))
    except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
        lock.release()
        if "lock" in str(exc).lower():
            raise StoreLocked(f"store {folder} is locked by another process (the database itself)",
                              fix="wait for it to finish, or stop the server using this folder") from exc
        raise StoreError(f"cannot open the store: {exc}", where=folder,
                         fix="is this a kg store folder? point --store at a new folder to start over") from exc
    store = Store(folder, oxs, lock, base, read_only)
    if not read_only:
        try:
            meta = store._meta()
            recorded = meta.get("base_iri")
            if recorded and recorded != base and len(store.oxigraph) > 0:
                raise StoreError(f"the store was built with base IRI {recorded}, not {base}", where=folder,
                                 fix=f"use --base-iri {recorded}, or a new store folder")
            if recorded != base:
                store._write_meta({**meta, "base_iri": base})
            article_batch.recover(store)
            merge_default.migrate(store)
            store.load_schema()
        except BaseException:
            store.close()
            raise
    else:
        meta = store._meta()
        store.base_iri = str(meta.get("base_iri") or base)
        store.merged_default = meta.get(merge_default.META_KEY) == merge_default.META_VALUE
    return store
