"""The baseline: what a user would write by hand with the design card's packages.

Articles are read and extracted with the project's own extractor (extraction
costs the same either way), each article graph goes into one in-memory rdflib
``Dataset``, pyshacl validates the whole graph once, rdflib's SPARQL engine
answers the stored queries, rdflib serialises each format, and SPARQLWrapper
pushes ``INSERT DATA`` requests to the triplestore.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef

from bench.measure import latency
from bench.queries import QUERY_PARAMS
from kg.vocab import DEFAULT_BASE_IRI

EXPORT_FORMATS = {"turtle": "turtle", "trig": "trig", "nt": "nt", "nquads": "nquads", "jsonld": "json-ld"}
#: the stored queries that read the summary graph, in their counting form (what they were before it)
BASELINE_QUERIES = Path(__file__).parent / "baseline_queries"


class _Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise _Timeout


def load(corpus: Path) -> tuple[Dataset, int]:
    from kg.errors import ReadError
    from kg.pipeline import article_graph
    from kg.read import iter_articles

    ds = Dataset(default_union=True)
    n = 0
    for item in iter_articles([corpus]):
        if isinstance(item, ReadError):
            continue
        graph = article_graph(item, DEFAULT_BASE_IRI)
        ctx = ds.graph(URIRef(f"{DEFAULT_BASE_IRI}graph/article/{item.key}"))
        for triple in graph:
            ctx.add(triple)
        n += 1
    return ds, n


def union(ds: Dataset) -> Graph:
    g = Graph()
    for s, p, o, _c in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def run_baseline(corpus: Path, *, push_url: str | None, reps: int, query_timeout: float) -> dict[str, Any]:
    import pyshacl

    from kg.query import bound_text, load_query
    from kg.validate import shapes_graph

    start = time.perf_counter()
    ds, n = load(corpus)
    extract_s = time.perf_counter() - start
    merged = union(ds)
    t = time.perf_counter()
    conforms, _g, _text = pyshacl.validate(merged, shacl_graph=shapes_graph(), allow_warnings=True)
    shacl_s = time.perf_counter() - t
    out: dict[str, Any] = {
        "articles": n, "triples": len(merged), "extract_s": round(extract_s, 2), "shacl_s": round(shacl_s, 2),
        "conforms": bool(conforms), "articles_per_s": round(n / (extract_s + shacl_s), 1), "queries": {},
        "export": {}, "push": None,
    }
    signal.signal(signal.SIGALRM, _alarm)
    for name, params in QUERY_PARAMS.items():
        # the queries that read kg's write-time summary graph, as they count without it (a user's own store has none)
        counting = BASELINE_QUERIES / f"{name}.rq"
        text = bound_text(load_query(counting if counting.is_file() else name), params)
        signal.setitimer(signal.ITIMER_REAL, query_timeout)

        def once(text: str = text) -> list[Any]:
            return list(ds.query(text))

        try:
            out["queries"][name] = latency(once, reps, budget_s=query_timeout)
        except _Timeout:
            out["queries"][name] = {"error": f"over {query_timeout:.0f} s"}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    for fmt, rdflib_fmt in EXPORT_FORMATS.items():
        source = ds if fmt in ("trig", "nquads", "jsonld") else merged
        count = len(ds) if fmt in ("trig", "nquads", "jsonld") else len(merged)
        t = time.perf_counter()
        data = source.serialize(format=rdflib_fmt, encoding="utf-8")
        secs = time.perf_counter() - t
        out["export"][fmt] = {"statements": count, "bytes": len(data), "seconds": round(secs, 2),
                              "per_s": round(count / secs)}
    if push_url:
        out["push"] = push_insert_data(ds, push_url)
    return out


def push_insert_data(ds: Dataset, update_url: str, batch: int = 5000) -> dict[str, Any]:
    """SPARQLWrapper ``INSERT DATA`` per named graph, ``batch`` triples per request."""
    from SPARQLWrapper import POST, SPARQLWrapper

    client = SPARQLWrapper(update_url)
    client.setMethod(POST)
    sent = 0
    start = time.perf_counter()
    for ctx in ds.contexts():
        triples = [f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in ctx]
        for i in range(0, len(triples), batch):
            body = "\n".join(triples[i:i + batch])
            client.setQuery(f"INSERT DATA {{ GRAPH {ctx.identifier.n3()} {{\n{body}\n}} }}")
            client.query()
        sent += len(triples)
    secs = time.perf_counter() - start
    return {"triples": sent, "seconds": round(secs, 2), "per_s": round(sent / secs)}
