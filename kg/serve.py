"""``serve``: a read-only SPARQL 1.1 Protocol endpoint over the embedded store, stdlib only.

GET ``/sparql?query=…`` or POST (form ``query=…`` or an ``application/sparql-query``
body). SELECT/ASK answer SPARQL JSON, XML, CSV or TSV by the Accept header (JSON by
default); CONSTRUCT/DESCRIBE answer Turtle, N-Triples or RDF/XML. Updates are refused
with 403. Queries see all graphs merged as the default graph (as ``kg query`` does),
unless ``default-graph-uri`` is given.
It binds 127.0.0.1 unless told otherwise: the store is not meant to face a network.
It keeps answering while ``kg ingest`` writes the same store: each query reads the last
batch the writer committed (a snapshot, see ``kg.serve_pool`` and ``kg.store.snapshot``).

Every query has a time limit (``query_timeout``, 30 s by default) counted from the start of
its execution; one over it is answered 503 "timed out" and really stopped (see
``kg.serve_pool``). When every slot is taken, a query waits a little, then is answered 503
"busy" with ``Retry-After``. Results over ``max_result_mb`` and queries over
``query_memory_mb`` are stopped with a 503 that says which limit they hit.
Federated queries (``SERVICE``) are off unless hosts are allowed, requests must name us in
``Host``, and a body needs a valid ``Content-Length`` (see ``kg.serve_guard``).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kg.errors import KgError, ServeError
from kg.serve_guard import body_length, host_allowed, host_name, service_refusal, services
from kg.serve_pool import Answer, Busy, ProcessPool, Request, ThreadPool, evaluate
from kg.serve_pool import _worker as _worker  # where it lived before the split (tests start one directly)

__all__ = ["Request", "evaluate", "make_server", "serve"]

log = logging.getLogger("kg.serve")
PATHS = ("/sparql", "/query")
MAX_BODY = 10 * 1024 * 1024
#: seconds a query may run, from the start of its execution (``kg serve --query-timeout``)
QUERY_TIMEOUT = 30.0
#: queries evaluated at once
MAX_RUNNING = 4
#: seconds a query waits for a free slot before it is answered "busy", and how many may wait
QUEUE_WAIT = 10.0
MAX_WAITING = 32
#: megabytes of serialised results, and of memory per query process (``--max-result-mb``, ``--query-memory-mb``)
MAX_RESULT_MB = 100
QUERY_MEMORY_MB = 2048
#: seconds a connection may stay silent (a body promised and never sent, an idle keep-alive)
SOCKET_TIMEOUT = 30.0
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


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s " + format, self.address_string(), *args)

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: HTTPStatus | int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers)

    def _host_ok(self) -> bool:
        """Refuse a request whose Host names another server (DNS rebinding); True when it may go on."""
        header = self.headers.get("Host")
        if host_allowed(header, self.server.allowed_hosts):
            return True
        self.close_connection = True
        name = host_name(header or "")[:100]
        self._error(HTTPStatus.FORBIDDEN, f"this endpoint does not answer for the host name {name!r} (restart kg "
                                          f"serve with --allow-host {name} if it is really its name)")
        return False

    def do_GET(self) -> None:
        if self.headers.get("Content-Length") not in (None, "0") or self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # a body we do not read must not be taken for the next request
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        params = parse_qs(url.query)
        from kg import serve_ui  # the HTML side: views, pages, stored-query forms, SPARQL editor

        if serve_ui.handles(url.path, params):
            serve_ui.answer(self, url.path, params)
            return
        if url.path == "/" and "query" not in params:
            self._send(200, FORM.format(query=escape(EXAMPLE)).encode("utf-8"), "text/html; charset=utf-8")
        elif url.path in PATHS:
            self._answer(params)
        else:
            self._error(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if not self._host_ok():
            return
        length, status, message = body_length(self.headers, MAX_BODY)
        if status:
            self.close_connection = True  # the body stays unread: never parse it as a request
            self._error(status, message)
            return
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            self._error(HTTPStatus.BAD_REQUEST, f"the body ended after {len(body)} of {length} bytes")
            return
        if url.path not in PATHS and url.path != "/":
            self._error(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql")
            return
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
        server = self.server
        refusal = service_refusal(queries[0], server.allow_service)
        if refusal:
            self._error(HTTPStatus.FORBIDDEN, refusal)
            return
        accept = (params.get("format") or [self.headers.get("Accept") or ""])[0]
        req = Request(queries[0], tuple(params.get("default-graph-uri", [])), tuple(params.get("named-graph-uri", [])),
                      accept, union=not server.merged_default, max_result=server.max_result,
                      federated=bool(services(queries[0])))
        try:
            answer: Answer | None = server.pool.run(req, server.query_timeout)
        except Busy as busy:
            self._error(HTTPStatus.SERVICE_UNAVAILABLE,
                        f"busy: every query slot is taken; the query was not started (retry in {busy.seconds} s)",
                        {"Retry-After": str(busy.seconds)})
            return
        if answer is None:
            limit = server.query_timeout or 0
            self._error(HTTPStatus.SERVICE_UNAVAILABLE,
                        f"query timed out: it ran longer than the {limit:g} s limit and was stopped (make it more "
                        "selective, e.g. with LIMIT or a narrower pattern, or restart kg serve with a higher "
                        "--query-timeout)")
            return
        self._send(*answer)
        server.follow_store()  # after answering: the query did not wait for it


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], pool: ProcessPool | ThreadPool, query_timeout: float | None,
                 merged_default: bool = False) -> None:
        self.pool = pool
        self.query_timeout = query_timeout
        self.merged_default = merged_default
        self.allow_service: frozenset[str] = frozenset()
        self.allowed_hosts: frozenset[str] = frozenset()
        self.max_result: int | None = None
        #: moves the caller's kg Store to the newest snapshot (the query processes read; see ``follow_store``)
        self.follow: Callable[[], object] | None = None
        self._following = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/sparql"

    def follow_store(self) -> None:
        """Keep the server's own handle on the store at the newest snapshot, so an older one it pinned
        can be deleted by the writer (queries run in worker processes, which move by themselves)."""
        if not self._following.acquire(blocking=False):
            return
        try:
            if self.follow is not None:
                self.follow()
        except (KgError, OSError, RuntimeError) as exc:
            log.warning("cannot move to the store's newest snapshot: %s", exc)
        finally:
            self._following.release()

    def server_close(self) -> None:
        with self._following:  # a request thread moving the store to a newer snapshot ends first: it closes next
            self.follow = None
        self.pool.close()  # first: a request waiting for its query process ends now, not at its time limit
        super().server_close()


def make_server(store: Any, host: str = "127.0.0.1", port: int = 7878, *, query_timeout: float | None = QUERY_TIMEOUT,
                max_running: int = MAX_RUNNING, allow_service: Iterable[str] = (), allow_hosts: Iterable[str] = (),
                max_result_mb: float | None = MAX_RESULT_MB, query_memory_mb: int | None = QUERY_MEMORY_MB,
                queue_wait: float = QUEUE_WAIT, max_waiting: int = MAX_WAITING) -> _Server:
    """A server bound and ready to ``serve_forever()``; port 0 picks a free port (see ``url``).

    ``query_timeout`` in seconds (None: no limit). A kg Store (on disk) is queried from worker
    processes that can be stopped; any other source (pyoxigraph Store, rdflib graph) from threads.
    ``allow_service``: hosts federated queries may call (none: SERVICE is refused);
    ``allow_hosts``: names clients may use for this server besides IP addresses and localhost.
    """
    from kg.publish.source import as_oxigraph, merged_default

    if query_timeout is not None and query_timeout <= 0:
        raise ServeError(f"the query timeout must be positive, not {query_timeout:g}",
                         fix="give --query-timeout SECONDS, e.g. 30")
    for name, value in (("--max-result-mb", max_result_mb), ("--query-memory-mb", query_memory_mb)):
        if value is not None and value <= 0:
            raise ServeError(f"{name} must be positive, not {value:g}")
    folder = getattr(store, "path", None)
    pool: ProcessPool | ThreadPool
    if isinstance(folder, Path) and (folder / "oxigraph").is_dir():
        pool = ProcessPool(folder / "oxigraph", max_running, wait=queue_wait, max_waiting=max_waiting,
                           memory_mb=query_memory_mb)
    else:
        pool = ThreadPool(as_oxigraph(store), max_running, wait=queue_wait, max_waiting=max_waiting)
    try:
        server = _Server((host, port), pool, query_timeout, merged_default(store))
    except (OSError, OverflowError) as exc:
        pool.close()
        reason = getattr(exc, "strerror", None) or exc
        raise ServeError(f"cannot listen on {host}:{port}: {reason}",
                         fix="pick another --port, or stop what is using this one") from None
    server.allow_service = frozenset(h.strip().lower().rstrip(".") for h in allow_service if h.strip())
    server.allowed_hosts = frozenset({host_name(host), *(host_name(h) for h in allow_hosts)})
    server.max_result = None if max_result_mb is None else int(max_result_mb * 2**20)
    follow = getattr(store, "refresh", None)
    if isinstance(pool, ProcessPool) and callable(follow):  # a kg Store on disk: the workers read it
        server.follow = follow
    return server


def serve(store: Any, host: str = "127.0.0.1", port: int = 7878, *, query_timeout: float | None = QUERY_TIMEOUT,
          on_ready: Callable[[str], None] | None = None, **options: Any) -> None:
    """Answer SPARQL queries until interrupted; ``on_ready(url)`` once the port is bound."""
    server = make_server(store, host, port, query_timeout=query_timeout, **options)
    try:
        if on_ready is not None:
            on_ready(server.url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
