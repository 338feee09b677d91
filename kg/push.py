"""``push``: copy the store's graphs into an external triplestore, then check they arrived.

The server's root URL is enough: its query, update and Graph Store URLs are probed
(``kg.query.remote.discover``: Oxigraph, Virtuoso, Fuseki layouts); a refused first
connection stops at once in one line. A kg store's default graph, the merged view its
stored queries read, is pushed too, so the stored queries give the same rows through
``kg query --endpoint``: into the server's default graph, or, on a server whose default
graph is the union of all graphs (Virtuoso), into the named graph ``MERGED_GRAPH`` that
the query client then selects with ``default-graph-uri``. Virtuoso gets digest
authentication (never the password in basic form).

Per graph, SPARQL 1.1 Graph Store Protocol: the first batch is PUT (replacing the
graph, so pushing twice duplicates nothing), further batches of a large graph are
POSTed. A failure in the middle of a graph leaves that graph partial on the server;
it is reported as failed, and pushing again re-PUTs it from scratch. Stores without
GSP get SPARQL 1.1 Update (``DROP SILENT GRAPH``; ``INSERT DATA`` batches) instead,
sent with SPARQLWrapper (``kg.publish.update_client``); ``method="auto"`` switches
when the GSP URL answers 404/405. Finally the triples of
every graph are counted on the server and compared with what was sent: every graph
ends up in the report as verified or failed with a reason, none is silently dropped.

Retrying a POST after a lost connection is safe: RDF graphs are sets, so sending the
same triples twice adds nothing.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from kg.errors import PushError, QueryError
from kg.publish.http_client import Client, Credentials, Response, TransportError
from kg.publish.update_client import UpdateClient
from kg.query.remote import MERGED_GRAPH, Layout, discover, is_root

log = logging.getLogger("kg.push")
METHODS = ("auto", "gsp", "update")
#: graphs per verification query
VERIFY_CHUNK = 200
#: consecutive graphs without any HTTP answer after which the server is taken as gone
GIVE_UP_AFTER = 2
_BAD_IRI = set('<>"{}|^`\\ \n\r\t')


@dataclass
class GraphResult:
    graph: str  # "" for the default graph
    sent: int = 0
    expected: int = 0
    verified: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.verified == self.expected


@dataclass
class PushReport:
    endpoint: str
    method: str
    graphs: list[GraphResult] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False  # graphs and counts listed, nothing sent
    product: str = "unknown"  # the kind of server found: oxigraph, virtuoso, fuseki, unknown

    @property
    def failed(self) -> list[GraphResult]:
        return [] if self.dry_run else [g for g in self.graphs if not g.ok]

    @property
    def triples_expected(self) -> int:
        return sum(g.expected for g in self.graphs)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def triples_sent(self) -> int:
        return sum(g.sent for g in self.graphs)

    @property
    def triples_per_second(self) -> float:
        return self.triples_sent / self.seconds if self.seconds else 0.0


def derive_endpoints(endpoint: str) -> tuple[str | None, str]:
    """(GSP URL or None, update URL) guessed from a query URL: Oxigraph ``/query``, Fuseki ``/sparql``."""
    parts = urlsplit(endpoint)
    head, _, last = parts.path.rpartition("/")
    swap = {"query": ("store", "update"), "sparql": ("data", "update")}.get(last)
    if swap is None:
        return None, endpoint
    gsp, upd = (urlunsplit((parts.scheme, parts.netloc, f"{head}/{name}", "", "")) for name in swap)
    return gsp, upd


def resolve(endpoint: str, client: Client) -> Layout:
    """The server's URLs: probed when ``endpoint`` is a root URL or the ambiguous ``/sparql``, else guessed."""
    last = urlsplit(endpoint).path.rstrip("/").rpartition("/")[2]
    if not (is_root(endpoint) or last == "sparql"):
        gsp, upd = derive_endpoints(endpoint)
        return Layout("unknown", endpoint, upd, gsp)

    def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
        try:
            resp = client.request("GET", url, None, {"Accept": "application/sparql-results+json"}, auth=False)
        except TransportError as exc:
            raise PushError(f"the server does not answer: {exc}", where=endpoint,
                            fix="check --endpoint and that the triplestore runs") from None
        return resp.status, resp.headers, resp.body

    try:
        layout = discover(endpoint, fetch)
    except QueryError as exc:
        raise PushError(exc.what, where=exc.where, fix=exc.fix) from None
    if layout.product == "unknown":
        gsp, upd = derive_endpoints(layout.query)
        layout = Layout("unknown", layout.query, upd, gsp)
    return layout


