"""Stored queries: each one, run through a real store, returns the rows its case files expect.

Cases live in tests/data/queries/<query>/<case>.json: ``params`` and the ``expected``
rows (lexical values, in order). The input is tests/data/queries/world.trig (five
articles following docs/ARCHITECTURE.md) with the merged graph computed by kg.merge.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.merge import recompute
from kg.query import list_queries, load_query, run_query
from kg.store import Store, open_store

DATA = Path(__file__).parent / "data" / "queries"
WORLD = DATA / "world.trig"
CASES = sorted(DATA.glob("*/*.json"))


def load_world(path: Path) -> Store:
    store = open_store(path)
    store.load(WORLD)
    recompute(store)
    return store


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = load_world(tmp_path_factory.mktemp("world") / "store")
    yield store
    store.close()


def test_every_stored_query_has_cases() -> None:
    names = {q.name for q in list_queries()}
    tested = {c.parent.name for c in CASES}
    assert names - tested == set(), "stored queries without a case in tests/data/queries"
    assert "countries-pledging-troops" in names


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_query_case(world: Store, case: Path) -> None:
    spec = json.loads(case.read_text(encoding="utf-8"))
    result = run_query(world, case.parent.name, spec["params"])
    assert result.rows == spec["expected"]


def test_headers_declare_summary_and_parameters() -> None:
    q = load_query("pledges-by-country")
    assert q.summary.startswith("Pledges a country made")
    assert [(p.name, p.required) for p in q.params] == [("country", True)]
    assert "ISO 3166-1" in q.params[0].description
    coalition = load_query("coalition-participants")
    assert [(p.name, p.required, p.default) for p in coalition.params] == [
        ("org", False, "Coalition of the Willing")]
    timeline = load_query("timeline")
    assert [(p.name, p.required) for p in timeline.params] == [("from", False), ("to", False), ("limit", False)]


def test_unknown_query_names_the_available_ones() -> None:
    with pytest.raises(QueryError, match=r"no stored query named 'nope'.*countries-pledging-troops"):
        load_query("nope")


def test_missing_and_unknown_parameters_are_clear(world: Store) -> None:
    with pytest.raises(QueryError, match=r"needs the parameter 'country'.*--param country=VALUE"):
        run_query(world, "pledges-by-country", {})
    with pytest.raises(QueryError, match=r"unknown parameter 'land'.*it takes: country"):
        run_query(world, "pledges-by-country", {"country": "FR", "land": "FR"})


def test_invalid_date_parameter(world: Store) -> None:
    with pytest.raises(QueryError, match="'2025-13-40' is not a valid date"):
        run_query(world, "timeline", {"from": "2025-13-40"})


def test_query_file_by_path(world: Store, tmp_path: Path) -> None:
    rq = tmp_path / "count.rq"
    rq.write_text("#+ summary: count articles\nSELECT (COUNT(*) AS ?n) WHERE { ?a a dip:Article }\n")
    assert run_query(world, rq).rows == [{"n": "5"}]


def test_output_formats(world: Store) -> None:
    result = run_query(world, "leaders-of-country", {"country": "GB"})
    assert result.to_csv().splitlines() == [
        "leader,label,role,sources",
        "https://w3id.org/diplomacy-kg/id/person/keir-starmer,Keir Starmer,prime_minister,2"]
    assert result.to_tsv().splitlines()[1] == (
        '<https://w3id.org/diplomacy-kg/id/person/keir-starmer>\t"Keir Starmer"\t"prime_minister"\t'
        '"2"^^<http://www.w3.org/2001/XMLSchema#integer>')
    doc = json.loads(result.to_json())
    assert doc["head"]["vars"] == ["leader", "label", "role", "sources"]
    assert doc["results"]["bindings"][0]["sources"] == {
        "type": "literal", "value": "2", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    frame = result.to_dataframe()
    assert list(frame.columns) == ["leader", "label", "role", "sources"]
    assert frame.iloc[0]["sources"] == 2
    assert result.to_table().row_count == 1


def test_python_api_query_by_keyword(world: Store) -> None:
    from kg.api import KnowledgeGraph

    rows = KnowledgeGraph(world).query("meetings-of-leader", leader="Donald Trump").rows
    assert [r["meeting"].rsplit("/", 1)[1] for r in rows] == ["m5"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_remote_endpoint_gives_the_same_rows(tmp_path: Path) -> None:
    """`oxigraph serve` on 127.0.0.1 with the same data: every case answers the same remotely."""
    binary = shutil.which("oxigraph") or str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "oxigraph")
    if not Path(binary).exists():
        pytest.skip("the oxigraph server binary (pip install oxigraph) is not installed")
    store = load_world(tmp_path / "store")
    nq = tmp_path / "world.nq"
    # the endpoint's default graph must be the union, as in the embedded store
    store.oxigraph.dump(str(nq), format=ox.RdfFormat.N_QUADS)
    store.close()
    port = _free_port()
    server = subprocess.Popen([binary, "serve", "--location", str(tmp_path / "remote"), "--bind",
                               f"127.0.0.1:{port}", "--union-default-graph"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        load = urllib.request.Request(f"{endpoint}/store", data=nq.read_bytes(), method="POST",
                                      headers={"Content-Type": "application/n-quads"})
        urllib.request.urlopen(load, timeout=30).close()
        for case in CASES:
            spec = json.loads(case.read_text(encoding="utf-8"))
            rows = run_query(f"{endpoint}/query", case.parent.name, spec["params"]).rows
            assert rows == spec["expected"], case
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_unreachable_endpoint_is_a_query_error() -> None:
    port = _free_port()
    with pytest.raises(QueryError, match="the endpoint failed"):
        run_query(f"http://127.0.0.1:{port}/query", "most-active-leaders", {}, timeout=5)


def test_queries_do_not_multiply_rows_when_many_articles_repeat_the_same_triples(tmp_path: Path) -> None:
    """In the union default graph a triple stated by N articles is seen N times: rows must not multiply.

    (How fast they stay is measured by bench/, not asserted here.)
    """
    store = load_world(tmp_path / "store")
    a2 = [q for q in store.quads("https://w3id.org/diplomacy-kg/id/graph/article/a2")]
    store.load(ox.Quad(q.subject, q.predicate, q.object,
                                  ox.NamedNode(f"https://w3id.org/diplomacy-kg/id/graph/article/copy{i}"))
                          for i in range(80) for q in a2)
    for case in CASES:
        spec = json.loads(case.read_text(encoding="utf-8"))
        result = run_query(store, case.parent.name, spec["params"])
        assert result.rows == spec["expected"], case  # the copies add no new facts
    store.close()


def test_terminal_table_shortens_iris_but_machine_formats_keep_them(world: Store) -> None:
    from rich.console import Console

    result = run_query(world, "countries-pledging-troops")
    console = Console(width=200, record=True)
    console.print(result.to_table())
    text = console.export_text()
    assert "id:country/FR" in text and "https://w3id.org/diplomacy-kg/id/country/FR" not in text
    assert "https://w3id.org/diplomacy-kg/id/country/FR" in result.to_csv()


def test_a_conditional_line_is_code_only_when_its_parameter_is_given() -> None:
    """``#?name`` lines narrow or page a stored query only when asked; unasked they stay comments."""
    from rdflib import XSD, Literal, URIRef

    from kg.query.sparqltext import bind, parameters

    text = "SELECT ?x WHERE { ?x ?p ?o .\n  #?who ?x <http://x/by> ?__who .\n}\n#?limit LIMIT ?__limit\n"
    assert parameters(text) == [("who", False), ("limit", False)]
    assert bind(text, {}) == text
    paged = bind(text, {"__limit": Literal(5, datatype=XSD.integer)})
    assert "#?who" in paged and paged.rstrip().endswith("\nLIMIT 5")  # a bare integer: what LIMIT takes
    narrowed = bind(text, {"__who": URIRef("http://x/a")})
    assert "\n  ?x <http://x/by> <http://x/a> .\n" in narrowed and "#?limit LIMIT ?__limit" in narrowed


