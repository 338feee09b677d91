"""diplomacy-kg: news articles about diplomacy to a validated, provenance-rich RDF graph."""

from __future__ import annotations

__version__ = "0.1.0"
