"""Load anywhere, same answers: every stored query gives the local rows on real triplestores.

The development corpus (samples/) is ingested into a kg store, and the stored queries' own test
world (tests/data/queries/world.trig, with merged reports) loaded into another; each stored query
runs with the parameters of its cases in tests/data/queries, locally and then

- through ``--endpoint`` on a store loaded with ``kg push`` (Oxigraph, Virtuoso), and
- on a store loaded from ``kg export`` files with the store's own bulk loader (Oxigraph's
  ``oxigraph load``, Virtuoso's ``ld_dir`` + ``rdf_loader_run``, Jena's ``tdb2.tdbloader``),

each store with its default settings. Rows are compared as sets of lexical rows (order aside).
The exports are ``nquads`` (the named graphs) and ``nt`` (the merged view the stored queries read):
loaded as the default graph where the store has one of its own, as ``MERGED_GRAPH`` on Virtuoso.
The last section checks that push behaves like a good client on the real servers: a root URL is
enough, ``--dry-run`` sends nothing, pushing twice changes nothing, Virtuoso gets digest authentication.
"""
# ruff: noqa: F811  (pytest fixtures imported from the fixture modules are parameters here)

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper
from typer.testing import CliRunner

from kg.errors import PushError
from kg.ingest import ingest
from kg.merge import update
from kg.publish import export
from kg.publish.http_client import Credentials
from kg.push import push
from kg.query import _prologue, bound_text, list_queries, load_query, result_from_json, run_query
from kg.query.remote import MERGED_GRAPH
from kg.store import open_store
from tests.fixtures_jena import jena_tdb2
from tests.fixtures_oxigraph import (  # noqa: F401 (fixtures)
    OxigraphServer,
    faulty_proxy,
    free_port,
    oxigraph_binary,
    oxigraph_server,
    start_oxigraph,
    stop_oxigraph,
)
from tests.fixtures_virtuoso import PASSWORD, USER, VirtuosoServer, virtuoso, virtuoso_session  # noqa: F401
from tests.test_push import DATA, SECRET, local_counts, local_store, server_counts
from tests.test_queries import load_world

ROOT = Path(__file__).parent.parent
CASES = sorted((ROOT / "tests" / "data" / "queries").glob("*/*.json"))
#: (query, case params) -> rows
Runner = Callable[[str, dict[str, str]], list[dict[str, str]]]


@dataclass
class Corpus:
    store: Path
    nquads: Path  # every named graph
    merged: Path  # the merged view: the local default graph
    expected: dict[str, list[list[str]]]  # query -> per case, its rows as sorted JSON lines
    count_query: str  # a .rq file counting the triples of the default graph

    def check_default_graph(self, run: Runner) -> None:
        """The default graph a query sees holds the merged view, each triple once (not every graph's copy)."""
        merged = sum(1 for line in self.merged.read_bytes().splitlines() if line.strip())
        assert run(self.count_query, {}) == [{"n": str(merged)}]


