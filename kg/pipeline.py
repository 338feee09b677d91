"""The per-article pipeline: read -> extract -> map, as one call."""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph

from kg.extract import extract
from kg.map import Minter, to_graph
from kg.model import Article
from kg.serialize import serialize
from kg.vocab import DEFAULT_BASE_IRI


def read_source(source: str | Path) -> Article:
    """A file path, or ``-`` for standard input."""
    from kg.read import read_article, read_data

    if str(source) == "-":
        return read_data(sys.stdin.buffer.read(), source="<stdin>")
    return read_article(Path(source))


def article_graph(article: Article, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    return to_graph(extract(article), base_iri)


def extract_file(source: str | Path, fmt: str = "turtle", base_iri: str = DEFAULT_BASE_IRI) -> bytes:
    """One article file to its serialised graph; TriG/N-Quads name the graph after the article."""
    article = read_source(source)
    graph = article_graph(article, base_iri)
    return serialize(graph, fmt, graph_name=Minter(base_iri).article_graph(article))
