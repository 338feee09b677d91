"""Parameters are data, never SPARQL; updates need an explicit permission."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from kg.errors import QueryError
from kg.query import list_queries, run_query
from kg.query.sparqltext import bind, parameters
from kg.store import Store, open_store
from tests.test_queries import load_world

ROOT = Path(__file__).resolve().parents[1]
NASTY = [
    'x" } ; DROP ALL ; #',
    "x' } ; DROP ALL ; #",
    'x"""} DROP ALL #',
    "FR\\\" } ; CLEAR DEFAULT",
    "a\n} ; DELETE WHERE { ?s ?p ?o } #",
    "> } DROP ALL #",
]


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[Store]:
    store = load_world(tmp_path / "store")
    yield store
    store.close()


#: parameters with a type of their own (dates, a row count): anything else is refused before querying
TYPED = {"from", "to", "limit"}


def _params(query_name: str, value: str, typed: bool) -> dict[str, str]:
    q = next(q for q in list_queries() if q.name == query_name)
    return {p.name: value for p in q.params if (p.name in TYPED) == typed}


@pytest.mark.parametrize("value", NASTY)
@pytest.mark.parametrize("query", [q.name for q in list_queries() if q.params])
def test_injection_attempts_are_just_values(world: Store, query: str, value: str) -> None:
    before = sorted(map(str, world.quads()))
    if strings := _params(query, value, typed=False):
        assert run_query(world, query, strings).rows == []
    if typed := _params(query, value, typed=True):
        required = {p.name: "x" for q in list_queries() if q.name == query for p in q.params if p.required}
        for name, bad in typed.items():
            with pytest.raises(QueryError, match=f"parameter {name}: .* is not a (date|whole number)"):
                run_query(world, query, {**required, name: bad})
    assert sorted(map(str, world.quads())) == before


def test_value_that_looks_like_an_iri_must_be_a_valid_iri(world: Store) -> None:
    with pytest.raises(QueryError, match="not a valid IRI"):
        run_query(world, "meetings-of-leader", {"leader": "http://x> } ; DROP ALL ; #"})


def test_updates_are_refused_unless_allowed(world: Store, tmp_path: Path) -> None:
    rq = tmp_path / "wipe.rq"
    rq.write_text("DROP ALL\n")
    n = world.quad_count()
    with pytest.raises(QueryError, match=r"SPARQL Update.*--allow-update"):
        run_query(world, rq)
    assert world.quad_count() == n
    assert run_query(world, rq, allow_update=True).updated
    assert world.quad_count() == 0


def test_cli_refuses_update_with_exit_2(tmp_path: Path) -> None:
    load_world(tmp_path / "store").close()
    rq = tmp_path / "wipe.rq"
    rq.write_text("DELETE WHERE { ?s ?p ?o }\n")
    cmd = [sys.executable, "-m", "kg", "query", str(rq), "--store", str(tmp_path / "store")]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "SPARQL Update" in proc.stderr and "--allow-update" in proc.stderr
    with open_store(tmp_path / "store", read_only=True) as st:
        assert st.quad_count() > 0


def test_invalid_sparql_is_a_query_error(world: Store, tmp_path: Path) -> None:
    rq = tmp_path / "bad.rq"
    rq.write_text("SELECT ?x WHERE { ?x \n")
    with pytest.raises(QueryError, match="invalid SPARQL"):
        run_query(world, rq)


def test_parameters_are_found_only_in_code() -> None:
    text = '# ?_comment\nSELECT ?_a WHERE { ?s <http://x/?_iri> "?_str" ; ?p ?__b }'
    assert parameters(text) == [("a", True), ("b", False)]


def test_substitution_replaces_only_variable_tokens() -> None:
    text = 'SELECT ?s WHERE { ?s <http://x/?_x> "?_x" ; ?p ?_x . ?s ?q ?_xy } # ?_x'
    assert bind(text, {"_x": Literal("v")}) == (
        'SELECT ?s WHERE { ?s <http://x/?_x> "?_x" ; ?p "v" . ?s ?q ?_xy } # ?_x')


def test_bound_terms_are_escaped() -> None:
    out = bind("SELECT * { ?s ?p ?_x }", {"_x": Literal('a"b\\c\nd')})
    assert out == 'SELECT * { ?s ?p "a\\"b\\\\c\\nd" }'
    with pytest.raises(QueryError, match="not a valid IRI"):
        bind("SELECT * { ?s ?p ?_x }", {"_x": URIRef("http://x/a b")})
    with pytest.raises(QueryError, match="not a parameter variable"):
        bind("SELECT * { ?s ?p ?_x }", {"x) } DROP ALL": Literal("v")})
