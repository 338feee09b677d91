"""``serve``: a read-only SPARQL 1.1 Protocol endpoint over the embedded store, stdlib only.

GET ``/sparql?query=…`` or POST (form ``query=…`` or an ``application/sparql-query``
body). SELECT/ASK answer SPARQL JSON, XML, CSV or TSV by the Accept header (JSON by
default); CONSTRUCT/DESCRIBE answer Turtle, N-Triples or RDF/XML. Updates are refused
with 403. Queries see all graphs merged as the default graph (as ``kg query`` does),
unless ``default-graph-uri`` is given.
It binds 127.0.0.1 unless told otherwise: the store is not meant to face a network.

Every query has a time limit (``query_timeout``, 30 s by default); one over it is
answered 503 with a message, and the server goes on serving. pyoxigraph cannot
cancel a running query, so for a store on disk (what ``kg serve`` serves) queries
run in worker processes that open the store read-only, and a worker over time is
killed: its work really stops. An in-memory store cannot be opened by another
process: its queries run in threads, the answer still comes at the deadline, but
the query goes on in the background until done; at most ``max_running`` queries
run at once (more wait, then get 503), so runaway queries cannot pile up.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg.errors import ServeError

log = logging.getLogger("kg.serve")
PATHS = ("/sparql", "/query")
MAX_BODY = 10 * 1024 * 1024
#: seconds a query may run before it is answered 503 (``kg serve --query-timeout``)
QUERY_TIMEOUT = 30.0
#: queries evaluated at once; more wait for a free slot (up to their time limit)
MAX_RUNNING = 4
#: seconds a query worker process may take to start and open the store
STARTUP_TIMEOUT = 60.0
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
FORM = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>diplomacy-kg SPARQL</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto">
<h1>diplomacy-kg SPARQL endpoint</h1><p>Read-only SPARQL 1.1 Protocol at <code>/sparql</code>.</p>
<form action="/sparql" method="post"><textarea name="query" rows="12" style="width: 100%">{query}</textarea>
<p><select name="format"><option>application/sparql-results+json</option><option>text/csv</option>
<option>text/tab-separated-values</option><option>text/turtle</option></select>
<button type="submit">Run</button></p></form></body></html>"""
EXAMPLE = """PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?meeting ?label WHERE { ?meeting a dip:Meeting ; rdfs:label ?label } LIMIT 20"""


