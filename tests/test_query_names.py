"""Name parameters of stored queries match by surname, alias, spelling variant, any case or accents.

`kg query meetings-of-leader --param leader=merz` finds Friedrich Merz's meetings; a name shared
by several entities is an error naming them; a name matching nothing is an error suggesting the
closest ones. The lookup is a SPARQL query through the same executor, so it works on the
embedded store and on a remote endpoint alike. A name that is already an exact label keeps the
query's own semantics.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import QueryError
from kg.merge import recompute
from kg.query import run_query
from kg.query.names import Entity, key, match, words
from kg.store import Store, open_store
from tests.fixtures_oxigraph import OxigraphServer, oxigraph_server  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "tests" / "data" / "queries").glob("*/*.json"))

# A small graph following docs/ARCHITECTURE.md; two leaders share the surname Berger.
WORLD = """\
@prefix : <https://w3id.org/diplomacy-kg/id/> .
@prefix dip: <https://w3id.org/diplomacy-kg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix lr: <https://w3id.org/diplomacy-kg/vocab/leader-role/> .
@prefix pt: <https://w3id.org/diplomacy-kg/vocab/pledge-type/> .

:article\\/n1 a dip:Article ; dip:sourceName "n1.txt" .
:country\\/DE a dip:Country ; rdfs:label "Germany" ; dip:isoCode "DE" .
:country\\/UA a dip:Country ; rdfs:label "Ukraine" ; dip:isoCode "UA" .
:country\\/TR a dip:Country ; rdfs:label "Türkiye" ; dip:isoCode "TR" .
:country\\/AT a dip:Country ; rdfs:label "Austria" ; dip:isoCode "AT" .
:country\\/GB a dip:Country ; rdfs:label "United Kingdom" ; dip:isoCode "GB" .
:org\\/nato a dip:Organization ; rdfs:label "NATO" .
:person\\/friedrich-merz a dip:Leader ; rdfs:label "Friedrich Merz" ; dip:role lr:chancellor ;
  dip:leaderOf :country\\/DE ; prov:wasDerivedFrom :article\\/n1 .
:person\\/volodymyr-zelenskyy a dip:Leader ; rdfs:label "Volodymyr Zelenskyy" ; dip:role lr:president ;
  dip:leaderOf :country\\/UA ; prov:wasDerivedFrom :article\\/n1 .
:person\\/recep-tayyip-erdogan a dip:Leader ; rdfs:label "Recep Tayyip Erdoğan" ; dip:role lr:president ;
  dip:leaderOf :country\\/TR ; prov:wasDerivedFrom :article\\/n1 .
:person\\/karl-berger a dip:Leader ; rdfs:label "Karl Berger" ; dip:role lr:chancellor ;
  dip:leaderOf :country\\/AT ; prov:wasDerivedFrom :article\\/n1 .
:person\\/lena-berger a dip:Leader ; rdfs:label "Lena Berger" ; dip:role lr:foreign_minister ;
  dip:leaderOf :country\\/DE ; prov:wasDerivedFrom :article\\/n1 .
:person\\/keir-starmer a dip:Leader ; rdfs:label "Keir Starmer" ; dip:role lr:prime_minister ;
  dip:leaderOf :country\\/GB ; prov:wasDerivedFrom :article\\/n1 .
:meeting\\/berlin a dip:Meeting ; rdfs:label "Meeting: Friedrich Merz, Volodymyr Zelenskyy (2025-05-12)" ;
  dip:participant :person\\/friedrich-merz , :person\\/volodymyr-zelenskyy ; dip:date "2025-05-12"^^xsd:date ;
  prov:wasDerivedFrom :article\\/n1 .
:meeting\\/ankara a dip:Meeting ; rdfs:label "Meeting: Karl Berger, Recep Tayyip Erdoğan (2025-06-02)" ;
  dip:participant :person\\/karl-berger , :person\\/recep-tayyip-erdogan , :org\\/nato ;
  dip:date "2025-06-02"^^xsd:date ; prov:wasDerivedFrom :article\\/n1 .
:pledge\\/tr a dip:Pledge ; rdfs:label "Türkiye pledges troops" ; dip:pledgedBy :country\\/TR ;
  dip:pledgeType pt:troops ; prov:wasDerivedFrom :article\\/n1 .
