"""The per-article pipeline: read -> extract -> map, as one call."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import IO

from rdflib import Dataset, Graph

from kg.extract import extract
from kg.map import Minter, to_graph
from kg.model import Article
from kg.vocab import DEFAULT_BASE_IRI


def read_source(source: str | Path) -> Article:
    """A file path, or ``-`` for standard input."""
    from kg.read import read_article, read_data

    if str(source) == "-":
        return read_data(sys.stdin.buffer.read(), source="<stdin>")
    return read_article(Path(source))


def article_graph(article: Article, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    return to_graph(extract(article), base_iri)


def extract_file(source: str | Path, out: Path | IO[bytes], fmt: str = "turtle",
                 base_iri: str = DEFAULT_BASE_IRI, published: datetime | None = None) -> None:
    """One article file to its graph in ``fmt``; TriG/N-Quads/JSON-LD name the graph after the article.

    Written by the same canonical writer as ``kg export``, so the same article always
    gives the same bytes, and a file output is replaced atomically. ``published`` dates
    an article that carries no date of its own (it never overrides one).
    """
    from kg.publish import export, normalise_format
    from kg.read import with_published

    fmt = normalise_format(fmt)  # refuse a bad format before doing the work
    article = with_published(read_source(source), published)
    dataset = Dataset()
    named = dataset.graph(Minter(base_iri).article_graph(article))
    for triple in article_graph(article, base_iri):
        named.add(triple)
    export(dataset, out, fmt, base_iri=base_iri)
