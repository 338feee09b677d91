"""kg serve: a read-only SPARQL 1.1 Protocol endpoint, queried with SPARQLWrapper and plain HTTP."""

from __future__ import annotations

import csv
import io
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.errors import ServeError
from kg.serve import make_server

DATA = Path(__file__).parent / "data" / "publish"
SELECT = """PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?c ?label WHERE { ?c a dip:Country ; rdfs:label ?label FILTER(LANG(?label) = "") } ORDER BY ?c"""


@pytest.fixture
def endpoint() -> Iterator[str]:
    store = ox.Store()
    store.load(path=str(DATA / "store.trig"), format=ox.RdfFormat.TRIG)
    server = make_server(store, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


def test_select_through_sparqlwrapper_sees_all_graphs(endpoint: str) -> None:
    sparql = SPARQLWrapper(endpoint + "/sparql")
    sparql.setQuery(SELECT)
    sparql.setReturnFormat(JSON)
    rows = sparql.queryAndConvert()["results"]["bindings"]  # type: ignore[index, call-overload]
    assert [r["label"]["value"] for r in rows] == ["France", "United Kingdom", "Ukraine"]


def test_select_as_csv_by_accept_header(endpoint: str) -> None:
    url = endpoint + "/sparql?" + urllib.parse.urlencode({"query": SELECT})
    status, ctype, body = fetch(url, headers={"Accept": "text/csv"})
    assert status == 200 and ctype.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["c", "label"] and rows[1][1] == "France"


def test_construct_answers_turtle(endpoint: str) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/diplomacy-kg/id/graph/entities> { ?s ?p ?o } }"
    status, ctype, body = fetch(endpoint + "/sparql", query.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 200 and ctype.startswith("text/turtle")
    assert len(Graph().parse(data=body, format="turtle")) == 13


def test_ask_and_form_post(endpoint: str) -> None:
    form = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode()
    status, _, body = fetch(endpoint + "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and '"boolean":true' in body.replace(" ", "")


def test_updates_are_refused(endpoint: str) -> None:
    update = b"INSERT DATA { <http://x> <http://y> <http://z> }"
    status, _, body = fetch(endpoint + "/sparql", update, {"Content-Type": "application/sparql-update"})
    assert status == 403 and "read-only" in body
    form = urllib.parse.urlencode({"update": update.decode()}).encode()
    status, _, _ = fetch(endpoint + "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    # and a query cannot sneak an update in either
    status, _, _ = fetch(endpoint + "/sparql?" + urllib.parse.urlencode({"query": update.decode()}))
    assert status == 400


def test_bad_query_is_400_with_a_reason(endpoint: str) -> None:
    status, _, body = fetch(endpoint + "/sparql?" + urllib.parse.urlencode({"query": "SELEC ?x"}))
    assert status == 400 and "bad query" in body


def test_home_page_has_a_form(endpoint: str) -> None:
    status, ctype, body = fetch(endpoint + "/")
    assert status == 200 and ctype.startswith("text/html") and "<form" in body


def test_unknown_path_is_404(endpoint: str) -> None:
    assert fetch(endpoint + "/admin")[0] == 404


def test_port_in_use_is_a_clear_error(endpoint: str) -> None:
    port = int(endpoint.rsplit(":", 1)[1])
    with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}"):
        make_server(ox.Store(), "127.0.0.1", port)
