"""The convenience API: a store with the pipeline on it, what ``kg.open_store`` returns.

The store (``kg.store``) is the storage floor and knows nothing of the stages above it;
this facade sits on top of them all (ingest, merge, query), so data flows one way::

    import kg
    with kg.open_store("kg-data") as store:
        store.ingest(["articles/"])
        store.query("countries-pledging-troops").to_dataframe()

Every change made through it is published to readers when it is complete (an ingest
after its merge pass, a removal after the merged graph follows it), so a ``kg serve``
or another process reading the same store sees it whole or not at all. Opened
read-only, each ``query`` reads the newest state a writer has published.
Anything else (``graphs()``, ``quads()``, ``union_graph()``, ``oxigraph``, ...) is the
storage ``Store``'s, reachable here as well or as ``.store``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.store import Store
from kg.store import open_store as open_storage
from kg.vocab import DEFAULT_BASE_IRI

if TYPE_CHECKING:
    from rdflib import Graph

    from kg.ingest import IngestReport, Outcome
    from kg.query import Result
    from kg.store.articles import ArticleInfo

__all__ = ["KnowledgeGraph", "open_store"]


class KnowledgeGraph:
    """A kg store with ingest, query and removal on it; a context manager, or call ``close()``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        """The storage Store's attributes and methods (``path``, ``graphs()``, ``oxigraph``, ...)."""
        if name == "store":  # not set yet (copy, unpickle): never recurse
            raise AttributeError(name)
        return getattr(self.store, name)

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self.store).replace("<kg Store", "<kg KnowledgeGraph", 1)

    def close(self) -> None:
        """Publish what was written, release the store."""
        self.store.close()

    # ---- writing ---------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], *, workers: int | None = None,
               progress: Callable[[Outcome], None] | None = None,
               published: datetime | None = None) -> IngestReport:
        """Articles or folders into the store (see ``kg.ingest.ingest``); readers see each batch, then the merge."""
        from kg.ingest import ingest

        try:
            return ingest(self.store, paths, workers=workers, progress=progress, published=published)
        finally:
            self.store.publish()

    def add_article_graph(self, key: str, graph: Graph, *, source: str | None = None) -> None:
        """Store a ready-made article graph after the SHACL gate; ``ValidationFailed`` if it fails."""
        from kg.ingest import commit_graph

        try:
            commit_graph(self.store, key, graph, source=source or key)
        finally:
            self.store.publish()

    def remove(self, key_or_file: str) -> ArticleInfo:
        """Remove an article, given by key, file name or URL (``StoreError`` if none or several match)."""
        from kg.store.articles import find_article

        info = find_article(self.store, key_or_file)
        self.remove_article(info.key)
        return info

    def remove_article(self, key: str) -> bool:
        """Drop an article's graph and bring the merged graph in line; False if it was not there."""
        from kg.merge import update

        if not self.store.drop_article(key):
            return False
        update(self.store)  # only the signatures of the article's meetings and pledges
        self.store.publish()
        return True

    def update(self, sparql: str) -> None:
        """A SPARQL Update naming its graphs (see ``Store.update``), then the merge pass (the links and
        the summary the queries read: a full one, what it changed is not known), published at once."""
        from kg.merge import update

        self.store.update(sparql)
        update(self.store)
        self.store.publish()

    def load(self, data: str | Path | Iterable[ox.Quad], *, format: ox.RdfFormat | None = None,
             graph: str | None = None) -> int:
        """Add a dataset (see ``Store.load``), then the merge pass as ``update``; the quads added."""
        from kg.merge import update

        count = self.store.load(data, format=format, graph=graph)
        update(self.store)
        self.store.publish()
        return count

    # ---- reading ---------------------------------------------------------------------------------
    def query(self, name: str, /, *, exact_names: bool = False, **params: str) -> Result:
        """Run a stored query (by name or .rq path) with keyword parameters, on the newest published state.

        Names in parameters are looked up as ``kg query`` looks them up (``leader="merz"``); an
        ambiguous or unknown name raises ``QueryError``. ``exact_names=True`` compares them as given.
        """
        from kg.query import run_query

        self.store.refresh()
        return run_query(self.store, name, params, resolve_names=not exact_names)

    def articles(self) -> list[ArticleInfo]:
        """The stored articles, by date then title."""
        from kg.store.articles import list_articles

        return list_articles(self.store)

    def stats(self) -> dict[str, Any]:
        """The numbers of ``kg stats``."""
        return self.store.stats()


def open_store(path: str | Path | None = None, *, base_iri: str = DEFAULT_BASE_IRI,
               read_only: bool = False) -> KnowledgeGraph:
    """Open (creating when writable) the store in ``path``, default ``$KG_STORE`` or ``./kg-data``.

    One writer at a time (``StoreLocked`` for a second); readers any time, also while it writes.
    A writer opening a store from before the summary graph (``kg.summary``) computes it once.
    """
    store = open_storage(path, base_iri=base_iri, read_only=read_only)
    if not read_only:
        from kg import summary

        if summary.missing(store):
            from kg.merge import update

            try:
                update(store)  # the whole merge pass, once
                store.publish()
            except BaseException:
                store.close()
                raise
    return KnowledgeGraph(store)