def _rows(rows: list[dict[str, str]]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def _cases() -> Iterator[tuple[str, dict[str, str]]]:
    for case in CASES:
        yield case.parent.name, json.loads(case.read_text(encoding="utf-8"))["params"]


@pytest.fixture(scope="module", params=["samples", "world"])
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The development corpus ingested, or the stored queries' own test world (tests/data/queries/world.trig)."""
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "world":
        load_world(folder / "store").close()
    with open_store(folder / "store") as store:
        if request.param == "samples":
            report = ingest(store, [ROOT / "samples"], workers=1)
            assert report.stored and not report.rejected
        export(store, folder / "graph.nq", "nquads")
        export(store, folder / "merged.nt", "nt")
        expected: dict[str, list[list[str]]] = {}
        for name, params in _cases():
            expected.setdefault(name, []).append(_rows(run_query(store, name, params).rows))
    assert {q.name for q in list_queries()} == set(expected), "a stored query without a case in tests/data/queries"
    assert any(rows for cases in expected.values() for rows in cases)
    count = folder / "count.rq"
    count.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", encoding="utf-8")
    return Corpus(folder / "store", folder / "graph.nq", folder / "merged.nt", expected, str(count))


def differing(corpus: Corpus, run: Runner) -> set[str]:
    """The stored queries for which some case gives other rows than locally."""
    got: dict[str, list[list[str]]] = {}
    for name, params in _cases():
        got.setdefault(name, []).append(_rows(run(name, params)))
    wrong = {name for name, rows in got.items() if rows != corpus.expected[name]}
    for name in sorted(wrong):
        for case, (mine, theirs) in enumerate(zip(corpus.expected[name], got[name], strict=True)):
            if mine != theirs:
                print(f"{name} case {case}: only here {sorted(set(mine) - set(theirs))[:3]}; "
                      f"only there {sorted(set(theirs) - set(mine))[:3]}")
    print(f"{len(got) - len(wrong)}/{len(got)} stored queries give the local rows; other rows: {sorted(wrong)}")
    return wrong


def endpoint_runner(url: str) -> Runner:
    """A stored query through ``kg query --endpoint URL`` (the library call the command makes)."""
    return lambda name, params: run_query(url, name, params).rows


def _text(name: str, params: dict[str, str]) -> str:
    return _prologue() + bound_text(load_query(name), params)


# ---- Oxigraph: its default graph is a graph of its own -----------------------------------------------------------

def test_oxigraph_push_gives_the_local_rows(corpus: Corpus, tmp_path: Path) -> None:
    server = start_oxigraph(tmp_path / "db")
    try:
        with open_store(corpus.store, read_only=True) as store:
            report = push(store, server.url)  # the root URL is enough
        assert report.ok and report.product == "oxigraph", [g.error for g in report.failed]
        assert "" in {g.graph for g in report.graphs}  # the merged view went to the default graph
        corpus.check_default_graph(endpoint_runner(server.url))
        assert differing(corpus, endpoint_runner(server.url)) == set()  # the root URL for queries too
    finally:
        stop_oxigraph(server)


def test_oxigraph_bulk_load_gives_the_local_rows(corpus: Corpus, tmp_path: Path) -> None:
    import subprocess

    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    db = tmp_path / "db"
    for file in (corpus.nquads, corpus.merged):  # N-Triples go to the default graph
        subprocess.run([binary, "load", "--location", str(db), "--file", str(file)], check=True,
                       capture_output=True, timeout=300)
    server = start_oxigraph(db)
    try:
        corpus.check_default_graph(endpoint_runner(server.query))
        assert differing(corpus, endpoint_runner(server.query)) == set()
    finally:
        stop_oxigraph(server)


# ---- Virtuoso: its default graph is the union of all graphs, so the merged view is MERGED_GRAPH ------------------

# Virtuoso 7.2.5 (Debian 12) needed two query forms (see the comments in queries/*.rq); every query is now equal.


def test_virtuoso_push_gives_the_local_rows(corpus: Corpus, virtuoso: VirtuosoServer) -> None:
    with open_store(corpus.store, read_only=True) as store:
        report = push(store, virtuoso.url, credentials=Credentials(USER, PASSWORD))
    assert report.ok and report.product == "virtuoso", [g.error for g in report.failed]
    assert MERGED_GRAPH in {g.graph for g in report.graphs} and "" not in {g.graph for g in report.graphs}
    corpus.check_default_graph(endpoint_runner(virtuoso.url))
    wrong = differing(corpus, endpoint_runner(virtuoso.url))
    assert not wrong, wrong


def test_virtuoso_bulk_load_gives_the_local_rows(corpus: Corpus, virtuoso: VirtuosoServer) -> None:
    folder = virtuoso.folder / "load"
    folder.mkdir(exist_ok=True)
    files = [Path(shutil.copy(f, folder)) for f in (corpus.nquads, corpus.merged)]
    # the graph given to ld_dir receives the triples without one: the merged view
    virtuoso.bulk_load(files, {"graph.nq": MERGED_GRAPH, "merged.nt": MERGED_GRAPH})
    corpus.check_default_graph(endpoint_runner(virtuoso.sparql))
    wrong = differing(corpus, endpoint_runner(virtuoso.sparql))
    assert not wrong, wrong


# ---- Jena TDB2: bulk load only (Debian packages no Fuseki) --------------------------------------------------------

def test_jena_tdb2_bulk_load_gives_the_local_rows(corpus: Corpus, tmp_path: Path) -> None:
    jena = jena_tdb2(tmp_path)
    db = tmp_path / "tdb2"
    jena.load(db, [corpus.nquads, corpus.merged])

    def run(name: str, params: dict[str, str]) -> list[dict[str, str]]:
        return result_from_json(jena.query(db, _text(name, params))).rows

    corpus.check_default_graph(run)
    assert differing(corpus, run) == set()


# ---- a good client on real servers: root URL, dry run, twice, digest (Virtuoso) ----------------------------------


def kg_store_with_merged_view(path: Path) -> tuple[Path, int, dict[str, int]]:
    """A kg store (its default graph the merge of the named graphs): path, merged triples, triples per graph."""
    with open_store(path) as store:
        store.load(DATA / "store.trig", format=ox.RdfFormat.TRIG)
        update(store)  # the merge pass (links, summary), as kg ingest and kg load run it
        merged = len(list(store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())))
        counts = local_counts(store.oxigraph)
    return path, merged, counts