"""
MERZ_BERLIN = "https://w3id.org/diplomacy-kg/id/meeting/berlin"
ANKARA = "https://w3id.org/diplomacy-kg/id/meeting/ankara"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("names")
    (folder / "world.ttl").write_text(WORLD, encoding="utf-8")
    store = open_store(folder / "store")
    store.load(folder / "world.ttl")
    recompute(store)  # the merged graph and the summary (meetings-between reads its index of pairs)
    yield store
    store.close()


def meetings(target: Store | str, leader: str) -> list[str]:
    return [r["meeting"] for r in run_query(target, "meetings-of-leader", {"leader": leader}, resolve_names=True)]


# --- the normalisation rules (kg/query/names.py; the site's search mirrors them) ---

def test_spellings_of_one_name_share_a_key() -> None:
    assert key("Zelenskyy") == key("zelensky") == key("Zelenskiy") == key("ZELENSKYI")
    assert key("Türkiye") == key("turkiye") and key("Erdoğan") == key("erdogan")
    assert key("al-Sisi") == key("el-Sisi") == key("Sisi")
    assert key("Straße") == key("strasse") and key("Støre") == key("Store")


def test_keys_keep_different_names_apart() -> None:
    assert key("Charles III") != key("Charles I")
    assert key("Merz") != key("Marz")
    assert words("Ursula von der Leyen") == ("ursula", "leyen")


def test_match_tiers_exact_then_folded_then_loose() -> None:
    merz = Entity("x:merz", "Leader", ["Friedrich Merz"])
    macron = Entity("x:macron", "Leader", ["Emmanuel Macron"], ["Macron"])
    assert match("macron", [merz, macron]).how == "exact"
    assert match("friedrich  MERZ", [merz, macron]).how == "exact"
    assert match("Friedrich-Merz", [merz, macron]).how == "folded"
    found = match("merz", [merz, macron])
    assert (found.how, found.term) == ("loose", "x:merz")
    assert match("nobody", [merz, macron]).how == "unknown"


# --- through the store ---

def test_surname_finds_the_leader(world: Store) -> None:
    assert run_query(world, "meetings-of-leader", {"leader": "Merz"}).rows == []  # the exact comparison
    assert meetings(world, "Merz") == meetings(world, "merz") == [MERZ_BERLIN]


@pytest.mark.parametrize("spelling", ["zelensky", "Zelenskiy", "ZELENSKYI", "Volodymyr Zelensky", "zelenskyy"])
def test_transliterations_and_case_find_the_leader(world: Store, spelling: str) -> None:
    assert meetings(world, spelling) == [MERZ_BERLIN]


@pytest.mark.parametrize("spelling", ["erdogan", "ERDOĞAN", "Recep Tayyip Erdogan", "President Erdogan"])
def test_accents_and_titles_do_not_matter(world: Store, spelling: str) -> None:
    assert meetings(world, spelling) == [ANKARA]


@pytest.mark.parametrize("country", ["TR", "tr", "Türkiye", "turkiye", "Turkey", "TURKEY"])
def test_a_country_by_code_name_alias_or_spelling(world: Store, country: str) -> None:
    rows = run_query(world, "pledges-by-country", {"country": country}, resolve_names=True).rows
    assert [r["label"] for r in rows] == ["Türkiye pledges troops"]


def test_both_parties_of_meetings_between_are_resolved(world: Store) -> None:
    rows = run_query(world, "meetings-between", {"a": "merz", "b": "zelensky"}, resolve_names=True).rows
    assert [(r["meeting"], r["partyA"], r["partyB"]) for r in rows] == [
        (MERZ_BERLIN, "Friedrich Merz", "Volodymyr Zelenskyy")]
    rows = run_query(world, "meetings-between", {"a": "turkey", "b": "nato"}, resolve_names=True).rows
    assert [r["meeting"] for r in rows] == [ANKARA]


@pytest.mark.parametrize("spelling", ["Chancellor Karl Berger", "Federal Chancellor Karl Berger", "karl"])
def test_titles_are_not_part_of_the_name(world: Store, spelling: str) -> None:
    """Karl Berger is in no gazetteer: the titles file alone tells that "Chancellor" is not a name."""
    assert meetings(world, spelling) == [ANKARA]


def test_a_query_header_can_say_what_a_parameter_names(world: Store, tmp_path: Path) -> None:
    rq = tmp_path / "host.rq"
    rq.write_text("#+ entities:\n#+   - host: Leader\n"
                  "PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#>\n"
                  "SELECT ?meeting WHERE { ?meeting dip:participant ?_host }\n", encoding="utf-8")
    rows = run_query(world, rq, {"host": "erdogan"}, resolve_names=True).rows
    assert rows == [{"meeting": ANKARA}]


def test_a_shared_surname_is_ambiguous_and_names_each_leader(world: Store) -> None:
    with pytest.raises(QueryError) as err:
        meetings(world, "berger")
    message = err.value.message
    assert "ambiguous" in message and "2 entities" in message
    assert "Karl Berger (AT, chancellor)" in message and "Lena Berger (DE, foreign_minister)" in message
    assert "--param leader=" in message
    assert meetings(world, "Karl Berger") == [ANKARA]


def test_an_unknown_name_says_so_and_suggests_close_names(world: Store) -> None:
    with pytest.raises(QueryError, match=r"no leader named 'Merx' in the graph.*did you mean Friedrich Merz"):
        meetings(world, "Merx")
    with pytest.raises(QueryError, match=r"no country named 'Atlantis'"):
        run_query(world, "pledges-by-country", {"country": "Atlantis"}, resolve_names=True)


def test_iris_and_undeclared_parameters_are_left_alone(world: Store) -> None:
    iri = "https://w3id.org/diplomacy-kg/id/person/friedrich-merz"
    assert meetings(world, iri) == [MERZ_BERLIN]
    with pytest.raises(QueryError, match="unknown parameter 'leader'"):
        run_query(world, "pledges-by-country", {"country": "DE", "leader": "merz"}, resolve_names=True)


@pytest.fixture(scope="module")
def queries_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The stored-query tests' world (tests/data/queries/world.trig) with its merged graph."""
    store = open_store(tmp_path_factory.mktemp("queries-world") / "store")
    store.load(ROOT / "tests" / "data" / "queries" / "world.trig")
    recompute(store)
    yield store
    store.close()


