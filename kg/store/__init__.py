"""The embedded store (pyoxigraph): open it, write article graphs atomically, read it back.

The storage floor: nothing here imports the stages above it (ingest, merge, query, publish,
serve); ``kg.api`` (``kg.open_store``) is the convenience facade over them all.
"""

from kg.store.core import QUARANTINE, Store, default_store_path
from kg.store.opening import open_store
from kg.store.terms import to_oxigraph, to_rdflib

__all__ = ["QUARANTINE", "Store", "default_store_path", "open_store", "to_oxigraph", "to_rdflib"]