@dataclass(frozen=True)
class Request:
    """One query to evaluate (picklable: it may go to a worker process)."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str = ""
    #: no default-graph-uri: read the union of all graphs (False: the store's default graph is already their merge)
    union: bool = True


#: (HTTP status, body, content type)
Answer = tuple[int, bytes, str]


def _text(status: int, message: str) -> Answer:
    return status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8"


def evaluate(store: ox.Store, req: Request) -> Answer:
    """Run one query and serialise its results as the Accept header asks."""
    try:
        defaults: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.NamedNode(g) for g in req.default_graphs]
        named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in req.named_graphs]
        results = store.query(req.query, use_default_graph_as_union=req.union and not defaults,
                              default_graph=defaults or None,
                              named_graphs=named or None)
        if isinstance(results, ox.QueryTriples):
            media, fmt = _negotiate(req.accept, GRAPH_TYPES, "text/turtle")
        else:
            media, fmt = _negotiate(req.accept, RESULT_TYPES, "application/sparql-results+json")
        return 200, results.serialize(format=fmt) or b"", f"{media}; charset=utf-8"
    except (SyntaxError, ValueError, TypeError) as exc:
        return _text(400, f"bad query: {exc}")
    except OSError as exc:
        return _text(500, f"query failed: {exc}")


def _worker(db: str, conn: Connection) -> None:
    """A query worker process: the store opened read-only, one Request in, one Answer out, until EOF."""
    try:
        store = ox.Store.read_only(db)
    except (OSError, RuntimeError) as exc:
        conn.send(_text(500, f"query failed: cannot open the store: {exc}"))
        return
    conn.send(None)  # ready: start-up does not count against a query's time limit
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(evaluate(store, req))


class _NoWorker(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer[1].decode("utf-8", "replace"))
        self.answer = answer


class _ProcessPool:
    """Worker processes over a store folder; a worker over its time limit is killed, a new one started."""

    def __init__(self, db: Path, size: int) -> None:
        self.db, self.size = str(db), size
        self._ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or locks inherited
        self._idle: queue.LifoQueue[tuple[Any, Connection]] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._all: set[Any] = set()

    def _start(self) -> tuple[Any, Connection]:
        """A ready worker; ``_NoWorker`` (with the answer to give) when none could start."""
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker, args=(self.db, child), daemon=True, name="kg-serve-query")
        proc.start()
        child.close()
        with self._lock:
            self._all.add(proc)
        failed: Answer | None = _text(500, "query failed: the query process did not start in time")
        try:
            if parent.poll(STARTUP_TIMEOUT):
                failed = parent.recv()
        except (EOFError, OSError):
            failed = _text(500, "query failed: the query process could not start")
        if failed is not None:
            self._kill(proc, parent)
            raise _NoWorker(failed)
        return proc, parent

    def _kill(self, proc: Any, conn: Connection) -> None:
        proc.kill()
        proc.join(5)
        conn.close()
        with self._lock:
            self._all.discard(proc)

    def run(self, req: Request, timeout: float | None) -> Answer | None:
        """The answer, or None when the time limit passed (the query's worker is killed)."""
        if not self._slots.acquire(timeout=timeout):
            return None
        try:
            try:
                proc, conn = self._idle.get_nowait()
            except queue.Empty:
                try:
                    proc, conn = self._start()
                except _NoWorker as exc:
                    return exc.answer
            deadline = None if timeout is None else time.monotonic() + timeout
            try:
                conn.send(req)
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                if conn.poll(left):
                    answer: Answer = conn.recv()
                    self._idle.put((proc, conn))
                    return answer
            except (EOFError, OSError) as exc:  # the worker died (e.g. out of memory)
                self._kill(proc, conn)
                return _text(500, f"query failed: the query process ended ({type(exc).__name__})")
            self._kill(proc, conn)
            return None
        finally:
            self._slots.release()

    @property
    def processes(self) -> list[Any]:
        with self._lock:
            return [p for p in self._all if p.is_alive()]

    def close(self) -> None:
        while True:
            try:
                proc, conn = self._idle.get_nowait()
            except queue.Empty:
                break
            conn.close()  # the worker sees EOF and ends
        for proc in list(self._all):
            proc.join(2)
            if proc.is_alive():
                proc.kill()
                proc.join(2)
        self._all.clear()


class _ThreadPool:
    """Queries in threads (an in-memory store): the answer comes at the deadline, the query runs on."""

    def __init__(self, store: ox.Store, size: int) -> None:
        self.store = store
        self._slots = threading.BoundedSemaphore(size)

    def run(self, req: Request, timeout: float | None) -> Answer | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._slots.acquire(timeout=timeout):
            return None
        box: list[Answer] = []

        def work() -> None:
            try:
                box.append(evaluate(self.store, req))
            finally:
                self._slots.release()  # only when the query has really finished

        thread = threading.Thread(target=work, daemon=True, name="kg-serve-query")
        thread.start()
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return box[0] if box else None

    def close(self) -> None:
        pass


def _negotiate(accept: str, table: dict[str, Any], default: str) -> tuple[str, Any]:
    """First media type of ``accept`` (ignoring q-values' order subtleties) that we can write."""
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in table:
            return media, table[media]
    return default, table[default]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s " + format, self.address_string(), *args)

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query)
        if url.path == "/" and "query" not in params:
            self._send(200, FORM.format(query=escape(EXAMPLE)).encode("utf-8"), "text/html; charset=utf-8")
        elif url.path in PATHS:
            self._answer(params)
        else:
            self._error(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path not in PATHS and url.path != "/":
            self._error(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "query too large")
            return
        body = self.rfile.read(length)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query)
        if ctype == "application/sparql-update":
            params["update"] = [body.decode("utf-8", "replace")]
        elif ctype == "application/sparql-query":
            params["query"] = [body.decode("utf-8", "replace")]
        elif ctype == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body.decode("utf-8", "replace")).items():
                params.setdefault(key, []).extend(values)
        else:
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                        "POST a form (query=...) or an application/sparql-query body")
            return
        self._answer(params)

    def _answer(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused")
            return
        queries = params.get("query") or []
        if len(queries) != 1:
            self._error(HTTPStatus.BAD_REQUEST, "give exactly one 'query' parameter")
            return
        accept = (params.get("format") or [self.headers.get("Accept") or ""])[0]
        req = Request(queries[0], tuple(params.get("default-graph-uri", [])), tuple(params.get("named-graph-uri", [])),
                      accept, union=not self.server.merged_default)
        answer = self.server.pool.run(req, self.server.query_timeout)
        if answer is None:
            limit = self.server.query_timeout
            self._error(HTTPStatus.SERVICE_UNAVAILABLE,
                        f"query timed out: it ran longer than the {limit:g} s limit and was stopped (make it more "
                        "selective, e.g. with LIMIT or a narrower pattern, or restart kg serve with a higher "
                        "--query-timeout)")
            return
        self._send(*answer)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], pool: _ProcessPool | _ThreadPool, query_timeout: float | None,
                 merged_default: bool = False) -> None:
        self.pool = pool
        self.query_timeout = query_timeout
        self.merged_default = merged_default
        super().__init__(address, _Handler)

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def make_server(store: Any, host: str = "127.0.0.1", port: int = 7878, *, query_timeout: float | None = QUERY_TIMEOUT,
                max_running: int = MAX_RUNNING) -> _Server:
    """A server ready to ``serve_forever()``; port 0 picks a free port (see ``server_address``).

    ``query_timeout`` in seconds (None: no limit). A kg Store (on disk) is queried from worker
    processes that can be stopped; any other source (pyoxigraph Store, rdflib graph) from threads.
    """
    from kg.publish.source import as_oxigraph, merged_default

    if query_timeout is not None and query_timeout <= 0:
        raise ServeError(f"the query timeout must be positive, not {query_timeout:g}",
                         fix="give --query-timeout SECONDS, e.g. 30")
    folder = getattr(store, "path", None)
    pool: _ProcessPool | _ThreadPool
    if isinstance(folder, Path) and (folder / "oxigraph").is_dir():
        pool = _ProcessPool(folder / "oxigraph", max_running)
    else:
        pool = _ThreadPool(as_oxigraph(store), max_running)
    try:
        return _Server((host, port), pool, query_timeout, merged_default(store))
    except OSError as exc:
        pool.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         fix="pick another --port, or stop what is using this one") from exc


def serve(store: Any, host: str = "127.0.0.1", port: int = 7878, *,
          query_timeout: float | None = QUERY_TIMEOUT) -> None:
    """Answer SPARQL queries until interrupted."""
    server = make_server(store, host, port, query_timeout=query_timeout)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