def test_facts_with_sources_pages_by_article_leader_country_dates_and_limit() -> None:
    q = load_query("facts-with-sources")
    assert sorted((p.name, p.required) for p in q.params) == [
        ("article", False), ("country", False), ("from", False), ("leader", False), ("limit", False), ("to", False)]


def test_a_page_of_a_leaders_meetings_is_the_start_of_the_whole_answer(world: Store) -> None:
    """meetings-of-leader with a limit plans differently (dates first, sources per meeting kept)."""
    found = world.oxigraph.query("SELECT ?label WHERE { ?x a <https://w3id.org/diplomacy-kg/ontology#Leader> ; "
                                 "<http://www.w3.org/2000/01/rdf-schema#label> ?label }",
                                 use_default_graph_as_union=True)
    leaders = [row[0].value for row in found]
    assert len(leaders) >= 4
    for leader in leaders:
        whole = run_query(world, "meetings-of-leader", {"leader": leader}).rows
        for limit in range(len(whole) + 2):
            page = run_query(world, "meetings-of-leader", {"leader": leader, "limit": str(limit)}).rows
            assert page == whole[:limit], (leader, limit)


def test_a_page_of_the_timeline_is_the_start_of_the_whole_answer(world: Store) -> None:
    """timeline with a limit reads the facts of only its first dates (by their dip:factCount); its rows
    are the first rows of the whole answer, whatever the range and wherever the page ends (inside a day too)."""
    for params in ({}, {"from": "2025-03"}, {"from": "2025-03-02", "to": "2025-03-04"}, {"to": "2025-02"}):
        whole = run_query(world, "timeline", params).rows
        assert whole, params
        for limit in range(len(whole) + 2):
            assert run_query(world, "timeline", {**params, "limit": str(limit)}).rows == whole[:limit], (params, limit)


def test_the_whole_timeline_keeps_its_plan_and_a_page_its_own() -> None:
    """Without limit the query is the one it was (the date index, every fact in range); the count of
    each date is read only for a page."""
    from rdflib import XSD, Literal

    from kg.query.sparqltext import bind

    text = load_query("timeline").text
    whole = bind(text, {})
    page = bind(text, {"__limit": Literal(10, datatype=XSD.integer)})
    code = [line for line in whole.splitlines() if not line.lstrip().startswith("#")]
    assert not any("factCount" in line or "LIMIT" in line for line in code)
    assert "dip:factCount ?cn" in page and page.rstrip().endswith("LIMIT 10")
    # the quadratic join of dates runs only up to the cut (the limit-th date counted >= 1)
    assert "STR(?date) <= ?cut" in page
