"""kg serve: a read-only SPARQL 1.1 Protocol endpoint, queried with SPARQLWrapper and plain HTTP."""

from __future__ import annotations

import contextlib
import csv
import http.client
import io
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.errors import ServeError
from kg.serve import make_server
from kg.store import open_store

DATA = Path(__file__).parent / "data" / "publish"
SELECT = """PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?c ?label WHERE { ?c a dip:Country ; rdfs:label ?label FILTER(LANG(?label) = "") } ORDER BY ?c"""


@pytest.fixture
def endpoint() -> Iterator[str]:
    store = ox.Store()
    store.load(path=str(DATA / "store.trig"), format=ox.RdfFormat.TRIG)
    server = make_server(store, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
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


# ---- the query time limit ----------------------------------------------------------------------------------

#: a query whose work grows with the square of the data: seconds on a few thousand triples
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a <http://x/p> ?x . ?b <http://x/p> ?y . ?c <http://x/p> ?z "
        "FILTER(STR(?x) < STR(?y) && STR(?y) < STR(?z)) }")
FAST = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://x/p> ?o }"
#: billions of rows, counted as they come: minutes of work in little memory
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://x/p> ?x . ?b <http://x/p> ?y . ?c <http://x/p> ?z }"


def _quads(n: int) -> list[ox.Quad]:
    return [ox.Quad(ox.NamedNode(f"http://x/{i}"), ox.NamedNode("http://x/p"), ox.Literal(f"v{i:05d}"),
                    ox.NamedNode("http://x/g")) for i in range(n)]


def _run(server: Any) -> tuple[str, threading.Thread]:
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_address[1]}/sparql?", thread


def _ask(url: str, query: str) -> tuple[int, str, float]:
    start = time.monotonic()
    status, _, body = fetch(url + urllib.parse.urlencode({"query": query}))
    return status, body, time.monotonic() - start


def test_a_query_over_the_time_limit_is_stopped_and_the_server_goes_on(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.load(_quads(400))
    with open_store(tmp_path / "s", read_only=True) as st:
        server = make_server(st, "127.0.0.1", 0, query_timeout=1.0)
        url, _ = _run(server)
        try:
            status, body, _ = _ask(url, FAST)  # starts a worker process
            assert status == 200 and '"400"' in body
            [worker] = server.pool.processes  # type: ignore[union-attr]
            status, body, seconds = _ask(url, SLOW)
            assert status == 503 and "query timed out" in body and "--query-timeout" in body
            assert seconds < 5
            assert not worker.is_alive()  # really stopped, not left running
            status, body, _ = _ask(url, FAST)  # the server goes on, with a new worker
            assert status == 200 and '"400"' in body
            assert len(server.pool.processes) == 1  # type: ignore[union-attr]
        finally:
            server.shutdown()
            server.server_close()
        assert server.pool.processes == []  # type: ignore[union-attr]


def test_an_in_memory_store_answers_at_the_deadline_too() -> None:
    store = ox.Store()
    store.bulk_extend(_quads(250))  # ~3 s: the query cannot be stopped here, it finishes in the background
    server = make_server(store, "127.0.0.1", 0, query_timeout=0.5, max_running=2)
    url, _ = _run(server)
    try:
        status, body, seconds = _ask(url, SLOW)
        assert status == 503 and "query timed out" in body and seconds < 3
        status, body, _ = _ask(url, FAST)
        assert status == 200 and '"250"' in body
    finally:
        server.shutdown()
        server.server_close()


def test_the_time_limit_must_be_positive() -> None:
    with pytest.raises(ServeError, match="must be positive"):
        make_server(ox.Store(), "127.0.0.1", 0, query_timeout=0)


@pytest.mark.slow
@contextlib.contextmanager
def _cli_server(tmp_path: Path, quads: int, timeout: float) -> Iterator[str]:
    """``kg serve`` in its own process over a store of ``quads``; its URL, ready. On leaving: Ctrl-C, and it
    must exit 0 at once (at most 20 s; else every thread's stack is shown)."""
    import signal
    import subprocess

    from tests.processes import start_kg_serve

    with open_store(tmp_path / "s") as st:
        st.load(_quads(quads))
    proc, sparql = start_kg_serve(tmp_path / "s", "--query-timeout", str(timeout))
    try:
        yield sparql + "?"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            pytest.fail("kg serve did not stop on SIGINT:\n" + proc.communicate(timeout=20)[1])
    assert proc.returncode == 0, err


def test_cli_serve_stops_a_query_over_its_time_limit(tmp_path: Path) -> None:
    with _cli_server(tmp_path, 400, 1) as url:
        status, body, _ = _ask(url, SLOW)
        assert status == 503 and "query timed out" in body
        status, body, _ = _ask(url, FAST)
        assert status == 200 and '"400"' in body


def test_cli_serve_stops_at_once_on_sigint_while_a_query_runs(tmp_path: Path) -> None:
    """Ctrl-C during a long query: its process is stopped first, so the request waiting for it ends and
    the server exits at once, not at the query's time limit."""
    answers: list[object] = []

    def slow(url: str) -> None:
        try:
            answers.append(_ask(url, ENDLESS)[0])
        except (OSError, http.client.HTTPException) as exc:  # the server went away mid-request (or mid-answer)
            answers.append(exc)

    with _cli_server(tmp_path, 3000, 600) as url:
        threading.Thread(target=slow, args=(url,), daemon=True).start()
        time.sleep(1.5)  # the query is running in its process
        assert not answers
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 15, answers
