"""What a store holds, as people ask it: its articles (``kg articles``), one article by key or file
name (``kg remove``, ``kg export --article``), and the numbers of ``kg stats``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import XSD, Literal

from kg.errors import StoreError
from kg.store.terms import checked_iri
from kg.vocab import PREFIXES

if TYPE_CHECKING:
    from kg.store.core import Store

_ARTICLES = """
SELECT ?g ?title ?date ?url ?source (COUNT(DISTINCT ?fact) AS ?facts) WHERE {
  %s
  GRAPH ?g {
    ?a a dip:Article .
    OPTIONAL { ?a schema:headline ?title }
    OPTIONAL { ?a schema:datePublished ?date }
    OPTIONAL { ?a schema:url ?url }
    OPTIONAL { ?a dip:sourceName ?source }
    OPTIONAL { ?fact prov:wasDerivedFrom ?a . { ?fact a dip:Meeting } UNION { ?fact a dip:Pledge } }
  }
} GROUP BY ?g ?title ?date ?url ?source
"""


@dataclass
class ArticleInfo:
    """One stored article: its key (``kg export --article KEY``) and what identifies it to a person."""

    key: str
    title: str
    date: str  # as published (ISO), "" when the article has none
    source: str  # the file name it was read from
    url: str
    facts: int  # meetings and pledges read from it


def _value(row: Any, name: str) -> str:
    term = row[name]
    return term.value if term is not None else ""


#: graphs of the articles read from a file of this name, or found at this URL
_BY_NAME = """
SELECT DISTINCT ?g WHERE {
  { GRAPH ?g { ?a dip:sourceName ?name } } UNION { GRAPH ?g { ?a schema:url ?url } }
}"""


def list_articles(store: Store, graphs: list[str] | None = None) -> list[ArticleInfo]:
    """Every stored article (or those of ``graphs``), by date then title (undated last)."""
    prefix = store.article_graph("")
    values = ""
    if graphs is not None:
        values = "VALUES ?g { " + " ".join(f"<{checked_iri(g)}>" for g in graphs) + " }"
    rows = store.oxigraph.query(_ARTICLES % values, prefixes=dict(PREFIXES))
    assert isinstance(rows, ox.QuerySolutions)
    found: dict[str, ArticleInfo] = {}
    for row in rows:
        graph = _value(row, "g")
        if not graph.startswith(prefix):
            continue
        key = graph[len(prefix):]
        if key not in found:  # an article states one of each; keep the first if not
            found[key] = ArticleInfo(key, _value(row, "title"), _value(row, "date"), _value(row, "source"),
                                     _value(row, "url"), int(_value(row, "facts") or 0))
    return sorted(found.values(), key=lambda a: (a.date == "", a.date, a.title, a.key))


def find_article(store: Store, key_or_path: str) -> ArticleInfo:
    """The article whose key, file name (``samples/s003.txt`` or ``s003.txt``) or URL is given.

    ``StoreError`` when there is none, or when a file name matches several articles.
    """
    wanted = key_or_path.strip()
    if wanted in store.article_keys():
        return list_articles(store, [store.article_graph(wanted)])[0]
    matches: list[ArticleInfo] = []
    for name in dict.fromkeys((os.path.basename(wanted.rstrip("/")), wanted)):
        if not name or matches:
            continue
        values = f"VALUES (?name ?url) {{ ({Literal(name).n3()} {Literal(name, datatype=XSD.anyURI).n3()}) }}"
        bound = _BY_NAME.replace("WHERE {", "WHERE {\n  " + values, 1)
        rows = store.oxigraph.query(bound, prefixes=dict(PREFIXES))
        assert isinstance(rows, ox.QuerySolutions)
        graphs = [row["g"].value for row in rows if row["g"].value.startswith(store.article_graph(""))]
        matches = list_articles(store, graphs) if graphs else []
    name = os.path.basename(wanted.rstrip("/"))
    if len(matches) == 1:
        return matches[0]
    if matches:
        keys = ", ".join(a.key for a in matches)
        raise StoreError(f"{len(matches)} articles were read from a file named {name!r}: {keys}",
                         where=store.path, fix="give the key of one of them (see `kg articles`)")
    raise StoreError(f"no article {wanted!r} in the store", where=store.path,
                     fix="give a key or a file name that `kg articles` lists")


def store_stats(store: Store) -> dict[str, Any]:
    """The numbers of ``kg stats``, each named after what a user sees elsewhere.

    ``statements``: what ``kg export --format trig`` (or nquads) writes, every named graph's
    statements; ``triples``: what ``--format turtle`` (or nt) writes, each distinct triple once;
    ``rejected``: lines in quarantine.jsonl. Read from the counters kept at write time
    (``kg.store.counters``): no scan of the store unless they were not kept.
    """
    from kg.store.core import SCHEMA_GRAPHS
    from kg.store.counters import current

    counts = current(store)
    try:
        with open(store.quarantine_file, encoding="utf-8", errors="replace") as fh:
            rejected = sum(1 for _ in fh)
    except FileNotFoundError:
        rejected = 0
    schema = sum(1 for g in SCHEMA_GRAPHS
                 if next(iter(store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(g))), None))
    return {"store": str(store.path), "base_iri": store.base_iri,
            "articles": counts.articles, "rejected": rejected,
            "statements": counts.statements, "triples": counts.triples,
            "graphs": counts.graphs, "ontology_graphs": schema,
            "same_as_links": counts.same_as_links,
            "classes": dict(sorted(counts.classes.items()))}