def default_graph_count(query_url: str) -> int:
    sparql = SPARQLWrapper(query_url)
    sparql.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    sparql.setReturnFormat(JSON)
    return int(sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"])  # type: ignore[index, call-overload]


def test_the_root_url_is_enough_and_the_merged_view_becomes_the_default_graph(oxigraph_server: OxigraphServer,
                                                                             tmp_path: Path) -> None:
    path, merged, counts = kg_store_with_merged_view(tmp_path / "s")
    with open_store(path, read_only=True) as store:
        report = push(store, oxigraph_server.url)  # no /query: found by probing
    assert report.ok and report.product == "oxigraph" and report.method == "gsp"
    assert report.endpoint == oxigraph_server.query
    assert server_counts(oxigraph_server) == counts
    assert default_graph_count(oxigraph_server.query) == merged > 0


def test_dry_run_lists_graphs_and_counts_and_sends_nothing(oxigraph_server: OxigraphServer, tmp_path: Path) -> None:
    from kg.cli import app

    path, merged, counts = kg_store_with_merged_view(tmp_path / "s")
    result = CliRunner().invoke(app, ["push", "--endpoint", oxigraph_server.url, "--dry-run", "--store", str(path)])
    assert result.exit_code == 0, result.output
    listed = dict(line.split("\t")[::-1] for line in result.stdout.splitlines() if "\t" in line)
    assert listed == {"(default graph: the merged view)": str(merged), **{g: str(n) for g, n in counts.items()}}
    assert "dry run: nothing sent" in result.output
    assert server_counts(oxigraph_server) == {} and default_graph_count(oxigraph_server.query) == 0
    nobody = CliRunner().invoke(app, ["push", "--endpoint", f"http://127.0.0.1:{free_port()}", "--dry-run",
                                      "--store", str(path)])
    assert nobody.exit_code == 0 and nobody.stdout == result.stdout  # no connection is even tried


def test_known_layouts() -> None:
    from kg.query.remote import layout_for

    oxigraph = layout_for("http://h:7878/query", "Oxigraph/0.5.13")
    assert (oxigraph.update, oxigraph.gsp, oxigraph.union_default) == ("http://h:7878/update", "http://h:7878/store",
                                                                        False)
    virtuoso = layout_for("http://h:8890/sparql", "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu")
    assert (virtuoso.update, virtuoso.gsp) == ("http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth")
    assert virtuoso.union_default and virtuoso.digest
    fuseki = layout_for("http://h:3030/ds/query", "Apache Jena Fuseki (4.5.0)")
    assert (fuseki.product, fuseki.update, fuseki.gsp) == ("fuseki", "http://h:3030/ds/update", "http://h:3030/ds/data")


def test_a_root_url_with_no_triplestore_behind_it_says_so(oxigraph_server: OxigraphServer, faulty_proxy) -> None:
    proxy = faulty_proxy(lambda method, path, headers, n: 404)  # a web server, but no SPARQL anywhere
    with pytest.raises(PushError, match=r"no SPARQL query endpoint found there .*give the query URL"):
        push(local_store(), proxy.url)
    assert all(method == "GET" for method, _ in proxy.requests)  # probes only: nothing was written


def test_virtuoso_root_url_digest_and_pushing_twice_changes_nothing(virtuoso: VirtuosoServer,
                                                                     tmp_path: Path) -> None:
    path, merged, counts = kg_store_with_merged_view(tmp_path / "s")
    creds = Credentials(user=USER, password=PASSWORD)
    with open_store(path, read_only=True) as store:
        first = push(store, virtuoso.url, credentials=creds)  # the root URL
        second = push(store, virtuoso.sparql, credentials=creds)  # the query URL: /sparql is probed too
    assert first.ok and second.ok, [g.error for g in first.failed + second.failed]
    assert first.product == "virtuoso" and first.method == "gsp" and first.endpoint == virtuoso.sparql
    expected = {**counts, MERGED_GRAPH: merged}  # Virtuoso's default graph is every graph: the view is named
    assert {g.graph: g.verified for g in second.graphs} == expected
    assert virtuoso.graphs() - virtuoso.system_graphs == set(expected)


def test_virtuoso_sparql_update_with_digest(virtuoso: VirtuosoServer) -> None:
    store = local_store()
    creds = Credentials(user=USER, password=PASSWORD)
    report = push(store, virtuoso.url, method="update", credentials=creds, batch_triples=7)
    again = push(store, virtuoso.url, method="update", credentials=creds, batch_triples=7)
    assert report.ok and again.ok and report.method == "update", [g.error for g in report.failed]
    assert {g.graph: g.verified for g in again.graphs} == local_counts(store)


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_virtuoso_wrong_password_is_one_clear_error_without_the_password(virtuoso: VirtuosoServer,
                                                                          method: str) -> None:
    with pytest.raises(PushError, match=r"refused the credentials \(HTTP 401\)") as info:
        push(local_store(), virtuoso.url, method=method, credentials=Credentials(user="dba", password=SECRET),
             retries=0)
    assert SECRET not in str(info.value)
    assert virtuoso.graphs() == virtuoso.system_graphs


def test_cli_push_and_query_through_virtuoso_root_url(virtuoso: VirtuosoServer, tmp_path: Path) -> None:
    from kg.cli import app

    path, _, _ = kg_store_with_merged_view(tmp_path / "s")
    env = {"KG_PUSH_PASSWORD": PASSWORD}
    pushed = CliRunner().invoke(app, ["push", "--endpoint", virtuoso.url, "--user", USER,
                                      "--store", str(path)], env=env)
    assert pushed.exit_code == 0, pushed.output
    local = CliRunner().invoke(app, ["query", "timeline", "--format", "csv", "--store", str(path)])
    remote = CliRunner().invoke(app, ["query", "timeline", "--format", "csv", "--endpoint", virtuoso.url])
    assert remote.exit_code == 0, remote.output
    assert local.stdout.splitlines()[0] == remote.stdout.splitlines()[0]
    assert sorted(local.stdout.splitlines()[1:]) == sorted(remote.stdout.splitlines()[1:]) != []
