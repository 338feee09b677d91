"""The summary graph (kg.summary): the numbers the global stored queries read, kept at write time.

The stored queries' own cases (tests/data/queries) check the answers; the random histories of
tests/test_merge_incremental.py check that the incremental refresh equals counting from scratch.
Here: what the graph holds, and that a store written before it gets it once (and never answers
without it). ``kg build`` writing the same graph is part of tests/test_build.py (build = ingest + export).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import summary
from kg.api import open_store as open_kg
from kg.errors import PublishError, PushError, QueryError
from kg.merge import full_summary, recompute, update
from kg.publish import export, publish_site
from kg.push import push
from kg.query import load_query, run_query
from kg.store import Store, open_store

WORLD = Path(__file__).parent / "data" / "queries" / "world.trig"
B = "https://w3id.org/diplomacy-kg/id/"
INT = "<http://www.w3.org/2001/XMLSchema#integer>"


def world(path: Path) -> Store:
    store = open_store(path)
    store.load(WORLD)
    recompute(store)
    return store


def lines(store: Store) -> list[str]:
    return sorted(f"{q.triple} ." for q in store.quads(summary.graph_iri(store)))


def test_the_summary_graph_holds_what_the_global_queries_count(tmp_path: Path) -> None:
    with world(tmp_path / "s") as store:
        held = lines(store)
        assert held == full_summary(store)
        macron = f"<{B}person/emmanuel-macron>"
        assert f"{macron} <{summary.MEETINGS}> \"2\"^^{INT} ." in held
        assert f"{macron} <{summary.MEETING_SOURCES}> \"3\"^^{INT} ." in held
        # in the default graph too: the view the queries read, exports write and push sends
        default = {f"{q.triple} ." for q in store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        assert set(held) <= default
        assert summary.kept(store)
        # the index timeline reads: every date a meeting or pledge has, stated by the summary graph itself
        index = {line.split(" ", 2)[2][:-2] for line in held if f"<{summary.FACT_DATE}>" in line}
        dated = store.oxigraph.query("SELECT DISTINCT ?d WHERE { ?x <https://w3id.org/diplomacy-kg/ontology#date> ?d }")
        assert index == {str(row[0]) for row in dated} and len(index) > 3  # type: ignore[union-attr]


def _make_old(path: Path) -> list[dict[str, str]]:
    """A store as a kg from before the summary left it: no summary graph, no mark in meta.json."""
    with world(path) as store:
        rows = run_query(store, "most-active-leaders").rows
        store.replace_graph(summary.graph_iri(store), "")
    meta = json.loads((path / "meta.json").read_text())
    del meta[summary.META_KEY]
    (path / "meta.json").write_text(json.dumps(meta))
    return rows


def test_a_store_from_before_never_answers_without_its_summary(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _make_old(path)
    with open_store(path, read_only=True) as store:
        with pytest.raises(QueryError) as err:
            run_query(store, "countries-pledging-troops")
        assert "no summary graph" in str(err.value) and "open it once for writing" in str(err.value)
        assert run_query(store, "meetings-of-leader", {"leader": "Emmanuel Macron"}).rows  # the others still run
        # a query reads the summary only in the variant asked for: a leader's facts need no date index
        assert run_query(store, "facts-with-sources", {"leader": "Emmanuel Macron"}).rows
        with pytest.raises(QueryError, match="no summary graph"):
            run_query(store, "facts-with-sources", {"leader": "Emmanuel Macron", "from": "2025-03"})
        with pytest.raises(PushError, match="no summary graph"):
            push(store, "http://127.0.0.1:9/", dry_run=True)
        # an export of the whole store would carry the gap to wherever it is loaded; one article's graph may go
        with pytest.raises(PublishError, match="no summary graph"):
            export(store, tmp_path / "all.nq", "nquads")
        assert not (tmp_path / "all.nq").exists()
        with pytest.raises(PublishError, match="no summary graph"):
            publish_site(store, tmp_path / "site")
        assert not (tmp_path / "site").exists()
        some_article = next(iter(store.article_keys()))
        assert export(store, tmp_path / "one.nq", "nquads", graph=f"{B}graph/article/{some_article}").statements


def test_opening_a_store_from_before_for_writing_computes_its_summary_once(tmp_path: Path) -> None:
    path = tmp_path / "s"
    before = _make_old(path)
    with open_kg(path) as kg:  # the writer: the merge pass runs once
        assert summary.kept(kg.store)
        assert lines(kg.store) == full_summary(kg.store)
    with open_kg(path, read_only=True) as kg:
        assert kg.query("most-active-leaders").rows == before


def _call(key: str, *people: str) -> str:
    """An article reporting one call between ``people`` (N-Triples, as ingest writes it)."""
    meeting, article = f"<{B}meeting/{key}-call>", f"<{B}article/{key}>"
    dip = "https://w3id.org/diplomacy-kg/ontology#"
    lines = [f"{article} a <{dip}Article> .", f"{meeting} a <{dip}Meeting> .", f"{meeting} a <{dip}PhoneCall> .",
             f"{meeting} <http://www.w3.org/ns/prov#wasDerivedFrom> {article} ."]
    lines += [f"{meeting} <{dip}participant> <{B}person/{p}> ." for p in people]
    return "\n".join(lines).replace(" a <", " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <") + "\n"


def test_an_added_article_moves_the_counts_of_its_parties_by_its_change(tmp_path: Path) -> None:
    with world(tmp_path / "s") as store:
        store.replace_article("extra", _call("extra", "emmanuel-macron", "friedrich-merz"), {})
        update(store)
        held = lines(store)
        assert held == full_summary(store)
        macron, merz = f"<{B}person/emmanuel-macron>", f"<{B}person/friedrich-merz>"
        assert f"{macron} <{summary.MEETINGS}> \"3\"^^{INT} ." in held  # 2 before
        assert f"{macron} <{summary.MEETING_SOURCES}> \"4\"^^{INT} ." in held  # 3 before
        assert f"{merz} <{summary.MEETINGS}> \"1\"^^{INT} ." in held  # new: from 0
        store.drop_article("extra")
        update(store)
        assert lines(store) == full_summary(store) and not any(line.startswith(merz) for line in lines(store))


def test_a_stored_count_that_cannot_be_right_is_recounted_whole(tmp_path: Path) -> None:
    """A lost triple (a crash between writes, a hand edit) is not carried forward by the next change."""
    with world(tmp_path / "s") as store:
        graph = summary.graph_iri(store)
        macron = ox.NamedNode(f"{B}person/emmanuel-macron")
        lost = [q.triple for q in store.oxigraph.quads_for_pattern(macron, ox.NamedNode(summary.MEETINGS), None,
                                                                    ox.NamedNode(graph))]
        store.patch_graph(graph, lost, [])
        assert lines(store) != full_summary(store)
        store.replace_article("extra", _call("extra", "emmanuel-macron", "keir-starmer"), {})
        update(store)
        assert lines(store) == full_summary(store)


def date_counts(store: Store) -> dict[str, int]:
    """The index of dates as stored: date (lexical) -> its dip:factCount."""
    rows = store.oxigraph.query(f"SELECT ?d ?n WHERE {{ GRAPH <{summary.graph_iri(store)}> {{ "
                                f"?i <{summary.FACT_DATE}> ?d ; <{summary.FACT_COUNT}> ?n }} }}")
    return {row[0].value: int(row[1].value) for row in rows}  # type: ignore[union-attr]


def timeline_counts(store: Store) -> dict[str, int]:
    """The number of rows timeline lists under each date."""
    counts: dict[str, int] = {}
    for row in run_query(store, "timeline").rows:
        counts[row["date"]] = counts.get(row["date"], 0) + 1
    return counts


def test_each_date_of_the_index_counts_the_rows_timeline_lists_under_it(tmp_path: Path) -> None:
    """What a page of timeline reads to know which dates it needs (every fact of the test world has a
    label and an article of its own, so the count is exact; a date whose facts are all merged away
    counts 0)."""
    with world(tmp_path / "s") as store:
        stored = date_counts(store)
        listed = timeline_counts(store)
        assert {d: n for d, n in stored.items() if n} == listed and listed["2025-03-02"] == 3
        store.replace_article("extra", _call("extra", "emmanuel-macron", "friedrich-merz").replace(
            "<https://w3id.org/diplomacy-kg/id/article/extra> .",
            '<https://w3id.org/diplomacy-kg/id/article/extra> .\n'
            f'<{B}meeting/extra-call> <https://w3id.org/diplomacy-kg/ontology#date> '
            '"2025-03-02"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
            f'<{B}meeting/extra-call> <http://www.w3.org/2000/01/rdf-schema#label> "A call" .'), {})
        update(store)  # by the change alone
        assert lines(store) == full_summary(store)
        assert date_counts(store)["2025-03-02"] == 4 == timeline_counts(store)["2025-03-02"]
        store.drop_article("extra")
        update(store)
        assert date_counts(store) == stored


def test_a_stored_date_count_that_cannot_be_right_is_recounted(tmp_path: Path) -> None:
    """A day the next change touches is recounted from its facts when its stored count is not one integer."""
    with world(tmp_path / "s") as store:
        graph = summary.graph_iri(store)
        day = ox.NamedNode(f"{graph}/date/2025-03-02")
        count = ox.NamedNode(summary.FACT_COUNT)
        held = [q.triple for q in store.oxigraph.quads_for_pattern(day, count, None, ox.NamedNode(graph))]
        two = [ox.Triple(day, count, ox.Literal(n, datatype=ox.NamedNode(INT[1:-1]))) for n in ("1", "7")]
        store.patch_graph(graph, held, two)  # a hand edit: two counts, neither right
        assert lines(store) != full_summary(store)
        store.replace_article("extra", _call("extra", "emmanuel-macron", "keir-starmer").replace(
            "<https://w3id.org/diplomacy-kg/id/article/extra> .",
            '<https://w3id.org/diplomacy-kg/id/article/extra> .\n'
            f'<{B}meeting/extra-call> <https://w3id.org/diplomacy-kg/ontology#date> '
            '"2025-03-02"^^<http://www.w3.org/2001/XMLSchema#date> .'), {})
        update(store)
        assert lines(store) == full_summary(store)


COUNTING = Path(__file__).parent.parent / "bench" / "baseline_queries"


PARAMS = {"meetings-between": {"a": "France", "b": "Volodymyr Zelensky"},  # queries with required parameters
          "meetings-of-leader": {"leader": "Emmanuel Macron", "limit": "2"}}
CASES: list[tuple[str, dict[str, str]]] = [(p.stem, PARAMS.get(p.stem, {})) for p in sorted(COUNTING.glob("*.rq"))]
CASES += [("timeline", {"from": "2025-01", "to": "2025-12-31"}), ("timeline", {"from": "2025-03", "limit": "4"})]


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{len(p)}" for n, p in CASES])
def test_the_queries_that_read_the_summary_answer_as_counting_did(tmp_path: Path, name: str,
                                                                  params: dict[str, str]) -> None:
    """The summary is the count the queries made before it: the old counting form (kept for the
    benchmark's baseline, which has no summary) gives the same rows."""
    with world(tmp_path / "s") as store:
        counted = run_query(store, load_query(COUNTING / f"{name}.rq"), params).rows
        assert counted and run_query(store, name, params).rows == counted
