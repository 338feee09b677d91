"""The embedded store (pyoxigraph): open it, write article graphs atomically, read it back."""

from kg.store.core import QUARANTINE, Store, default_store_path, open_store
from kg.store.terms import to_oxigraph, to_rdflib

__all__ = ["QUARANTINE", "Store", "default_store_path", "open_store", "to_oxigraph", "to_rdflib"]