def split_userinfo(url: str) -> tuple[str, Credentials | None]:
    """``url`` without a ``user:password@`` part, and the credentials that part held (None if none)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    bare = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return bare, Credentials(user=unquote(user), password=unquote(password) or None)


def _gsp_url(gsp: str, graph: str) -> str:
    sep = "&" if "?" in gsp else "?"
    return f"{gsp}{sep}default" if not graph else f"{gsp}{sep}graph={quote(graph, safe='')}"


def _batches(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    for i in range(0, len(triples), size):
        yield triples[i:i + size]


def _ntriples(batch: list[ox.Triple]) -> bytes:
    return ox.serialize(batch, None, ox.RdfFormat.N_TRIPLES) or b""


class _Pusher:
    def __init__(self, client: Client, endpoint: str, gsp: str | None, update: str, method: str,
                 batch: int) -> None:
        self.client, self.endpoint, self.gsp, self.update = client, endpoint, gsp, update
        self.method, self.batch = method, batch
        self.updater = UpdateClient(update, client)

    def _check(self, resp: Response, url: str, what: str, *, fallback: bool = False) -> None:
        """Raise PushError for answers no retry can fix; other 4xx become a failed graph."""
        if resp.status < 300:
            return
        if fallback and resp.status in (404, 405):
            raise _NoGsp(resp.status)
        detail = self.client.credentials.excerpt(resp.body)  # redacted, then cut
        if resp.status == 401:
            raise PushError(f"the server refused the credentials (HTTP 401) while {what}", where=url,
                            fix="check --user and the password variable (--password-env), or --token-env")
        if resp.status == 403:
            raise PushError(f"not allowed to write (HTTP 403) while {what}", where=url,
                            fix="use an account with write access, or enable updates on the server")
        if resp.status in (404, 405):
            raise PushError(f"no such endpoint (HTTP {resp.status}) while {what}", where=url,
                            fix="check --endpoint / --gsp, or try --method update")
        if resp.status == 413:
            raise PushError(f"request too large (HTTP 413) while {what}", where=url,
                            fix="lower --batch-triples")
        raise _GraphFailed(f"HTTP {resp.status} while {what}: {detail}")

    def send_gsp(self, graph: str, triples: list[ox.Triple], result: GraphResult, fallback: bool) -> None:
        assert self.gsp is not None
        url = _gsp_url(self.gsp, graph)
        headers = {"Content-Type": "application/n-triples"}
        if not triples:
            resp = self.client.request("PUT", url, b"", headers)
            self._check(resp, url, "emptying the graph", fallback=fallback)
        for i, batch in enumerate(_batches(triples, self.batch)):
            resp = self.client.request("PUT" if i == 0 else "POST", url, _ntriples(batch), headers)
            self._check(resp, url, f"sending triples {i * self.batch + 1}–{i * self.batch + len(batch)}",
                        fallback=fallback and i == 0)
            result.sent += len(batch)

    def send_update(self, graph: str, triples: list[ox.Triple], result: GraphResult) -> None:
        target = f"GRAPH <{graph}>" if graph else "DEFAULT"
        drop = f"DROP SILENT {target} ;\n"
        batches = list(_batches(triples, self.batch)) or [[]]
        for i, batch in enumerate(batches):
            body = _ntriples(batch).decode("utf-8")
            insert = f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}" if graph else f"INSERT DATA {{\n{body}}}"
            text = (drop if i == 0 else "") + (insert if batch else "")
            resp = self.updater.update(text)
            self._check(resp, self.update, f"updating <{graph or 'default graph'}>")
            result.sent += len(batch)

    def verify(self, results: list[GraphResult]) -> None:
        named = [r for r in results if r.graph and r.error is None]
        for i in range(0, len(named), VERIFY_CHUNK):
            chunk = named[i:i + VERIFY_CHUNK]
            values = " ".join(f"<{r.graph}>" for r in chunk)
            counts = self._counts("SELECT ?g (COUNT(*) AS ?n) WHERE { VALUES ?g { " + values
                                  + " } GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            for r in chunk:
                r.verified = counts.get(r.graph, 0)
        for r in results:
            if not r.graph and r.error is None:
                r.verified = self._counts("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").get("", 0)
        for r in results:
            if r.error is None and r.verified != r.expected:
                r.error = f"server has {r.verified} triples, {r.expected} were sent"

    def _counts(self, query: str) -> dict[str, int]:
        body = urlencode({"query": query}).encode("ascii")
        resp = self.client.request("POST", self.endpoint, body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json"})
        self._check(resp, self.endpoint, "counting the triples on the server")
        try:
            rows = json.loads(resp.body)["results"]["bindings"]
            return {row.get("g", {}).get("value", ""): int(row["n"]["value"]) for row in rows}
        except (ValueError, KeyError, TypeError) as exc:
            raise PushError("the SPARQL endpoint did not answer with SPARQL JSON results", where=self.endpoint,
                            fix="--endpoint must be the query URL (Oxigraph: /query, Fuseki: /ds/sparql)") from exc


class _GraphFailed(Exception):
    """One graph could not be sent; the push goes on with the others."""


class _NoGsp(Exception):
    """The GSP URL answered 404/405 on the first request: switch to SPARQL Update."""


def push(source: Any, endpoint: str, *, gsp_endpoint: str | None = None, update_endpoint: str | None = None,
         credentials: Credentials | None = None, batch_triples: int = 50_000, method: str = "auto",
         timeout: float = 60.0, retries: int = 5, backoff: float = 0.5, verify_tls: bool = True,
         ca_bundle: str | None = None, on_graph: Callable[[GraphResult], None] | None = None,
         dry_run: bool = False) -> PushReport:
    """Push every graph of ``source`` (kg Store, pyoxigraph Store, rdflib Graph/Dataset) to ``endpoint``.

    ``endpoint`` is the query URL or the server's root URL (its layout is then probed). A kg
    Store's default graph, the merged view its stored queries read, goes too: to the server's
    default graph, or to ``MERGED_GRAPH`` on a store whose default graph is the union of all
    (Virtuoso), where ``kg query --endpoint`` selects it. ``dry_run``: list the graphs and their
    counts, send nothing. Credentials in a URL (``https://user:password@host/...``) are used when
    ``credentials`` is not given, and never kept in the URL: no message, log line or exception shows them.
    """
    endpoint, in_url = split_userinfo(endpoint)
    found = [split_userinfo(u) if u else (None, None) for u in (gsp_endpoint, update_endpoint)]
    (gsp_endpoint, gsp_creds), (update_endpoint, update_creds) = found
    credentials = credentials or in_url or gsp_creds or update_creds or Credentials()
    try:
        return _push(source, endpoint, gsp_endpoint=gsp_endpoint, update_endpoint=update_endpoint,
                     credentials=credentials, batch_triples=batch_triples, method=method, timeout=timeout,
                     retries=retries, backoff=backoff, verify_tls=verify_tls, ca_bundle=ca_bundle,
                     on_graph=on_graph, dry_run=dry_run)
    except PushError as exc:  # defence in depth: whatever was put in a message, no secret leaves
        redact = credentials.redact
        raise PushError(redact(exc.what), where=redact(exc.where) if exc.where else None, line=exc.line,
                        fix=redact(exc.fix) if exc.fix else None) from None


def _push(source: Any, endpoint: str, *, gsp_endpoint: str | None, update_endpoint: str | None,
          credentials: Credentials, batch_triples: int, method: str, timeout: float, retries: int,
          backoff: float, verify_tls: bool, ca_bundle: str | None,
          on_graph: Callable[[GraphResult], None] | None, dry_run: bool) -> PushReport:
    from kg.publish import source as src

    if method not in METHODS:
        raise PushError(f"unknown push method {method!r}", fix=f"use one of {', '.join(METHODS)}")
    if batch_triples < 1:
        raise PushError("--batch-triples must be at least 1")
    from kg import summary

    summary.require(source, PushError)  # a remote store's global queries would answer no rows
    store = src.as_oxigraph(source)
    merged = src.merged_default(source)
    names: list[src.GraphName] = src.sorted_graphs(store, merged)
    if merged:  # the merged view the stored queries read travels too
        names.insert(0, ox.DefaultGraph())
    if dry_run:
        report = PushReport(endpoint, method, dry_run=True)
        report.graphs = [GraphResult("" if isinstance(n, ox.DefaultGraph) else str(n.value),
                                     expected=len(src.graph_triples(store, n))) for n in names]
        return report
    client = Client(credentials, timeout=timeout, retries=retries, backoff=backoff, verify_tls=verify_tls,
                    ca_bundle=ca_bundle)
    try:
        layout = resolve(endpoint, client)
    except BaseException:
        client.close()
        raise
    gsp = gsp_endpoint or layout.gsp
    if method == "gsp" and gsp is None:
        client.close()
        raise PushError("no Graph Store Protocol URL known for this endpoint", where=endpoint,
                        fix="pass --gsp URL, or --method update")
    if layout.digest:
        client.expect_digest(gsp or layout.query)
    auto = method == "auto" and gsp is not None
    if method == "auto":
        method = "gsp" if gsp else "update"
    pusher = _Pusher(client, layout.query, gsp, update_endpoint or layout.update or layout.query, method,
                     batch_triples)
    report = PushReport(layout.query, method, product=layout.product)
    started = time.perf_counter()
    down = 0
    try:
        for name in names:
            graph = "" if isinstance(name, ox.DefaultGraph) else str(name.value)
            if not graph and layout.union_default:  # no default graph of its own: the merged view is named
                graph = MERGED_GRAPH
            triples = src.graph_triples(store, name)
            result = GraphResult(graph, expected=len(triples))
            report.graphs.append(result)
            if down >= GIVE_UP_AFTER:
                result.error = "not sent: the server stopped answering"
            elif _BAD_IRI & set(graph):
                result.error = "not sent: the graph name is not a valid IRI"
            else:
                try:
                    _send(pusher, graph, triples, result, auto)
                    auto = False
                    report.method = pusher.method
                    down = 0
                except TransportError as exc:
                    result.error = str(exc)
                    down = down + 1 if exc.status is None else 0  # no answer at all, not an HTTP 5xx
                except _GraphFailed as exc:
                    result.error = str(exc)
            log.info("%s: %s", graph or "default graph", result.error or f"{result.sent} triples sent")
            if on_graph is not None:
                on_graph(result)
        try:
            pusher.verify(report.graphs)
        except TransportError as exc:
            for r in report.graphs:
                if r.error is None:
                    r.error = f"sent but could not verify: {exc}"
    finally:
        client.close()
        report.seconds = time.perf_counter() - started
    return report


def _send(pusher: _Pusher, graph: str, triples: list[ox.Triple], result: GraphResult, auto: bool) -> None:
    if pusher.method == "update":
        pusher.send_update(graph, triples, result)
        return
    try:
        pusher.send_gsp(graph, triples, result, auto)
    except _NoGsp:
        log.info("no Graph Store Protocol at %s; using SPARQL Update at %s", pusher.gsp, pusher.update)
        pusher.method = "update"
        result.sent = 0
        pusher.send_update(graph, triples, result)
