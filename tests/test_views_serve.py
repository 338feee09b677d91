"""kg serve's HTML side over HTTP (a real server on 127.0.0.1): pages, views' data, stored-query
forms and downloads, and what it refuses; the SPARQL protocol endpoint answers as before."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.serve import make_server

DATA = Path(__file__).parent / "data" / "publish"


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    store = ox.Store()
    store.load(path=str(DATA / "store.trig"), format=ox.RdfFormat.TRIG)
    server = make_server(store, "127.0.0.1", 0, query_timeout=20)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url.rsplit("/sparql", 1)[0] + "/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode("utf-8")


def test_home_links_the_views_queries_and_editor_and_forbids_outside_loads(root: str) -> None:
    status, headers, body = get(root)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    for link in ("views/timeline.html", "views/network.html", "views/map.html", "queries/index.html",
                 "sparql-editor.html"):
        assert f'href="{link}"' in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_resource_pages_are_rendered_live_in_words(root: str) -> None:
    status, _, body = get(root + "person/keir-starmer.html")
    assert status == 200 and "<h1>Keir Starmer</h1>" in body and "Reported by" in body
    status, headers, ttl = get(root + "person/keir-starmer.ttl")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle") and "Keir Starmer" in ttl


def test_views_data_is_read_from_the_store(root: str) -> None:
    status, _, body = get(root + "views/data.js")
    data = json.loads(body[len("window.KG_DATA = "):].rstrip().rstrip(";"))
    assert status == 200
    assert {"Keir Starmer", "Emmanuel Macron"} <= {e["label"] for e in data["entities"]}
    assert len([e for e in data["events"] if e["kind"] == "meeting"]) == 2


def test_stored_query_form_answers_a_table_and_downloads(root: str) -> None:
    # a query over the facts themselves: this store is a plain dataset, without a kg store's write-time counts
    status, _, body = get(root + "queries/pledges-by-country.html?country=GB&run=1")
    assert status == 200 and '<table class="results"' in body and "United Kingdom pledges troops" in body
    status, headers, csv = get(root + "queries/pledges-by-country.csv?country=GB")
    assert status == 200 and csv.splitlines()[0].startswith("pledge,") and len(csv.splitlines()) == 2
    assert "attachment" in headers["Content-Disposition"]


def test_a_parameter_is_never_echoed_as_markup(root: str) -> None:
    evil = '"><script>alert(1)</script>'
    status, _, body = get(root + "queries/pledges-by-country.html?" + urllib.parse.urlencode({"country": evil}))
    assert status == 200 and "<script>alert(1)" not in body and "&lt;script&gt;" in body


@pytest.mark.parametrize("path", ["person/nobody.html", "person/../../etc/passwd.html", "person/%2e%2e.html",
                                  "queries/no-such-query.html", "queries/pyproject.rq.html", "assets/../kg.css",
                                  "views/other.html"])
def test_unknown_or_unsafe_paths_are_404(root: str, path: str) -> None:
    assert get(root + path)[0] == 404


def test_the_protocol_endpoint_is_unchanged(root: str) -> None:
    status, headers, body = get(root + "sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert status == 200 and json.loads(body)["boolean"] is True
    assert "Content-Security-Policy" not in headers


def test_the_summary_index_nodes_are_not_listed_as_referring_to_a_resource() -> None:
    store = ox.Store()
    store.load(path=str(DATA / "store.trig"), format=ox.RdfFormat.TRIG)
    index = ox.NamedNode("https://w3id.org/diplomacy-kg/id/graph/summary/meetings/ab12")
    store.add(ox.Quad(index, ox.NamedNode("https://w3id.org/diplomacy-kg/ontology#meetingsOf"),
                      ox.NamedNode("https://w3id.org/diplomacy-kg/id/person/keir-starmer"),
                      ox.NamedNode("https://w3id.org/diplomacy-kg/id/graph/summary")))
    server = make_server(store, "127.0.0.1", 0, query_timeout=20)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        status, _, body = get(server.url.rsplit("/sparql", 1)[0] + "/person/keir-starmer.html")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert status == 200 and "graph/summary" not in body and "Referenced by" in body
