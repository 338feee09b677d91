"""Stored queries against a remote SPARQL 1.1 endpoint (SPARQLWrapper, JSON results), and where a server keeps what.

Same rows everywhere: locally a stored query reads the store's default graph, the merge of
the named graphs (each triple once). ``kg push`` and the documented bulk loads give a remote
store the same dataset: the named graphs as they are, and the merged view as the server's
default graph where the server has a default graph of its own (Oxigraph, Jena), or as the
named graph ``MERGED_GRAPH`` where the default graph is a view of all graphs (Virtuoso).
A client that finds ``MERGED_GRAPH`` on the server selects it as the default graph with the
protocol's ``default-graph-uri``, so the query text is never touched.

``discover`` finds a server's query, update and Graph Store URLs from its root URL by
probing the layouts of the stores we know (Oxigraph, Virtuoso, Fuseki).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from kg.errors import QueryError
from kg.query.result import Result

#: where the merged view lives on a store whose default graph is the union of all graphs (Virtuoso)
MERGED_GRAPH = "https://w3id.org/diplomacy-kg/id/graph/default"
#: ``(status, headers with lower-case names, body)`` of a GET, or an exception for no answer at all
Fetch = Callable[[str], tuple[int, dict[str, str], bytes]]
ASK_ANY = "ASK {}"


@dataclass(frozen=True)
class Layout:
    """The URLs of one server and how it keeps a dataset."""

    product: str  # "oxigraph", "virtuoso", "fuseki" or "unknown"
    query: str
    update: str | None
    gsp: str | None
    union_default: bool = False  # the default graph is a view of all graphs: the merged view goes to MERGED_GRAPH
    digest: bool = False  # the server asks for HTTP digest authentication


def _root(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def is_root(url: str) -> bool:
    return urlsplit(url).path.strip("/") == ""


def _probe_url(url: str, query: str = ASK_ANY) -> str:
    return url + ("&" if "?" in url else "?") + urlencode({"query": query})


def layout_for(query_url: str, server: str) -> Layout:
    """The layout of a server whose query URL answered, told by its ``Server`` header and the URL."""
    root = _root(query_url)
    parts = urlsplit(query_url)
    head, _, last = parts.path.rpartition("/")
    base = urlunsplit((parts.scheme, parts.netloc, head, "", ""))
    if server.lower().startswith("virtuoso"):
        return Layout("virtuoso", query_url, root + "/sparql-auth", root + "/sparql-graph-crud-auth",
                      union_default=True, digest=True)
    if server.lower().startswith("oxigraph") or (last == "query" and not head):
        return Layout("oxigraph", query_url, base + "/update", base + "/store")
    if last in ("query", "sparql") and head:  # Fuseki: /DATASET/query, /DATASET/sparql
        return Layout("fuseki", query_url, base + "/update", base + "/data")
    return Layout("unknown", query_url, None, None)


def discover(url: str, fetch: Fetch) -> Layout:
    """The layout behind ``url``: a query URL as given, or a root URL probed for known layouts.

    Probes are unauthenticated GETs of ``ASK {}``. ``fetch`` raises for a server that cannot be
    reached at all (the caller's one-line error), so a refused connection stops at once.
    """
    candidates = [] if is_root(url) else [url]
    root = _root(url)
    candidates += [root + path for path in ("/query", "/sparql") if root + path not in candidates]
    for candidate in candidates:
        status, headers, _ = fetch(_probe_url(candidate))
        if status < 300 and "sparql-results" in headers.get("content-type", ""):
            return layout_for(candidate, headers.get("server", ""))
        if status in (401, 403) and candidate == url:  # a protected query URL: it exists
            return layout_for(candidate, headers.get("server", ""))
    status, headers, body = fetch(root + "/$/datasets")  # Fuseki's admin API lists the datasets
    if status == 200:
        try:
            names = [d["ds.name"] for d in json.loads(body)["datasets"]]
        except (ValueError, KeyError, TypeError):
            names = []
        if len(names) == 1:
            return layout_for(root + names[0] + "/query", "")
    raise QueryError("no SPARQL query endpoint found there (tried " + ", ".join(candidates) + ")", where=url,
                     fix="give the query URL (Oxigraph: http://HOST:7878/query, Virtuoso: http://HOST:8890/sparql, "
                         "Fuseki: http://HOST:3030/DATASET/query)")


def _urllib_fetch(timeout: float) -> Fetch:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        try:
            with opener.open(request, timeout=timeout) as resp:
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read(1 << 20)
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, {k.lower(): v for k, v in (exc.headers or {}).items()}, exc.read(1 << 20)
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            what = "connection refused" if isinstance(reason, ConnectionRefusedError) else str(reason)
            parts = urlsplit(url)
            raise QueryError(f"cannot connect: {what}", where=f"{parts.hostname}:{parts.port or 80}",
                             fix="is the triplestore running, on this port? check --endpoint") from None

    return fetch


def _client(endpoint: str, timeout: float) -> Any:
    from SPARQLWrapper import POST, SPARQLWrapper

    client = SPARQLWrapper(endpoint, updateEndpoint=endpoint)
    client.setTimeout(max(1, int(timeout)))
    client.setMethod(POST)
    return client


def holds_merged_graph(endpoint: str, timeout: float) -> bool:
    """Does the server keep the merged view as the named graph ``MERGED_GRAPH`` (a union-default store)?"""
    from SPARQLWrapper import JSON

    client = _client(endpoint, timeout)
    # a SELECT, not an ASK: Virtuoso answers a POSTed ASK as a table of one __ASK_RETVAL
    client.setQuery(f"SELECT ?s WHERE {{ GRAPH <{MERGED_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1")
    client.setReturnFormat(JSON)
    try:
        answer = json.loads(client.query().response.read())
        return bool(answer["results"]["bindings"])
    except Exception:  # an endpoint that cannot answer this has no such graph: query it as it is
        return False


def run_remote(endpoint: str, text: str, *, allow_update: bool, timeout: float,
               is_update: Callable[[str], bool]) -> Result:
    from SPARQLWrapper import JSON

    from kg.query import result_from_json

    update = is_update(text)
    if update and not allow_update:
        raise QueryError("this is a SPARQL Update; kg query does not change the endpoint unless asked",
                         where=endpoint, fix="add --allow-update if you mean to modify it")
    if is_root(endpoint):
        layout = discover(endpoint, _urllib_fetch(timeout))
        endpoint = (layout.update or layout.query) if update else layout.query
    client = _client(endpoint, timeout)
    if not update and holds_merged_graph(endpoint, timeout):
        client.addParameter("default-graph-uri", MERGED_GRAPH)
    client.setQuery(text)
    try:
        if update:
            client.query()
            return Result(updated=True)
        client.setReturnFormat(JSON)
        raw = client.query().response.read()
    except Exception as exc:  # SPARQLWrapper raises urllib and its own errors alike
        raise QueryError(f"the endpoint failed: {exc}", where=endpoint,
                         fix="check the URL (e.g. http://127.0.0.1:7878/query) and that the server runs") from exc
    try:
        return result_from_json(json.loads(raw))
    except (ValueError, AttributeError) as exc:
        raise QueryError("the endpoint did not answer with SPARQL JSON results", where=endpoint) from exc