@pytest.mark.parametrize("case", [c for c in CASES if json.loads(c.read_text(encoding="utf-8"))["params"]],
                         ids=lambda c: f"{c.parent.name}/{c.stem}")
def test_exact_labels_keep_the_query_semantics(queries_world: Store, case: Path) -> None:
    """Every stored-query case answers the same with resolution on; a name it does not know is an error."""
    spec = json.loads(case.read_text(encoding="utf-8"))
    try:
        rows = run_query(queries_world, case.parent.name, spec["params"], resolve_names=True).rows
    except QueryError as exc:
        assert "in the graph" in exc.message and spec["expected"] == []
        return
    assert rows == spec["expected"]


# --- the command line and a remote endpoint ---

def kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_cli_resolves_names_from_ingested_text(tmp_path: Path) -> None:
    (tmp_path / "berlin.txt").write_text(
        "Merz meets Zelenskyy in Berlin\n\nPublished: 12 May 2025\n\n"
        "German Chancellor Friedrich Merz met Ukrainian President Volodymyr Zelenskyy in Berlin on Monday, "
        "12 May 2025, to discuss air defence.\n", encoding="utf-8")
    store = str(tmp_path / "store")
    assert kg("ingest", str(tmp_path / "berlin.txt"), "--store", store).returncode == 0
    done = kg("query", "meetings-of-leader", "--param", "leader=merz", "--store", store, "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "Friedrich Merz" in done.stdout and "Zelensky" in done.stdout
    exact = kg("query", "meetings-of-leader", "--param", "leader=merz", "--store", store, "--exact", "-f", "csv")
    assert exact.returncode == 0 and exact.stdout.strip() == "meeting,label,date,mode,status,sources"
    unknown = kg("query", "meetings-of-leader", "--param", "leader=Mertz", "--store", store)
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "no leader named 'Mertz'" in unknown.stderr and "Friedrich Merz" in unknown.stderr


def test_the_lookup_runs_on_a_remote_endpoint(world: Store, oxigraph_server: OxigraphServer) -> None:  # noqa: F811
    load = urllib.request.Request(oxigraph_server.store + "?default", data=WORLD.encode("utf-8"), method="POST",
                                  headers={"Content-Type": "text/turtle"})
    urllib.request.urlopen(load, timeout=30).close()
    endpoint = oxigraph_server.query
    assert meetings(endpoint, "merz") == meetings(world, "merz") == [MERZ_BERLIN]
    assert meetings(endpoint, "ERDOGAN") == [ANKARA]
    with pytest.raises(QueryError, match=r"ambiguous.*Karl Berger \(AT, chancellor\)"):
        meetings(endpoint, "Berger")
    done = kg("query", "meetings-of-leader", "--param", "leader=zelensky", "--endpoint", endpoint, "-f", "csv")
    assert done.returncode == 0 and MERZ_BERLIN in done.stdout


def test_the_python_api_looks_names_up_as_kg_query_does(world: Store) -> None:
    from kg.api import KnowledgeGraph

    graph = KnowledgeGraph(world)
    assert [r["meeting"] for r in graph.query("meetings-of-leader", leader="merz")] == meetings(world, "merz")
    assert graph.query("meetings-of-leader", leader="merz").rows
    assert graph.query("meetings-of-leader", leader="merz", exact_names=True).rows == []
