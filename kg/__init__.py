"""diplomacy-kg: news articles about diplomacy to a validated, provenance-rich RDF graph.

The Python API mirrors the CLI::

    import kg
    with kg.open_store("kg-data") as store:
        store.ingest(["articles/"])
        store.query("countries-pledging-troops").to_dataframe()

``kg.open_store`` is the facade of ``kg.api`` (the pipeline on a store); ``kg.store`` is the
storage floor beneath it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "IngestReport", "KnowledgeGraph", "Store", "__version__", "extract", "ingest", "list_queries", "load_query",
    "open_store", "read_article", "run_query", "to_graph", "validate",
]


def __getattr__(name: str) -> object:
    """Import lazily, so ``kg --help`` and ``import kg.vocab`` stay fast."""
    from importlib import import_module

    homes = {
        "open_store": "kg.api", "KnowledgeGraph": "kg.api", "Store": "kg.store",
        "ingest": "kg.ingest", "IngestReport": "kg.ingest",
        "run_query": "kg.query", "list_queries": "kg.query", "load_query": "kg.query",
        "read_article": "kg.read", "extract": "kg.extract", "to_graph": "kg.map", "validate": "kg.validate",
    }
    if name in homes:
        return getattr(import_module(homes[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
