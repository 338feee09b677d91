"""``serve``: a read-only SPARQL 1.1 Protocol endpoint over the embedded store, stdlib only.

GET ``/sparql?query=…`` or POST (form ``query=…`` or an ``application/sparql-query``
body). SELECT/ASK answer SPARQL JSON, XML, CSV or TSV by the Accept header (JSON by
default); CONSTRUCT/DESCRIBE answer Turtle, N-Triples or RDF/XML. Updates are refused
with 403. Queries see all graphs merged as the default graph (as ``kg query`` does),
unless ``default-graph-uri`` is given.
It binds 127.0.0.1 unless told otherwise: the store is not meant to face a network.
"""

from __future__ import annotations

import logging
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg.errors import ServeError

log = logging.getLogger("kg.serve")
PATHS = ("/sparql", "/query")
MAX_BODY = 10 * 1024 * 1024
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
        try:
            defaults: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
                ox.NamedNode(g) for g in params.get("default-graph-uri", [])]
            named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in params.get("named-graph-uri", [])]
            results = self.server.store.query(
                queries[0], use_default_graph_as_union=not defaults, default_graph=defaults or None,
                named_graphs=named or None)
        except (SyntaxError, ValueError, TypeError) as exc:
            self._error(HTTPStatus.BAD_REQUEST, f"bad query: {exc}")
            return
        except OSError as exc:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"query failed: {exc}")
            return
        if isinstance(results, ox.QueryTriples):
            media, fmt = _negotiate(accept, GRAPH_TYPES, "text/turtle")
            self._send(200, results.serialize(format=fmt) or b"", f"{media}; charset=utf-8")
        else:
            media, fmt = _negotiate(accept, RESULT_TYPES, "application/sparql-results+json")
            self._send(200, results.serialize(format=fmt) or b"", f"{media}; charset=utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: ox.Store) -> None:
        self.store = store
        super().__init__(address, _Handler)


def make_server(store: Any, host: str = "127.0.0.1", port: int = 7878) -> _Server:
    """A server ready to ``serve_forever()``; port 0 picks a free port (see ``server_address``)."""
    from kg.publish.source import as_oxigraph

    try:
        return _Server((host, port), as_oxigraph(store))
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         fix="pick another --port, or stop what is using this one") from exc


def serve(store: Any, host: str = "127.0.0.1", port: int = 7878) -> None:
    """Answer SPARQL queries until interrupted."""
    server = make_server(store, host, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
